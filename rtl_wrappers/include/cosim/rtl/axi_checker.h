// AXI handshake and burst rule checkers: passive SystemC monitors that sample
// an AXI4-Lite or AXI4 interface at every rising clock edge and record each
// rule broken. Usable in any testbench: bind them to the same signals as the
// master and slave, run, then expect violations() to be empty.
//
// Rules (AMBA AXI and ACE spec, "Basic read and write transactions" and
// "Channel signaling requirements"):
//  - handshake: once xVALID is high it stays high until the xREADY handshake,
//    and the channel's payload does not change while VALID is high and READY
//    low (every channel, both directions);
//  - reset: xVALID is low from the second rising edge of a reset on;
//  - order: a write response only for a write whose address and data have
//    both been accepted; read data only for an accepted read address;
//  - AXI4 bursts: legal AxSIZE / AxLEN / AxBURST, no INCR across 4 KiB
//    (axi_burst_error); WLAST on the burst's last beat and only there; WSTRB
//    only on the beat's active byte lanes (checked for beats after their AW);
//    RLAST on the last beat of the read burst and only there.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include <systemc>

#include "cosim/rtl/axi_burst.h"
#include "cosim/rtl/pins.h"

namespace cosim::rtl {

struct ProtocolViolation {
  sc_core::sc_time time;
  std::string rule;    // short, stable name, e.g. "AW.valid_dropped"
  std::string detail;  // what was seen
};

// Recording and reporting shared by the checkers.
class ProtocolChecker : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> clk;
  sc_core::sc_in<bool> resetn;

  const std::vector<ProtocolViolation>& violations() const { return violations_; }
  // Violations seen, including those beyond the stored maximum.
  uint64_t violation_count() const { return count_; }
  void clear() {
    violations_.clear();
    count_ = 0;
  }
  // One line per stored violation, for test failure messages.
  std::string summary() const;
  // Also raise SC_REPORT_WARNING for each violation (default on).
  void set_report(bool on) { report_ = on; }
  // Called for each violation (e.g. to fail a test at once).
  void set_callback(std::function<void(const ProtocolViolation&)> cb) { callback_ = std::move(cb); }
  uint64_t edges() const { return edges_; }

 protected:
  explicit ProtocolChecker(const sc_core::sc_module_name& name);
  void violation(const std::string& rule, const std::string& detail);

  // One VALID/READY channel: the handshake and reset rules.
  struct Channel {
    explicit Channel(const char* n) : name(n) {}
    const char* name;
    bool prev_valid = false;
    bool prev_ready = false;
    std::vector<uint64_t> prev_payload;
  };
  // Applies the handshake rules to `c` at this edge; returns valid && ready.
  bool check_channel(Channel& c, bool valid, bool ready, std::vector<uint64_t> payload);
  bool in_reset() const { return in_reset_; }
  // Call first at each edge.
  void begin_edge();

  uint64_t edges_ = 0;

 private:
  std::vector<ProtocolViolation> violations_;
  uint64_t count_ = 0;
  bool report_ = true;
  std::function<void(const ProtocolViolation&)> callback_;
  bool in_reset_ = false;
  bool prev_reset_ = false;
};

template <unsigned ADDR_BITS = 32, unsigned DATA_BITS = 32>
class AxiLiteChecker : public ProtocolChecker {
 public:
  using Signals = AxiLiteSignals<ADDR_BITS, DATA_BITS>;
  using addr_t = typename Signals::addr_t;
  using data_t = typename Signals::data_t;
  using strb_t = typename Signals::strb_t;

  COSIM_RTL_BUS_PORTS(COSIM_RTL_AXIL_PINS, monitor)

  SC_HAS_PROCESS(AxiLiteChecker);
  explicit AxiLiteChecker(const sc_core::sc_module_name& name) : ProtocolChecker(name) {
    SC_METHOD(check);
    sensitive << clk.pos();
    dont_initialize();
  }

