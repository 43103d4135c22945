// Model specs ("native:epf-test", "epf-test") and the registry that turns one
// into a Device. Each backend (native now; TLM, RTL, plug-ins later) registers
// its factories; the frontend library registers only the native ones.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cosim/bridge/device.h"
#include "cosim/bridge/session.h"
#include "cosim/bridge/status.h"

namespace cosim {

using ModelParams = std::map<std::string, std::string>;

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

class ModelRegistry {
 public:
  static ModelRegistry& instance();
  void add(const std::string& kind, const std::string& name, std::string summary, ModelFactory factory);
  // kConfig error naming the model and listing the known ones if unknown.
  Result<std::unique_ptr<Device>> create(const ModelSpec& spec, const LogSink& log) const;
  // "kind:name  summary" lines.
  std::vector<std::string> list() const;

 private:
  struct Entry {
    std::string summary;
    ModelFactory factory;
  };
  std::map<std::string, Entry> entries_;  // key "kind:name"
};

// Registers the native (in-process C++) models. Idempotent.
void register_native_models();

}  // namespace cosim
