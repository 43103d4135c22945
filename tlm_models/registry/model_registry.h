// Model specs ("native:epf-test", "epf-test") and the registry that turns one
// into a Device. Each backend registers its factories: the native models
// (register_native_models, everywhere), the TLM models (register_tlm_models,
// SystemC: cosim-host only), the RTL models (register_rtl_models, cosim-host)
// and plug-ins (a whole kind, "plugin:<name>"). The
// frontend library registers only the native ones, so QEMU never loads SystemC.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cosim/bridge/device.h"
#include "cosim/bridge/session.h"
#include "cosim/bridge/status.h"
#include "cosim/model_params.h"

namespace cosim {

struct ModelSpec {
  std::string kind;  // "native", "tlm", "rtl", "plugin"
  std::string name;  // model name, or a path for plugins
  ModelParams params;
  std::string to_string() const { return kind + ":" + name; }
};

// Parses "kind:name" (kind defaults to "native") and a parameter string
// "k=v;k=v" (',' is accepted as separator too). Errors name the bad part.
Result<ModelSpec> parse_model_spec(const std::string& spec, const std::string& params = "");
Result<ModelParams> parse_model_params(const std::string& params);

using ModelFactory = std::function<Result<std::unique_ptr<Device>>(const ModelParams&, const LogSink&)>;
// Makes the model `name` of a whole kind (e.g. the plug-in a name or path
// designates), where the names are not known in advance.
using KindFactory =
    std::function<Result<std::unique_ptr<Device>>(const std::string& name, const ModelParams&, const LogSink&)>;

class ModelRegistry {
 public:
  static ModelRegistry& instance();
  void add(const std::string& kind, const std::string& name, std::string summary, ModelFactory factory);
  // Serves every "kind:<name>" without an entry of its own; `usage` shows the
  // name's form (e.g. "<name or path>").
  void add_kind(const std::string& kind, std::string usage, std::string summary, KindFactory factory);
  // kConfig error naming the model and listing the known ones if unknown.
  Result<std::unique_ptr<Device>> create(const ModelSpec& spec, const LogSink& log) const;
  // "kind:name  summary" lines.
  std::vector<std::string> list() const;

 private:
  struct Entry {
    std::string summary;
    ModelFactory factory;
  };
  struct Kind {
    std::string usage;
    std::string summary;
    KindFactory factory;
  };
  std::map<std::string, Entry> entries_;  // key "kind:name"
  std::map<std::string, Kind> kinds_;     // key "kind"
};

// Registers the native (in-process C++) models. Idempotent.
void register_native_models();
// Registers the TLM models ("tlm:epf-test"); links SystemC (cosim_tlm_models). Idempotent.
void register_tlm_models();
// Registers the RTL models ("rtl:epf-test"); links Verilated models
// (cosim_rtl_models, in rtl_wrappers/registry). Idempotent.
void register_rtl_models();
// Registers the "plugin" kind (cosim_plugin_loader). Idempotent.
void register_plugin_models();

}  // namespace cosim