 private:
  void check() {
    begin_edge();
    const bool aw = check_channel(aw_, awvalid.read(), awready.read(), {pin_u64(awaddr.read())});
    const bool w = check_channel(w_, wvalid.read(), wready.read(), {pin_u64(wdata.read()), pin_u64(wstrb.read())});
    const bool b = check_channel(b_, bvalid.read(), bready.read(), {bresp.read()});
    const bool ar = check_channel(ar_, arvalid.read(), arready.read(), {pin_u64(araddr.read())});
    const bool r = check_channel(r_, rvalid.read(), rready.read(), {pin_u64(rdata.read()), rresp.read()});
    if (in_reset()) {
      aw_n_ = w_n_ = b_n_ = ar_n_ = r_n_ = 0;
      return;
    }
    // Responses may only follow requests accepted at earlier edges.
    if (bvalid.read() && b_n_ >= std::min(aw_n_, w_n_))
      violation("B.unrequested", "BVALID without an accepted write address and data");
    if (rvalid.read() && r_n_ >= ar_n_) violation("R.unrequested", "RVALID without an accepted read address");
    aw_n_ += aw;
    w_n_ += w;
    b_n_ += b;
    ar_n_ += ar;
    r_n_ += r;
  }

  Channel aw_{"AW"}, w_{"W"}, b_{"B"}, ar_{"AR"}, r_{"R"};
  uint64_t aw_n_ = 0, w_n_ = 0, b_n_ = 0, ar_n_ = 0, r_n_ = 0;
};

template <unsigned ADDR_BITS = 64, unsigned DATA_BITS = 64>
class Axi4Checker : public ProtocolChecker {
 public:
  using Signals = Axi4Signals<ADDR_BITS, DATA_BITS>;
  using addr_t = typename Signals::addr_t;
  using data_t = typename Signals::data_t;
  using strb_t = typename Signals::strb_t;
  static constexpr unsigned kBusBytes = DATA_BITS / 8;

  COSIM_RTL_BUS_PORTS(COSIM_RTL_AXI4_PINS, monitor)

  SC_HAS_PROCESS(Axi4Checker);
  explicit Axi4Checker(const sc_core::sc_module_name& name) : ProtocolChecker(name) {
    SC_METHOD(check);
    sensitive << clk.pos();
    dont_initialize();
  }

  // Bursts completed on each side (for tests).
  uint64_t write_bursts() const { return b_done_; }
  uint64_t read_bursts() const { return r_done_; }

 private:
  struct Burst {
    AxiBurstRequest req;
    std::vector<AxiBeat> beats;  // empty for an illegal burst
  };

  void check() {
    begin_edge();
    const bool aw = check_channel(aw_, awvalid.read(), awready.read(),
                                  {pin_u64(awaddr.read()), awlen.read(), awsize.read(), awburst.read()});
    const bool w = check_channel(w_, wvalid.read(), wready.read(),
                                 {pin_u64(wdata.read()), pin_u64(wstrb.read()), wlast.read()});
    const bool b = check_channel(b_, bvalid.read(), bready.read(), {bresp.read()});
    const bool ar = check_channel(ar_, arvalid.read(), arready.read(),
                                  {pin_u64(araddr.read()), arlen.read(), arsize.read(), arburst.read()});
    const bool r = check_channel(r_, rvalid.read(), rready.read(),
                                 {pin_u64(rdata.read()), rresp.read(), rlast.read()});
    if (in_reset()) {
      aw_q_.clear();
      w_done_.clear();
      ar_q_.clear();
      w_beat_ = r_beat_ = 0;
      b_pending_ = 0;
      return;
    }
    // B and R only for completed requests of earlier edges.
    if (bvalid.read() && b_pending_ == 0)
      violation("B.unrequested", "BVALID without a write burst whose address and last data beat were accepted");
    if (rvalid.read() && ar_q_.empty()) violation("R.unrequested", "RVALID without an accepted read address");

    // An AW accepted at the same edge as a W beat is that beat's address.
    if (aw) on_aw();
    if (w) on_w_beat();
    if (b && b_pending_ > 0) {
      --b_pending_;
      ++b_done_;
    }
    if (r && !ar_q_.empty()) on_r_beat();
    if (ar) {
      Burst burst = make_burst(arlen, arsize, arburst, pin_u64(araddr.read()), "AR");
      ar_q_.push_back(std::move(burst));
    }
  }

