// ClockReset (period, synchronous reset sequence, reset requests during a
// reset) and IrqMonitor (INTx level changes, MSI/MSI-X request handshakes).
// The gated clock is exercised by the epf-test RTL tests (TimingBounds).
#include <gtest/gtest.h>

#include "adapters_bench.h"

namespace cosim::rtl::test {
namespace {

TEST(RtlClock, PeriodAndSynchronousReset) {
  auto& tb = AdapterBench::get();
  tb.run([&] {
    tb.cycles(1);
    const sc_core::sc_time t0 = sc_core::sc_time_stamp();
    const uint64_t c0 = tb.cr.cycles();
    tb.cycles(10);
    EXPECT_EQ(sc_core::sc_time_stamp() - t0, sc_core::sc_time(100, sc_core::SC_NS));
    EXPECT_EQ(tb.cr.cycles() - c0, 10u);
    EXPECT_EQ(sc_core::sc_time_stamp().value() % tb.cr.period().value(), 0u) << "rising edges on the period grid";
    // reset(3): low for three rising edges, changes just after an edge.
    EXPECT_TRUE(tb.cr.resetn.read());
    tb.cr.request_reset(3);
    EXPECT_TRUE(tb.cr.in_reset());
    uint64_t low_edges = 0;
    for (int i = 0; i < 10; ++i) {
      sc_core::wait(tb.cr.clk.posedge_event());
      if (!tb.cr.resetn.read()) ++low_edges;  // the value the design samples at this edge
    }
    EXPECT_EQ(low_edges, 3u);
    EXPECT_TRUE(tb.cr.resetn.read());
    EXPECT_FALSE(tb.cr.in_reset());
    // The peripherals came out of reset cleared.
    EXPECT_EQ(tb.axil_m.read32(0), 0u);
  });
}

TEST(RtlClock, ResetRequestedDuringAResetGetsItsOwn) {
  auto& tb = AdapterBench::get();
  tb.run([&] {
    tb.cr.request_reset(20);
    tb.cycles(2);
    ASSERT_TRUE(tb.cr.in_reset());
    const uint64_t c0 = tb.cr.cycles();
    tb.cr.reset(5);  // queued behind the running one: returns after both
    EXPECT_GE(tb.cr.cycles() - c0, 18u + 5u);
    EXPECT_TRUE(tb.cr.resetn.read());
  });
}

TEST(RtlIrq, IntxChangesAndMessageRequests) {
  auto& tb = AdapterBench::get();
  tb.run([&] {
    tb.irq_log.intx.clear();
    tb.irq_log.msgs.clear();
    tb.cycles(1);
    tb.irq_intx.write(true);
    tb.cycles(2);
    tb.irq_intx.write(false);
    tb.cycles(1);
    EXPECT_EQ(tb.irq_log.intx, (std::vector<bool>{true, false}));
    EXPECT_TRUE(tb.irq_ready.read());
    // One request per handshake: a two-cycle VALID is two messages.
    tb.irq_msix.write(false);
    tb.irq_vector.write(4);
    tb.irq_valid.write(true);
    tb.cycles(1);
    tb.irq_valid.write(false);
    tb.cycles(3);
    tb.irq_msix.write(true);
    tb.irq_vector.write(2047);
    tb.irq_valid.write(true);
    tb.cycles(1);
    tb.irq_vector.write(5);
    tb.cycles(1);
    tb.irq_valid.write(false);
    tb.cycles(3);
    ASSERT_EQ(tb.irq_log.msgs.size(), 3u);
    EXPECT_EQ(tb.irq_log.msgs[0], std::make_pair(false, 4u));
    EXPECT_EQ(tb.irq_log.msgs[1], std::make_pair(true, 2047u));
    EXPECT_EQ(tb.irq_log.msgs[2], std::make_pair(true, 5u));
    EXPECT_EQ(tb.irq.msi_count(), 1u);
    EXPECT_EQ(tb.irq.msix_count(), 2u);
  });
}

}  // namespace
}  // namespace cosim::rtl::test
