// The AXI checkers themselves: the testbench drives both sides of an
// AXI4-Lite and an AXI4 interface pin by pin, clean sequences first (no
// violation), then each broken rule (exactly the expected violation).
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>

#include "cosim/rtl/axi_checker.h"
#include "cosim/rtl/clock_reset.h"
#include "sc_harness.h"

namespace cosim::rtl::test {
namespace {

class CheckerBench : public sc_core::sc_module {
 public:
  ClockReset cr;
  AxiLiteSignals<32, 32> lite;
  AxiLiteChecker<32, 32> lite_check;
  Axi4Signals<64, 64> full;
  Axi4Checker<64, 64> full_check;
  Runner runner;

  explicit CheckerBench(const sc_core::sc_module_name& n)
      : sc_core::sc_module(n), cr("cr", sc_core::sc_time(10, sc_core::SC_NS), 2), lite("lite"),
        lite_check("lite_check"), full("full"), full_check("full_check"), runner("runner") {
    lite_check.clk(cr.clk);
    lite_check.resetn(cr.resetn);
    lite_check.bind(lite);
    lite_check.set_report(false);
    full_check.clk(cr.clk);
    full_check.resetn(cr.resetn);
    full_check.bind(full);
    full_check.set_report(false);
  }
  static CheckerBench& get() {
    static CheckerBench* b = new CheckerBench("tb");
    return *b;
  }
  void edge() { sc_core::wait(cr.clk.posedge_event()); }
  void run(std::function<void()> job) {
    ASSERT_TRUE(runner.run([&, job] {
      cr.reset(1);  // the checkers forget bursts in flight
      edge();
      lite_check.clear();
      full_check.clear();
      job();
      // Quiet both interfaces again.
      for (auto* s : {&lite.awvalid, &lite.wvalid, &lite.bvalid, &lite.arvalid, &lite.rvalid, &full.awvalid,
                      &full.wvalid, &full.bvalid, &full.arvalid, &full.rvalid})
        s->write(false);
      edge();
      edge();
    }));
  }
};

std::multiset<std::string> rules(const ProtocolChecker& c) {
  std::multiset<std::string> out;
  for (const auto& v : c.violations()) out.insert(v.rule);
  return out;
}

class RtlChecker : public ::testing::Test {
 public:  // the BurstRules table drives through these
  CheckerBench& tb = CheckerBench::get();
  AxiLiteSignals<32, 32>& l = tb.lite;
  Axi4Signals<64, 64>& f = tb.full;

