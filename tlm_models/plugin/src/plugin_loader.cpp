// `--model plugin:<name or path>[#<model>]`: finds the shared object, checks
// the plug-in API version before touching anything else, and makes the chosen
// model (native as is, TLM through the SystemC adapter).
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <system_error>
#include <vector>

#include "cosim/plugin.h"
#include "cosim/sc/tlm_device.h"
#include "model_registry.h"

namespace cosim {
namespace {

namespace fs = std::filesystem;

std::string version_string(uint32_t v) { return std::to_string(v >> 16) + "." + std::to_string(v & 0xffff); }

// Where plug-ins are looked for by name, in order: $COSIM_PLUGIN_PATH, the
// plug-in folder of the installation this executable belongs to, and the one
// of the configured install prefix.
std::vector<std::string> search_dirs() {
  std::vector<std::string> dirs;
  auto add = [&](const std::string& d) {
    if (!d.empty() && std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d);
  };
  if (const char* env = std::getenv("COSIM_PLUGIN_PATH")) {
    std::string path = env;
    size_t pos = 0;
    while (pos <= path.size()) {
      size_t end = path.find(':', pos);
      if (end == std::string::npos) end = path.size();
      add(path.substr(pos, end - pos));
      pos = end + 1;
    }
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) add((exe.parent_path() / COSIM_PLUGIN_DIR_FROM_BIN).lexically_normal().string());
  add(COSIM_INSTALL_PLUGIN_DIR);
  return dirs;
}

Result<std::string> resolve(const std::string& name) {
  std::error_code ec;
  if (name.find('/') != std::string::npos || name.ends_with(".so")) {
    if (!fs::is_regular_file(name, ec)) return Status{ErrorCode::kConfig, "plug-in file '" + name + "' does not exist"};
    return fs::absolute(name, ec).lexically_normal().string();
  }
  const std::string file = "libcosim-" + name + ".so";
  const std::vector<std::string> dirs = search_dirs();
  std::string looked;
  for (const std::string& dir : dirs) {
    const fs::path candidate = fs::path(dir) / file;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
    looked += (looked.empty() ? "" : ", ") + dir;
  }
  return Status{ErrorCode::kConfig, "plug-in '" + name + "' not found: no " + file + " in " + looked +
                                        " (add its folder to COSIM_PLUGIN_PATH, or give the path of the .so)"};
}

// Loaded plug-ins by path. Never unloaded: SystemC keeps the processes of a
// model's modules until the process exits, and their code lives in the plug-in.
std::map<std::string, const plugin::Plugin*>& loaded() {
  static std::map<std::string, const plugin::Plugin*> m;
  return m;
}

Result<const plugin::Plugin*> load(const std::string& path, const LogSink& log) {
  if (auto it = loaded().find(path); it != loaded().end()) return it->second;
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) return Status{ErrorCode::kConfig, std::string("cannot load plug-in: ") + dlerror()};
  auto refuse = [&](ErrorCode code, const std::string& why) {
    dlclose(handle);
    return Status{code, "plug-in " + path + " " + why};
  };
  auto api_version = reinterpret_cast<cosim_plugin_api_version_fn>(dlsym(handle, COSIM_PLUGIN_API_VERSION_SYMBOL));
  if (!api_version)
    return refuse(ErrorCode::kConfig, "is not a cosim plug-in: it exports no " COSIM_PLUGIN_API_VERSION_SYMBOL
                                      "() (define its entry points with COSIM_PLUGIN from cosim/plugin.h)");
  const uint32_t v = api_version();
  if (v >> 16 != plugin::kApiMajor || (v & 0xffff) > plugin::kApiMinor)
    return refuse(ErrorCode::kVersionMismatch, "was built for plug-in API " + version_string(v) +
                                                   "; this cosim-host implements plug-in API " +
                                                   version_string(plugin::kApiVersion) +
                                                   ": rebuild the plug-in against this cosim");
  auto entry = reinterpret_cast<cosim_plugin_fn>(dlsym(handle, COSIM_PLUGIN_SYMBOL));
  if (!entry) return refuse(ErrorCode::kConfig, "exports no " COSIM_PLUGIN_SYMBOL "() (use COSIM_PLUGIN)");
  const plugin::Plugin* p = entry();
  if (!p || !p->name || !p->models || p->num_models == 0) return refuse(ErrorCode::kConfig, "offers no models");
  for (size_t i = 0; i < p->num_models; ++i) {
    const plugin::Model& m = p->models[i];
    if (!m.name || !m.summary)
      return refuse(ErrorCode::kConfig, "has a model #" + std::to_string(i) + " without a name or summary");
    if ((m.native == nullptr) == (m.tlm == nullptr))
      return refuse(ErrorCode::kConfig, std::string("model '") + m.name + "' must have exactly one factory, native or tlm");
  }
  if (log)
    log(LogLevel::kInfo, std::string("loaded plug-in ") + p->name + " " + (p->version ? p->version : "") + " from " +
                             path + " (plug-in API " + version_string(v) + ")");
  loaded()[path] = p;
  return p;
}

Result<std::unique_ptr<Device>> make_plugin_device(const std::string& spec_name, const ModelParams& params,
                                                   const LogSink& log) {
  std::string name = spec_name;
  std::string model;
  if (const size_t hash = spec_name.rfind('#'); hash != std::string::npos) {
    name = spec_name.substr(0, hash);
    model = spec_name.substr(hash + 1);
    if (name.empty() || model.empty())
      return Status{ErrorCode::kConfig, "'" + spec_name + "' is not of the form <name or path>[#<model>]"};
  }
  auto path = resolve(name);
  if (!path) return path.status();
  auto loaded_plugin = load(*path, log);
  if (!loaded_plugin) return loaded_plugin.status();
  const plugin::Plugin& p = **loaded_plugin;

  std::string names;
  for (size_t i = 0; i < p.num_models; ++i) names += std::string(i ? ", " : "") + p.models[i].name;
  const plugin::Model* chosen = nullptr;
  if (model.empty()) {
    if (p.num_models > 1)
      return Status{ErrorCode::kConfig, "plug-in " + *path + " offers several models (" + names +
                                            "): choose one with plugin:" + name + "#<model>"};
    chosen = &p.models[0];
  } else {
    for (size_t i = 0; i < p.num_models && !chosen; ++i)
      if (model == p.models[i].name) chosen = &p.models[i];
    if (!chosen)
      return Status{ErrorCode::kConfig, "plug-in " + *path + " has no model '" + model + "' (it offers " + names + ")"};
  }

  if (chosen->tlm) {
    const plugin::TlmFactory factory = chosen->tlm;
    return sc::make_tlm_device(std::string("plugin:") + p.name + "#" + chosen->name,
                               [factory](const ModelParams& rest, const LogSink& l) { return factory(rest, l); },
                               params, log);
  }
  auto device = chosen->native(params, log);
  if (!device) return device.status();
  if (!*device) return Status{ErrorCode::kInternal, std::string("model '") + chosen->name + "' returned no device"};
  if (Status s = validate((*device)->description()); !s)
    return Status{ErrorCode::kConfig, std::string("model '") + chosen->name + "' describes itself inconsistently: " +
                                          s.message()};
  return device;
}

}  // namespace

void register_plugin_models() {
  static const bool done = [] {
    ModelRegistry::instance().add_kind(
        "plugin", "<name or path>[#<model>]",
        "a device plug-in: libcosim-<name>.so from $COSIM_PLUGIN_PATH or <prefix>/lib/cosim/plugins, or a path",
        &make_plugin_device);
    return true;
  }();
  (void)done;
}

}  // namespace cosim
