// The device plug-in API, version 1.0: how a shared object built outside this
// project offers native and TLM device models to cosim-host
// (`--model plugin:<name or path>[#<model>]`). docs/adding-a-device.md walks
// through an example.
//
// A plug-in defines a table of models and exports it with COSIM_PLUGIN():
//
//   #include "cosim/plugin.h"
//   static const cosim::plugin::Model kModels[] = {
//       {"timer", "countdown timer with an interrupt", nullptr, &make_timer_tlm},
//   };
//   COSIM_PLUGIN("timer", "1.0.0", kModels)
//
// The interface is C++: a plug-in must be built against the headers of the
// cosim it is loaded into, with the same compiler family and standard library
// (the CMake package `cosim` sets this up). The entry points are extern "C",
// and the API version is checked before anything else is touched: a plug-in
// whose major version differs from the host's, or whose minor version is
// newer, is refused with an error naming both versions.
//
// Versioning: the major version changes when a type or signature below
// changes; the minor version when something is added that older hosts lack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "cosim/bridge/device.h"
#include "cosim/bridge/log.h"
#include "cosim/bridge/status.h"
#include "cosim/model_params.h"

#define COSIM_PLUGIN_API_MAJOR 1
#define COSIM_PLUGIN_API_MINOR 0

namespace cosim {
namespace sc {
class TlmModel;  // cosim/sc/tlm_model.h; only TLM plug-ins need SystemC
}

namespace plugin {

inline constexpr uint32_t kApiMajor = COSIM_PLUGIN_API_MAJOR;
inline constexpr uint32_t kApiMinor = COSIM_PLUGIN_API_MINOR;
// What cosim_plugin_api_version() returns: major in the high 16 bits.
inline constexpr uint32_t kApiVersion = kApiMajor << 16 | kApiMinor;

// A native model: a cosim::Device, called directly by the host's session.
// `params` are the --param options (the model rejects keys it does not know,
// naming them); `log` takes guest errors and diagnostics.
using NativeFactory = Result<std::unique_ptr<Device>> (*)(const ModelParams& params, const LogSink& log);

// A TLM model: an sc_module served through cosim::sc::TlmDevice. Called once,
// during elaboration. The keys `quantum` and `access_timeout` are taken by the
// adapter before the factory sees `params`.
using TlmFactory = Result<std::unique_ptr<sc::TlmModel>> (*)(const ModelParams& params, const LogSink& log);

// One model of a plug-in. Exactly one of `native` and `tlm` is set.
struct Model {
  const char* name;     // selects it: plugin:<plug-in>#<name>
  const char* summary;  // one line, shown by cosim-host --list-models
  NativeFactory native;
  TlmFactory tlm;
};

// What a plug-in offers. `models` stays valid while the plug-in is loaded
// (plug-ins are never unloaded: SystemC keeps their processes until exit).
struct Plugin {
  const char* name;     // e.g. "timer"
  const char* version;  // the plug-in's own version, for logs
  const Model* models;
  size_t num_models;
};

}  // namespace plugin
}  // namespace cosim

// The two entry points a plug-in exports (COSIM_PLUGIN defines both).
extern "C" {
// (major << 16) | minor of the API the plug-in was built against.
typedef uint32_t (*cosim_plugin_api_version_fn)(void);
// The plug-in's models; called only after the version check passed.
typedef const cosim::plugin::Plugin* (*cosim_plugin_fn)(void);
}
#define COSIM_PLUGIN_API_VERSION_SYMBOL "cosim_plugin_api_version"
#define COSIM_PLUGIN_SYMBOL "cosim_plugin"

// Defines the entry points for a plug-in named `name`, version `version`,
// offering the models of the array `models`.
#define COSIM_PLUGIN(name, version, models)                                                      \
  extern "C" __attribute__((visibility("default"))) uint32_t cosim_plugin_api_version(void) {  \
    return cosim::plugin::kApiVersion;                                                           \
  }                                                                                              \
  extern "C" __attribute__((visibility("default"))) const cosim::plugin::Plugin* cosim_plugin(void) { \
    static const cosim::plugin::Plugin plugin{name, version, models, sizeof(models) / sizeof((models)[0])}; \
    return &plugin;                                                                              \
  }
