// The longer epf-test RTL runs (label "slow"): pcitest's largest transfer
// sizes, 1024000 and 1024001 bytes, for READ, WRITE and COPY, and the BAR
// test over every word of the 128 KiB and 1 MiB BARs.
#include <gtest/gtest.h>

#include "epf_bench.h"

namespace cosim::rtl::test {
namespace {

using namespace epf_test;

class EpfRtlLong : public ::testing::Test {
 protected:
  EpfBench& tb = EpfBench::get();
  void SetUp() override {
    tb.run([&] { tb.reset(); });
  }
  void TearDown() override { EXPECT_EQ(tb.dut.axi_violations(), 0u) << tb.dut.axi_violation_summary(); }
  std::span<uint8_t> mem(uint64_t addr, uint64_t size) { return tb.host.bytes(addr, size); }
};

const sc_core::sc_time kLimit(200, sc_core::SC_MS);

TEST_F(EpfRtlLong, LargeTransfers) {
  fill_random(mem(kHighBase, 1024001), 11);
  uint32_t writes = 0;
  for (uint32_t size : {1024000u, 1024001u}) {
    SCOPED_TRACE(size);
    tb.run(
        [&] {
          // READ from above 4 GiB.
          tb.wr(kStatus, 0);
          tb.wr(kChecksum, crc32_le(~0u, mem(kHighBase, size).data(), size));
          tb.command(kCmdRead, kHighBase, 0, size, kIrqMsi, 1);
          EXPECT_EQ(tb.rd(kStatus), kStReadSuccess | kStIrqRaised);
          // WRITE below 4 GiB.
          tb.wr(kStatus, 0);
          tb.command(kCmdWrite, 0, kLowBase + 1, size, kIrqMsi, 1);
          EXPECT_EQ(tb.rd(kStatus), kStWriteSuccess | kStIrqRaised);
          const auto want = rtl_write_pattern(bench_config().write_seed, writes++, size);
          EXPECT_TRUE(std::equal(want.begin(), want.end(), mem(kLowBase + 1, size).begin()));
          EXPECT_EQ(tb.rd(kChecksum), crc32_le(~0u, want.data(), size));
          // COPY across (different alignments), past the refused page.
          tb.wr(kStatus, 0);
          tb.command(kCmdCopy, kHighBase, kRefusedBase + kRefusedSize + 6, size, kIrqMsix, 5);
          EXPECT_EQ(tb.rd(kStatus), kStCopySuccess | kStIrqRaised);
          EXPECT_TRUE(std::equal(mem(kHighBase, size).begin(), mem(kHighBase, size).end(),
                                 mem(kRefusedBase + kRefusedSize + 6, size).begin()));
          ASSERT_EQ(tb.irq.events.size(), 3u);
          EXPECT_TRUE(tb.irq.events[2].msix);
          EXPECT_EQ(tb.irq.events[2].vector, 4u);
          tb.irq.events.clear();
        },
        kLimit);
  }
}

TEST_F(EpfRtlLong, EveryWordOfTheLargeBars) {
  for (unsigned bar : {4u, 5u}) {
    SCOPED_TRACE(bar);
    tb.run(
        [&] {
          auto& m = *tb.bar[bar];
          const uint64_t size = EpfTestRtl::kRtlBarBytes[bar];
          for (uint64_t off = 0; off < size; off += 4) ASSERT_EQ(m.write(off, 0xA0A0A0A0u, 4), tlm::TLM_OK_RESPONSE);
          for (uint64_t off = 0; off < size; off += 4) ASSERT_EQ(m.read32(off), 0xA0A0A0A0u) << std::hex << off;
        },
        sc_core::sc_time(2, sc_core::SC_SEC));
  }
}

}  // namespace
}  // namespace cosim::rtl::test
