// AXI4 master pins -> TLM adapter, driven by axi_burst_master: INCR bursts of
// 1..256 beats, narrow and unaligned transfers, FIXED and WRAP bursts, data
// before address, RREADY/BREADY back-pressure, DECERR from refused memory,
// an illegal burst, and memory latency; Axi4Checker attached throughout.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <vector>

#include "adapters_bench.h"

namespace cosim::rtl::test {
namespace {

struct Burst {
  bool write = false;
  uint64_t addr = kMemBase;
  unsigned len = 0;   // AxLEN
  unsigned size = 3;  // AxSIZE
  unsigned burst = 1; // INCR
  uint64_t seed = 0x0807060504030201ull;
  bool w_first = false;
  bool stall = false;
};

struct Result {
  unsigned resp = 0;
  unsigned beats = 0;
  bool rlast_ok = false;
  std::vector<uint64_t> data;  // read beats
};

// The byte addresses a beat covers, computed here independently of the
// adapter's burst code: first beat from the start address to the end of its
// size-aligned unit; later beats whole units; FIXED repeats, WRAP wraps.
std::vector<uint64_t> beat_bytes(const Burst& b, unsigned n) {
  const uint64_t nb = 1ull << b.size, total = nb * (b.len + 1);
  uint64_t start;
  if (b.burst == 0 || n == 0) {
    start = b.addr;
  } else {
    start = b.addr / nb * nb + n * nb;
    if (b.burst == 2) {
      const uint64_t lo = b.addr / total * total;
      if (start >= lo + total) start -= total;
    }
  }
  std::vector<uint64_t> out;
  for (uint64_t a = start; a < start / nb * nb + nb; ++a) out.push_back(a);
  return out;
}

class RtlAxiMaster : public ::testing::Test {
 protected:
  AdapterBench& tb = AdapterBench::get();
  void TearDown() override { EXPECT_TRUE(tb.axi_check.violations().empty()) << tb.axi_check.summary(); }
  std::span<uint8_t> mem(uint64_t a, uint64_t n) { return tb.host.bytes(a, n); }