  Burst make_burst(sc_core::sc_in<uint32_t>& len, sc_core::sc_in<uint32_t>& size, sc_core::sc_in<uint32_t>& burst,
                   uint64_t addr, const char* ch) {
    Burst bu;
    bu.req = AxiBurstRequest{addr, len.read(), size.read(), burst.read()};
    const std::string err = axi_burst_error(bu.req, kBusBytes);
    if (!err.empty())
      violation(std::string(ch) + ".illegal_burst", err);
    else
      bu.beats = axi_burst_beats(bu.req, kBusBytes);
    return bu;
  }

  void on_aw() {
    Burst bu = make_burst(awlen, awsize, awburst, pin_u64(awaddr.read()), "AW");
    if (!w_done_.empty()) {
      // Its data came first: compare the beat count now.
      const uint64_t beats = w_done_.front();
      w_done_.pop_front();
      if (beats != uint64_t{bu.req.len} + 1)
        violation("W.wlast_position", "write burst of " + std::to_string(bu.req.len + 1) + " beats had WLAST after " +
                                          std::to_string(beats) + " beats (data before address)");
      ++b_pending_;
      return;
    }
    aw_q_.push_back(std::move(bu));
  }

  void on_w_beat() {
    const bool last = wlast.read();
    if (aw_q_.empty()) {
      // Data ahead of its address: count the beats, check them when AW comes.
      ++w_beat_;
      if (last) {
        w_done_.push_back(w_beat_);
        w_beat_ = 0;
      }
      return;
    }
    // Unmatched data bursts would have taken this AW, so it is this burst's.
    const Burst& bu = aw_q_.front();
    const uint64_t n = bu.req.len + 1ull;
    if (w_beat_ < bu.beats.size()) {
      const uint32_t allowed = bu.beats[w_beat_].lanes();
      const uint32_t strb = static_cast<uint32_t>(pin_u64(wstrb.read()));
      if (strb & ~allowed)
        violation("W.strobe_lanes", "WSTRB 0x" + hex(strb) + " on beat " + std::to_string(w_beat_) +
                                        " outside its active lanes 0x" + hex(allowed));
    }
    const bool should_be_last = w_beat_ + 1 >= n;
    if (last != should_be_last)
      violation("W.wlast_position", std::string(last ? "WLAST on beat " : "no WLAST on last beat ") +
                                        std::to_string(w_beat_) + " of a " + std::to_string(n) + "-beat burst");
    ++w_beat_;
    if (last || should_be_last) {
      aw_q_.pop_front();
      w_beat_ = 0;
      ++b_pending_;
    }
  }

  void on_r_beat() {
    const Burst& bu = ar_q_.front();
    const uint64_t n = bu.req.len + 1ull;
    const bool last = rlast.read();
    const bool should_be_last = r_beat_ + 1 == n;
    if (last != should_be_last)
      violation("R.rlast_position", std::string(last ? "RLAST on beat " : "no RLAST on last beat ") +
                                        std::to_string(r_beat_) + " of a " + std::to_string(n) + "-beat burst");
    ++r_beat_;
    if (should_be_last) {
      ar_q_.pop_front();
      r_beat_ = 0;
      ++r_done_;
    }
  }

  static std::string hex(uint64_t v) {
    char buf[20];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
    return buf;
  }

  Channel aw_{"AW"}, w_{"W"}, b_{"B"}, ar_{"AR"}, r_{"R"};
  std::deque<Burst> aw_q_;         // write addresses awaiting (the rest of) their data
  std::deque<uint64_t> w_done_;    // beat counts of write bursts whose data came before the address
  uint64_t w_beat_ = 0;            // beats of the W burst in progress
  std::deque<Burst> ar_q_;         // read bursts awaiting data
  uint64_t r_beat_ = 0;
  uint64_t b_pending_ = 0;         // write bursts complete on AW and W, awaiting B
  uint64_t b_done_ = 0, r_done_ = 0;
};

}  // namespace cosim::rtl
