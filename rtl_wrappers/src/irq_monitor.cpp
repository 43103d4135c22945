// Interrupt pin monitor: INTx level changes and MSI/MSI-X request handshakes.
#include "cosim/rtl/irq_monitor.h"

namespace cosim::rtl {

IrqMonitor::IrqMonitor(const sc_core::sc_module_name& name, IrqSink* sink)
    : sc_core::sc_module(name), clk("clk"), intx("intx"), req_valid("req_valid"), req_ready("req_ready"),
      req_msix("req_msix"), req_vector("req_vector"), sink_(sink) {
  SC_METHOD(intx_method);
  sensitive << intx;
  dont_initialize();
  SC_THREAD(requests);
}

void IrqMonitor::intx_method() {
  ++intx_changes_;
  if (sink_) sink_->on_intx(intx.read());
}

void IrqMonitor::requests() {
  req_ready.write(true);
  for (;;) {
    // Sleep while no request is pending; a request is taken at the first
    // rising edge that samples VALID high (READY is always high).
    if (!req_valid.read()) sc_core::wait(req_valid.posedge_event());
    sc_core::wait(clk.posedge_event());
    if (!req_valid.read()) continue;
    const uint32_t vector = req_vector.read();
    if (req_msix.read()) {
      ++msix_count_;
      if (sink_) sink_->on_msix(vector);
    } else {
      ++msi_count_;
      if (sink_) sink_->on_msi(vector);
    }
  }
}

}  // namespace cosim::rtl