  // Runs one burst through the RTL master (simulation context).
  Result burst(const Burst& b) {
    tb.cmd_write.write(b.write);
    tb.cmd_addr.write(b.addr);
    tb.cmd_len.write(b.len);
    tb.cmd_size.write(b.size);
    tb.cmd_burst.write(b.burst);
    tb.cmd_seed.write(b.seed);
    tb.cmd_w_first.write(b.w_first);
    tb.cmd_stall.write(b.stall);
    tb.cmd_valid.write(true);
    do sc_core::wait(tb.cr.clk.posedge_event());
    while (!tb.cmd_ready.read());
    tb.cmd_valid.write(false);
    tb.cycles(1);
    while (!tb.done.read()) tb.cycles(1);
    Result r;
    r.resp = tb.resp.read();
    r.beats = tb.beats.read();
    r.rlast_ok = tb.rlast_ok.read();
    for (unsigned i = 0; i < r.beats && !b.write; ++i) {
      tb.rd_index.write(i);
      sc_core::wait(sc_core::SC_ZERO_TIME);
      sc_core::wait(sc_core::SC_ZERO_TIME);
      r.data.push_back(tb.rd_word.read());
    }
    return r;
  }
  // What a write burst leaves in memory, from the master's data rule.
  static std::vector<std::pair<uint64_t, uint8_t>> expected_writes(const Burst& b) {
    std::vector<std::pair<uint64_t, uint8_t>> out;
    for (unsigned n = 0; n <= b.len; ++n) {
      const uint64_t data = b.seed + n * 0x0101010101010101ull;
      for (uint64_t a : beat_bytes(b, n)) out.emplace_back(a, static_cast<uint8_t>(data >> (8 * (a % 8))));
    }
    return out;
  }
  void check_write(const Burst& b) {
    for (const auto& [a, v] : expected_writes(b)) {
      mem(a, 1)[0] = static_cast<uint8_t>(~v);  // make sure the burst does write it
    }
    const Result r = burst(b);
    EXPECT_EQ(r.resp, 0u);
    EXPECT_EQ(r.beats, b.len + 1);
    // Later beats win (FIXED/WRAP may hit a byte twice).
    std::map<uint64_t, uint8_t> want;
    for (const auto& [a, v] : expected_writes(b)) want[a] = v;
    for (const auto& [a, v] : want) ASSERT_EQ(mem(a, 1)[0], v) << "byte 0x" << std::hex << a;
  }
  void check_read(const Burst& b) {
    const Result r = burst(b);
    EXPECT_EQ(r.resp, 0u);
    EXPECT_TRUE(r.rlast_ok);
    ASSERT_EQ(r.beats, b.len + 1);
    for (unsigned n = 0; n <= b.len; ++n)
      for (uint64_t a : beat_bytes(b, n))
        ASSERT_EQ(static_cast<uint8_t>(r.data[n] >> (8 * (a % 8))), mem(a, 1)[0])
            << "beat " << n << " byte 0x" << std::hex << a;
  }
};

TEST_F(RtlAxiMaster, IncrBurstsOfManyLengths) {
  fill_random(mem(kMemBase, 0x4000), 9);
  tb.run([&] {
    for (unsigned len : {0u, 1u, 2u, 3u, 7u, 15u, 16u, 63u, 127u, 254u, 255u}) {
      SCOPED_TRACE(len);
      Burst w;
      w.write = true;
      w.addr = kMemBase + 0x1000;
      w.len = len;
      w.seed = 0x1111111111111111ull * (len + 1);
      const uint64_t transports = tb.axi2tlm.write_transports();
      check_write(w);
      EXPECT_EQ(tb.axi2tlm.write_transports() - transports, 1u) << "one TLM write per INCR burst";
      Burst r = w;
      r.write = false;
      const uint64_t reads = tb.axi2tlm.read_transports();
      check_read(r);
      EXPECT_EQ(tb.axi2tlm.read_transports() - reads, 1u) << "one TLM read per INCR burst";
    }
  });
}

TEST_F(RtlAxiMaster, NarrowAndUnalignedBursts) {
  fill_random(mem(kMemBase, 0x4000), 10);
  tb.run([&] {
    for (unsigned size : {0u, 1u, 2u, 3u})
      for (uint64_t off : {0ull, 1ull, 3ull, 6ull})
        for (unsigned len : {0u, 1u, 5u, 9u}) {
          SCOPED_TRACE(testing::Message() << "size " << size << " offset " << off << " len " << len);
          Burst w;
          w.write = true;
          w.addr = kMemBase + 0x2000 + off;
          w.len = len;
          w.size = size;
          w.seed = 0xa5a5a5a500000000ull + off * 16 + len;
          check_write(w);
          Burst r = w;
          r.write = false;
          check_read(r);
        }
  });
}

TEST_F(RtlAxiMaster, FixedAndWrapBursts) {
  fill_random(mem(kMemBase, 0x4000), 11);
  tb.run([&] {
    Burst f;
    f.burst = 0;
    f.addr = kMemBase + 0x3008;
    f.len = 3;
    f.write = true;
    check_write(f);  // four beats to one address: the last one stays
    f.write = false;
    check_read(f);
    for (unsigned len : {1u, 3u, 7u, 15u}) {
      SCOPED_TRACE(len);
      Burst w;
      w.burst = 2;
      w.write = true;
      w.len = len;
      w.addr = kMemBase + 0x3100 + 8 * ((len + 1) / 2);  // start mid-way: the burst wraps
      check_write(w);
      w.write = false;
      check_read(w);
    }
  });
}

TEST_F(RtlAxiMaster, DataBeforeAddressAndBackPressure) {
  fill_random(mem(kMemBase, 0x4000), 12);
  tb.run([&] {
    for (bool w_first : {false, true})
      for (bool stall : {false, true}) {
        SCOPED_TRACE(testing::Message() << "w_first " << w_first << " stall " << stall);
        Burst w;
        w.write = true;
        w.addr = kMemBase + 0x800 + 5;
        w.len = 40;
        w.w_first = w_first;
        w.stall = stall;
        check_write(w);
        Burst r = w;
        r.write = false;
        check_read(r);
      }
  });
}

TEST_F(RtlAxiMaster, RefusedMemoryAnswersDecerr) {
  tb.run([&] {
    Burst w;
    w.write = true;
    w.addr = kRefused - 16;
    w.len = 7;  // 64 bytes over the 16 refused ones
    Result r = burst(w);
    EXPECT_EQ(r.resp, 3u) << "DECERR";
    EXPECT_EQ(r.beats, 8u);
    Burst rd = w;
    rd.write = false;
    r = burst(rd);
    EXPECT_EQ(r.resp, 3u) << "DECERR";
    EXPECT_TRUE(r.rlast_ok) << "all beats are still sent";
    EXPECT_EQ(r.beats, 8u);
    rd.addr = 0x10;  // outside all memory
    EXPECT_EQ(burst(rd).resp, 3u);
  });
}

TEST_F(RtlAxiMaster, IllegalBurstIsSlverrAndFlagged) {
  tb.run([&] {
    Burst r;
    r.addr = kMemBase + 0xff8;  // 2 beats of 8 bytes cross 4 KiB
    r.len = 1;
    const uint64_t transports = tb.axi2tlm.read_transports();
    const Result res = burst(r);
    EXPECT_EQ(res.resp, 2u) << "SLVERR";
    EXPECT_EQ(tb.axi2tlm.read_transports(), transports) << "no TLM traffic for an illegal burst";
    ASSERT_EQ(tb.axi_check.violations().size(), 1u) << tb.axi_check.summary();
    EXPECT_EQ(tb.axi_check.violations()[0].rule, "AR.illegal_burst");
    tb.axi_check.clear();
  });
}

TEST_F(RtlAxiMaster, MemoryLatencyDelaysTheData) {
  fill_random(mem(kMemBase, 0x100), 13);
  tb.run([&] {
    tb.mem.latency = sc_core::sc_time(500, sc_core::SC_NS);
    Burst r;
    r.len = 3;
    const uint64_t c0 = tb.cr.cycles();
    check_read(r);
    EXPECT_GE(tb.cr.cycles() - c0, 50u) << "500 ns at 10 ns a cycle";
    tb.mem.latency = sc_core::SC_ZERO_TIME;
  });
}

}  // namespace
}  // namespace cosim::rtl::test
