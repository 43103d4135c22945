// TLM-2.0 target -> AXI4-Lite master pins (one BAR in front of an RTL slave).
// Each bus word of a payload is one AXI4-Lite transaction: AW and W are driven
// together (WSTRB from the payload's bytes and byte enables), then B; or AR,
// then R. An 8-byte access on a 32-bit bus is two transactions, lower address
// first. BRESP/RRESP SLVERR -> TLM_GENERIC_ERROR_RESPONSE, DECERR ->
// TLM_ADDRESS_ERROR_RESPONSE; the payload stops at the first error word.
#pragma once

#include "cosim/rtl/pins.h"
#include "cosim/rtl/tlm_bus_target.h"

namespace cosim::rtl {

template <unsigned ADDR_BITS = 32, unsigned DATA_BITS = 32>
class TlmToAxiLite : public TlmBusTarget {
 public:
  using Signals = AxiLiteSignals<ADDR_BITS, DATA_BITS>;
  using addr_t = typename Signals::addr_t;
  using data_t = typename Signals::data_t;
  using strb_t = typename Signals::strb_t;

  COSIM_RTL_BUS_PORTS(COSIM_RTL_AXIL_PINS, master)

  explicit TlmToAxiLite(const sc_core::sc_module_name& name) : TlmBusTarget(name, DATA_BITS / 8) {}

 protected:
  WordResult write_word(uint64_t addr, uint64_t data, uint32_t strb) override {
    awaddr.write(to_pin<addr_t>(addr));
    wdata.write(to_pin<data_t>(data));
    wstrb.write(to_pin<strb_t>(strb));
    awvalid.write(true);
    wvalid.write(true);
    bready.write(true);
    bool aw_done = false;
    bool w_done = false;
    WordResult r = wait_until([&] {
      if (!aw_done && awready.read()) {
        aw_done = true;
        awvalid.write(false);
      }
      if (!w_done && wready.read()) {
        w_done = true;
        wvalid.write(false);
      }
      return aw_done && w_done;
    });
    if (r != WordResult::kOkay) return r;
    // BVALID comes no earlier than the edge after both handshakes.
    r = wait_until([&] { return bvalid.read(); });
    bready.write(false);
    if (r != WordResult::kOkay) return r;
    return resp(bresp.read());
  }

  WordResult read_word(uint64_t addr, uint32_t, uint64_t& data) override {
    araddr.write(to_pin<addr_t>(addr));
    arvalid.write(true);
    rready.write(true);
    WordResult r = wait_until([&] { return arready.read(); });
    arvalid.write(false);
    if (r != WordResult::kOkay) {
      rready.write(false);
      return r;
    }
    r = wait_until([&] { return rvalid.read(); });
    rready.write(false);
    if (r != WordResult::kOkay) return r;
    data = pin_u64(rdata.read());
    return resp(rresp.read());
  }

  void idle_outputs() override {
    awvalid.write(false);
    wvalid.write(false);
    bready.write(false);
    arvalid.write(false);
    rready.write(false);
  }

 private:
  static WordResult resp(uint32_t r) {
    switch (static_cast<AxiResp>(r & 3)) {
      case AxiResp::kOkay:
      case AxiResp::kExOkay: return WordResult::kOkay;
      case AxiResp::kSlvErr: return WordResult::kSlvErr;
      case AxiResp::kDecErr: return WordResult::kDecErr;
    }
    return WordResult::kSlvErr;
  }
};

}  // namespace cosim::rtl
