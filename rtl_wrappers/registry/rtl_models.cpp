// The RTL models built into cosim-host: Verilated tops behind their TLM
// wrappers, served through the same SystemC adapter as the TLM models.
#include "cosim/rtl/epf_test_rtl.h"
#include "cosim/sc/tlm_device.h"
#include "model_registry.h"

namespace cosim {

void register_rtl_models() {
  static const bool done = [] {
    ModelRegistry::instance().add(
        "rtl", "epf-test",
        "PCI endpoint test function, Verilated SystemVerilog (rtl_wrappers/epf_test) behind AXI4-Lite/AXI4 "
        "adapters (params: clock, check_axi, bus_timeout, waves, waves_*, and the epf-test keys)",
        [](const ModelParams& params, const LogSink& log) {
          return sc::make_tlm_device("rtl:epf-test", &rtl::make_epf_test_rtl, params, log);
        });
    return true;
  }();
  (void)done;
}

}  // namespace cosim
