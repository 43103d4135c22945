// Interrupt pins of an RTL top -> a small callback interface: the INTx level
// (each change) and message-signalled interrupt requests (a valid/ready
// handshake carrying the kind and the 0-based vector, accepted every cycle).
#pragma once

#include <cstdint>

#include <systemc>

namespace cosim::rtl {

class IrqSink {
 public:
  virtual ~IrqSink() = default;
  virtual void on_intx(bool level) = 0;
  virtual void on_msi(uint32_t vector) = 0;   // 0-based
  virtual void on_msix(uint32_t vector) = 0;  // 0-based
};

class IrqMonitor : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> clk;
  sc_core::sc_in<bool> intx;          // level from the RTL
  sc_core::sc_in<bool> req_valid;     // message request
  sc_core::sc_out<bool> req_ready;    // held high: every request is taken
  sc_core::sc_in<bool> req_msix;      // 0: MSI, 1: MSI-X
  sc_core::sc_in<uint32_t> req_vector;

  SC_HAS_PROCESS(IrqMonitor);
  explicit IrqMonitor(const sc_core::sc_module_name& name, IrqSink* sink = nullptr);
  void set_sink(IrqSink* sink) { sink_ = sink; }

  uint64_t msi_count() const { return msi_count_; }
  uint64_t msix_count() const { return msix_count_; }
  uint64_t intx_changes() const { return intx_changes_; }

 private:
  void intx_method();
  void requests();

  IrqSink* sink_;
  uint64_t msi_count_ = 0, msix_count_ = 0, intx_changes_ = 0;
};

}  // namespace cosim::rtl
