// The TLM models built into cosim-host, served through the SystemC adapter.
#include "cosim/sc/tlm_device.h"
#include "model_registry.h"
#include "tlm/epf_test_tlm.h"

namespace cosim {

void register_tlm_models() {
  static const bool done = [] {
    ModelRegistry::instance().add(
        "tlm", "epf-test",
        "PCI endpoint test function, SystemC/TLM-2.0 loosely timed (params: reg_latency, dma_bw, crc_bw, quantum)",
        [](const ModelParams& params, const LogSink& log) {
          return sc::make_tlm_device("tlm:epf-test", &epf_test::make_epf_test_tlm, params, log);
        });
    return true;
  }();
  (void)done;
}

}  // namespace cosim
