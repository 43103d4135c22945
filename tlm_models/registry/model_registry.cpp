// Model spec parsing and the registry of device factories.
#include "model_registry.h"

namespace cosim {

Result<ModelParams> parse_model_params(const std::string& text) {
  ModelParams out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find_first_of(";,", pos);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(pos, end - pos);
    pos = end + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      return Status{ErrorCode::kConfig, "model parameter '" + item + "' is not of the form key=value"};
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

Result<ModelSpec> parse_model_spec(const std::string& spec, const std::string& params) {
  if (spec.empty()) return Status{ErrorCode::kConfig, "empty model name"};
  ModelSpec out;
  const size_t colon = spec.find(':');
  if (colon == std::string::npos) {
    out.kind = "native";
    out.name = spec;
  } else {
    out.kind = spec.substr(0, colon);
    out.name = spec.substr(colon + 1);
  }
  if (out.name.empty()) return Status{ErrorCode::kConfig, "model '" + spec + "' has no name after the kind"};
  auto p = parse_model_params(params);
  if (!p) return p.status();
  out.params = std::move(p).value();
  return out;
}

ModelRegistry& ModelRegistry::instance() {
  static ModelRegistry registry;
  return registry;
}

void ModelRegistry::add(const std::string& kind, const std::string& name, std::string summary, ModelFactory f) {
  entries_[kind + ":" + name] = Entry{std::move(summary), std::move(f)};
}

void ModelRegistry::add_kind(const std::string& kind, std::string usage, std::string summary, KindFactory f) {
  kinds_[kind] = Kind{std::move(usage), std::move(summary), std::move(f)};
}

Result<std::unique_ptr<Device>> ModelRegistry::create(const ModelSpec& spec, const LogSink& log) const {
  auto made = [&](Result<std::unique_ptr<Device>> device) -> Result<std::unique_ptr<Device>> {
    if (!device) return Status{device.status().code(), spec.to_string() + ": " + device.status().message()};
    return device;
  };
  if (auto it = entries_.find(spec.to_string()); it != entries_.end()) return made(it->second.factory(spec.params, log));
  if (auto k = kinds_.find(spec.kind); k != kinds_.end()) return made(k->second.factory(spec.name, spec.params, log));
  std::string known;
  for (const auto& [key, entry] : entries_) known += (known.empty() ? "" : ", ") + key;
  for (const auto& [kind, entry] : kinds_) known += (known.empty() ? "" : ", ") + kind + ":" + entry.usage;
  return Status{ErrorCode::kConfig, "unknown model '" + spec.to_string() + "' (known: " + known + ")"};
}

std::vector<std::string> ModelRegistry::list() const {
  std::vector<std::string> out;
  for (const auto& [key, entry] : entries_) out.push_back(key + "  " + entry.summary);
  for (const auto& [kind, entry] : kinds_) out.push_back(kind + ":" + entry.usage + "  " + entry.summary);
  return out;
}

}  // namespace cosim
