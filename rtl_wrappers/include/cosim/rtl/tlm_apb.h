// TLM-2.0 target -> APB master pins (AMBA APB4: PSTRB for writes, PSLVERR).
// Each bus word is one APB transfer: a setup cycle (PSEL, PENABLE low), then
// access cycles (PENABLE high) until PREADY. Back-to-back words skip the idle
// cycle (the next setup phase follows the last access phase directly).
// PSLVERR -> TLM_GENERIC_ERROR_RESPONSE; PSTRB is zero for reads (APB4).
// PPROT is not carried.
#pragma once

#include "cosim/rtl/pins.h"
#include "cosim/rtl/tlm_bus_target.h"

namespace cosim::rtl {

template <unsigned ADDR_BITS = 32, unsigned DATA_BITS = 32>
class TlmToApb : public TlmBusTarget {
 public:
  using Signals = ApbSignals<ADDR_BITS, DATA_BITS>;
  using addr_t = typename Signals::addr_t;
  using data_t = typename Signals::data_t;
  using strb_t = typename Signals::strb_t;

  COSIM_RTL_BUS_PORTS(COSIM_RTL_APB_PINS, master)

  explicit TlmToApb(const sc_core::sc_module_name& name) : TlmBusTarget(name, DATA_BITS / 8) {}

 protected:
  WordResult write_word(uint64_t addr, uint64_t data, uint32_t strb) override {
    uint64_t unused = 0;
    return transfer(true, addr, data, strb, unused);
  }
  WordResult read_word(uint64_t addr, uint32_t, uint64_t& data) override {
    return transfer(false, addr, 0, 0, data);
  }
  void idle_outputs() override {
    psel.write(false);
    penable.write(false);
  }

 private:
  WordResult transfer(bool write, uint64_t addr, uint64_t wdata, uint32_t strb, uint64_t& rdata) {
    // Setup phase.
    psel.write(true);
    penable.write(false);
    pwrite.write(write);
    paddr.write(to_pin<addr_t>(addr));
    pwdata.write(to_pin<data_t>(write ? wdata : 0));
    pstrb.write(to_pin<strb_t>(write ? strb : 0));
    WordResult r = wait_until([] { return true; });
    if (r != WordResult::kOkay) return r;
    // Access phase until PREADY.
    penable.write(true);
    r = wait_until([&] { return pready.read(); });
    psel.write(false);
    penable.write(false);
    if (r != WordResult::kOkay) return r;
    rdata = pin_u64(prdata.read());
    return pslverr.read() ? WordResult::kSlvErr : WordResult::kOkay;
  }
};

}  // namespace cosim::rtl