  void lite_write(bool stall) {
    l.awaddr.write(0x10);
    l.wdata.write(0x1234);
    l.wstrb.write(0xf);
    l.awvalid.write(true);
    l.wvalid.write(true);
    l.awready.write(!stall);
    l.wready.write(!stall);
    tb.edge();
    if (stall) {
      l.awready.write(true);
      l.wready.write(true);
      tb.edge();
    }
    l.awvalid.write(false);
    l.wvalid.write(false);
    l.bvalid.write(true);
    l.bready.write(true);
    tb.edge();
    l.bvalid.write(false);
  }
  void lite_read() {
    l.araddr.write(0x20);
    l.arvalid.write(true);
    l.arready.write(true);
    tb.edge();
    l.arvalid.write(false);
    l.rvalid.write(true);
    l.rready.write(false);
    l.rdata.write(7);
    tb.edge();
    l.rready.write(true);
    tb.edge();
    l.rvalid.write(false);
  }
  // An AXI4 write burst; `wlast_at` = beat carrying WLAST; strb per beat.
  void full_write(uint64_t addr, unsigned len, unsigned size, unsigned burst, unsigned wlast_at, uint32_t strb,
                  bool data_first = false) {
    f.awaddr.write(addr);
    f.awlen.write(len);
    f.awsize.write(size);
    f.awburst.write(burst);
    f.awready.write(true);
    f.wready.write(true);
    if (!data_first) {
      f.awvalid.write(true);
      tb.edge();
      f.awvalid.write(false);
    }
    for (unsigned b = 0; b <= len; ++b) {
      f.wvalid.write(true);
      f.wdata.write(b);
      f.wstrb.write(strb);
      f.wlast.write(b == wlast_at);
      tb.edge();
    }
    f.wvalid.write(false);
    f.wlast.write(false);
    if (data_first) {
      f.awvalid.write(true);
      tb.edge();
      f.awvalid.write(false);
    }
    f.bvalid.write(true);
    f.bready.write(true);
    tb.edge();
    f.bvalid.write(false);
  }
  void full_read(uint64_t addr, unsigned len, unsigned rlast_at) {
    f.araddr.write(addr);
    f.arlen.write(len);
    f.arsize.write(3);
    f.arburst.write(1);
    f.arvalid.write(true);
    f.arready.write(true);
    tb.edge();
    f.arvalid.write(false);
    f.rready.write(true);
    for (unsigned b = 0; b <= len; ++b) {
      f.rvalid.write(true);
      f.rdata.write(b);
      f.rlast.write(b == rlast_at);
      tb.edge();
    }
    f.rvalid.write(false);
    f.rlast.write(false);
  }
};

TEST_F(RtlChecker, CleanSequencesPass) {
  tb.run([&] {
    lite_write(false);
    lite_write(true);
    lite_read();
    full_write(0x1000, 3, 3, 1, 3, 0xff);
    full_write(0x2004, 1, 2, 1, 1, 0xf0, true);  // data before address; narrow beats
    full_read(0x3000, 7, 7);
  });
  EXPECT_TRUE(tb.lite_check.violations().empty()) << tb.lite_check.summary();
  EXPECT_TRUE(tb.full_check.violations().empty()) << tb.full_check.summary();
  EXPECT_EQ(tb.full_check.write_bursts(), 2u);
  EXPECT_EQ(tb.full_check.read_bursts(), 1u);
}

TEST_F(RtlChecker, ValidDroppedBeforeHandshake) {
  tb.run([&] {
    l.arvalid.write(true);
    l.arready.write(false);
    tb.edge();
    l.arvalid.write(false);
    tb.edge();
  });
  EXPECT_EQ(rules(tb.lite_check), (std::multiset<std::string>{"AR.valid_dropped"}));
}

TEST_F(RtlChecker, PayloadChangedWhileStalled) {
  tb.run([&] {
    l.awaddr.write(0x10);
    l.wdata.write(1);
    l.awvalid.write(true);
    l.wvalid.write(true);
    l.awready.write(false);
    l.wready.write(false);
    tb.edge();
    l.wdata.write(2);  // W payload moves while WREADY is low
    tb.edge();
    l.awready.write(true);
    l.wready.write(true);
    tb.edge();
    l.awvalid.write(false);
    l.wvalid.write(false);
    l.bvalid.write(true);
    l.bready.write(true);
    tb.edge();
    l.bvalid.write(false);
  });
  EXPECT_EQ(rules(tb.lite_check), (std::multiset<std::string>{"W.payload_changed"}));
}

TEST_F(RtlChecker, ResponsesWithoutRequests) {
  tb.run([&] {
    l.bvalid.write(true);
    l.bready.write(true);
    l.rvalid.write(true);
    l.rready.write(true);
    tb.edge();
    l.bvalid.write(false);
    l.rvalid.write(false);
    f.bvalid.write(true);
    f.bready.write(true);
    tb.edge();
    f.bvalid.write(false);
  });
  EXPECT_EQ(rules(tb.lite_check), (std::multiset<std::string>{"B.unrequested", "R.unrequested"}));
  EXPECT_EQ(rules(tb.full_check), (std::multiset<std::string>{"B.unrequested"}));
}

TEST_F(RtlChecker, ValidDuringReset) {
  tb.run([&] {
    tb.cr.request_reset(4);
    l.awvalid.write(true);  // held through the reset
    l.awready.write(false);
    tb.edge();
    tb.edge();
    tb.edge();
    l.awvalid.write(false);
    tb.cr.reset(1);
  });
  const auto r = rules(tb.lite_check);
  EXPECT_GE(r.count("AW.valid_in_reset"), 1u) << tb.lite_check.summary();
  EXPECT_EQ(r.size(), r.count("AW.valid_in_reset")) << tb.lite_check.summary();
}

TEST_F(RtlChecker, BurstRules) {
  const struct {
    const char* what;
    std::function<void(RtlChecker&)> drive;
    std::multiset<std::string> want;
  } cases[] = {
      {"WLAST one beat early", [](RtlChecker& t) { t.full_write(0x1000, 3, 3, 1, 2, 0xff); }, {"W.wlast_position"}},
      {"no RLAST", [](RtlChecker& t) { t.full_read(0x1000, 3, 99); }, {"R.rlast_position"}},
      {"RLAST early", [](RtlChecker& t) { t.full_read(0x1000, 3, 0); }, {"R.rlast_position", "R.rlast_position"}},
      {"strobes outside a 2-byte beat's lanes", [](RtlChecker& t) { t.full_write(0x1002, 0, 1, 1, 0, 0x30); },
       {"W.strobe_lanes"}},
      {"INCR across 4 KiB", [](RtlChecker& t) { t.full_write(0x1ff8, 1, 3, 1, 1, 0xff); }, {"AW.illegal_burst"}},
      {"WRAP of 3 beats", [](RtlChecker& t) { t.full_write(0x1000, 2, 3, 2, 2, 0xff); }, {"AW.illegal_burst"}},
      {"data first, WLAST after 2 of 4 beats", [](RtlChecker& t) { t.full_write(0x1000, 3, 3, 1, 1, 0xff, true); },
       {"W.wlast_position"}},
      {"fine: one full beat", [](RtlChecker& t) { t.full_write(0x1000, 0, 3, 1, 0, 0xff); }, {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    tb.run([&] { c.drive(*this); });
    EXPECT_EQ(rules(tb.full_check), c.want) << tb.full_check.summary();
    EXPECT_TRUE(tb.lite_check.violations().empty());
  }
}

}  // namespace
}  // namespace cosim::rtl::test
