// The native models built into every frontend and host.
#include "model_registry.h"
#include "native/epf_test_native.h"

namespace cosim {

void register_native_models() {
  static const bool done = [] {
    ModelRegistry::instance().add(
        "native", "epf-test", "PCI endpoint test function, plain C++ (shared/specs/epf-test.md)",
        [](const ModelParams& params, const LogSink& log) -> Result<std::unique_ptr<Device>> {
          auto config = epf_test::parse_epf_test_params(params);
          if (!config) return config.status();
          auto device = epf_test::NativeEpfTest::create(*config, log);
          if (!device) return device.status();
          return std::unique_ptr<Device>(std::move(device).value());
        });
    return true;
  }();
  (void)done;
}

}  // namespace cosim
