// Common part of the TLM-2.0 target -> bus master pin adapters (AXI4-Lite,
// APB, Wishbone): a target socket whose b_transport splits the generic payload
// into bus words (honouring byte enables), runs each word on the pins through
// the subclass, and maps bus errors to TLM response statuses.
//
// Timing: b_transport first waits out the annotated delay (the initiator's
// local time offset), then drives the pins clock by clock and returns with
// the delay set to zero, so it must be called from an SC_THREAD. Pins are
// driven only from that thread and sampled at rising clock edges.
#pragma once

#include <cstdint>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace cosim::rtl {

class TlmBusTarget : public sc_core::sc_module {
 public:
  // BUSWIDTH is informational for LT b_transport; 32 everywhere for BARs.
  tlm_utils::simple_target_socket<TlmBusTarget, 32> socket;
  sc_core::sc_in<bool> clk;
  sc_core::sc_in<bool> resetn;  // active low; transactions wait for its release

  // A word that is not answered in this many clock cycles ends the payload
  // with TLM_GENERIC_ERROR_RESPONSE and an SC_REPORT_WARNING naming it.
  void set_timeout_cycles(uint64_t cycles) { timeout_cycles_ = cycles; }
  uint64_t timeout_cycles() const { return timeout_cycles_; }
  unsigned bus_bytes() const { return bus_bytes_; }
  // Payloads and bus words completed since construction (for tests and stats).
  uint64_t transactions() const { return transactions_; }
  uint64_t words() const { return words_; }

 protected:
  enum class WordResult { kOkay, kSlvErr, kDecErr, kTimeout, kReset };

  TlmBusTarget(const sc_core::sc_module_name& name, unsigned bus_bytes);

  // One bus word at a bus-aligned byte address. `strb` has bit i set for
  // byte lane i; for writes, lanes not in `strb` carry no data; for reads,
  // `strb` says which lanes the payload wants (a bus without read strobes
  // reads the whole word).
  virtual WordResult write_word(uint64_t addr, uint64_t data, uint32_t strb) = 0;
  virtual WordResult read_word(uint64_t addr, uint32_t strb, uint64_t& data) = 0;
  // Around the words of one payload (e.g. Wishbone holds CYC across them).
  virtual void begin_payload() {}
  virtual void end_payload() {}
  // Drive all outputs to their idle values (after a timeout or reset).
  virtual void idle_outputs() = 0;

  // Waits for rising edges until `done()` (called right after each edge, when
  // inputs show their pre-edge values) returns true: kOkay; kReset if resetn
  // is low at an edge; kTimeout after timeout_cycles() edges.
  template <typename Done>
  WordResult wait_until(Done&& done) {
    for (uint64_t n = 0;; ++n) {
      sc_core::wait(clk.posedge_event());
      if (!resetn.read()) return WordResult::kReset;
      if (done()) return WordResult::kOkay;
      if (n >= timeout_cycles_) return WordResult::kTimeout;
    }
  }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  void run_payload(tlm::tlm_generic_payload& gp);

  unsigned bus_bytes_;
  uint64_t timeout_cycles_ = 100000;
  uint64_t transactions_ = 0;
  uint64_t words_ = 0;
  sc_core::sc_mutex mutex_;
};

}  // namespace cosim::rtl
