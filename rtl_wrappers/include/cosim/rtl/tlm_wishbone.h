// TLM-2.0 target -> Wishbone B4 classic master pins, 8-, 16- or 32-bit data.
// A payload is one bus cycle: CYC stays high over all its words (a classic
// block cycle) and drops for a clock edge after it; each word holds STB with ADR (byte address of the port-width
// word), DAT, SEL and WE until ACK, ERR or RTY at a rising edge. ERR ->
// TLM_GENERIC_ERROR_RESPONSE. RTY repeats the word, up to retry_limit() times,
// then answers TLM_GENERIC_ERROR_RESPONSE.
#pragma once

#include "cosim/rtl/pins.h"
#include "cosim/rtl/tlm_bus_target.h"

namespace cosim::rtl {

template <unsigned ADDR_BITS = 32, unsigned DATA_BITS = 32>
class TlmToWishbone : public TlmBusTarget {
 public:
  using Signals = WishboneSignals<ADDR_BITS, DATA_BITS>;
  using addr_t = typename Signals::addr_t;
  using data_t = typename Signals::data_t;
  using sel_t = typename Signals::sel_t;

  COSIM_RTL_BUS_PORTS(COSIM_RTL_WB_PINS, master)

  explicit TlmToWishbone(const sc_core::sc_module_name& name) : TlmBusTarget(name, DATA_BITS / 8) {}

  void set_retry_limit(unsigned n) { retry_limit_ = n; }
  unsigned retry_limit() const { return retry_limit_; }
  uint64_t retries() const { return retries_; }

 protected:
  void begin_payload() override { cyc.write(true); }
  // CYC goes low for a clock edge between payloads, so each payload is a bus
  // cycle of its own (a slave may keep per-cycle state, e.g. for RTY).
  void end_payload() override {
    cyc.write(false);
    stb.write(false);
    sc_core::wait(clk.posedge_event());
  }
  WordResult write_word(uint64_t addr, uint64_t data, uint32_t strb) override {
    uint64_t unused = 0;
    return cycle(true, addr, data, strb, unused);
  }
  WordResult read_word(uint64_t addr, uint32_t strb, uint64_t& data) override {
    return cycle(false, addr, 0, strb, data);
  }
  void idle_outputs() override {
    cyc.write(false);
    stb.write(false);
  }

 private:
  WordResult cycle(bool write, uint64_t addr, uint64_t wdata, uint32_t strb, uint64_t& rdata) {
    for (unsigned attempt = 0;; ++attempt) {
      stb.write(true);
      we.write(write);
      adr.write(to_pin<addr_t>(addr));
      dat_w.write(to_pin<data_t>(write ? wdata : 0));
      sel.write(to_pin<sel_t>(strb));
      bool a = false, e = false, r = false;
      const WordResult res = wait_until([&] {
        a = ack.read();
        e = err.read();
        r = rty.read();
        return a || e || r;
      });
      stb.write(false);
      if (res != WordResult::kOkay) return res;
      if (a) {
        rdata = pin_u64(dat_r.read());
        return WordResult::kOkay;
      }
      if (e || attempt >= retry_limit_) return WordResult::kSlvErr;
      ++retries_;
    }
  }

  unsigned retry_limit_ = 16;
  uint64_t retries_ = 0;
};

}  // namespace cosim::rtl
