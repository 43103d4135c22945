// The epf-test RTL against shared/specs/epf-test.md and the native model:
// registers, BAR memories, every command and its STATUS bits, interrupts
// (INTx level, MSI, MSI-X), DMA data and CRC at many sizes and alignments,
// invalid addresses, reset, and timing bounds; AXI checkers on throughout.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "epf_bench.h"
#include "native/epf_test_native.h"

namespace cosim::rtl::test {
namespace {

using namespace epf_test;

class EpfRtl : public ::testing::Test {
 protected:
  EpfBench& tb = EpfBench::get();
  void SetUp() override {
    tb.run([&] { tb.reset(); });
  }
  void TearDown() override {
    EXPECT_EQ(tb.dut.axi_violations(), 0u) << tb.dut.axi_violation_summary();
  }
  std::span<uint8_t> mem(uint64_t addr, uint64_t size) { return tb.host.bytes(addr, size); }
};

constexpr Reg kAllRegs[] = {kMagic,     kCommand,   kStatus,   kSrcAddrLo, kSrcAddrHi, kDstAddrLo,
                            kDstAddrHi, kSize,      kChecksum, kIrqType,   kIrqNumber, kFlags};

TEST_F(EpfRtl, RegistersAreZeroAfterReset) {
  tb.run([&] {
    for (Reg r : kAllRegs) tb.wr(r == kCommand ? kFlags : r, 0xffffffffu);  // dirty them (not COMMAND)
    tb.reset();
    for (Reg r : kAllRegs) EXPECT_EQ(tb.rd(r), 0u) << "register 0x" << std::hex << r;
  });
}

TEST_F(EpfRtl, PlainRegistersStoreWhatIsWritten) {
  tb.run([&] {
    const Reg plain[] = {kMagic, kSrcAddrLo, kSrcAddrHi, kDstAddrLo, kDstAddrHi, kSize, kChecksum, kIrqType,
                         kIrqNumber, kFlags, kStatus};
    uint32_t v = 0x01234567;
    for (Reg r : plain) {
      v = v * 2654435761u + 0x9e37;
      tb.wr(r, v);
      EXPECT_EQ(tb.rd(r), v) << "register 0x" << std::hex << r;
    }
  });
}

TEST_F(EpfRtl, ByteAndHalfwordAccessesMergeIntoRegisters) {
  tb.run([&] {
    auto& b0 = *tb.bar[0];
    tb.wr(kMagic, 0x11223344);
    EXPECT_EQ(b0.write(kMagic + 1, 0xaa, 1), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(tb.rd(kMagic), 0x1122aa44u);
    EXPECT_EQ(b0.write(kMagic + 2, 0xbbcc, 2), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(tb.rd(kMagic), 0xbbccaa44u);
    uint64_t v = 0;
    EXPECT_EQ(b0.read(kMagic + 3, v, 1), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(v, 0xbbu);
    EXPECT_EQ(b0.read(kMagic + 1, v, 2), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(v, 0xccaau);
    // An 8-byte access spans two registers (two AXI4-Lite beats).
    EXPECT_EQ(b0.write(kSrcAddrLo, 0x0000'0001'8000'0040ull, 8), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(tb.rd(kSrcAddrLo), 0x8000'0040u);
    EXPECT_EQ(tb.rd(kSrcAddrHi), 0x1u);
    EXPECT_EQ(b0.read(kSrcAddrLo, v, 8), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(v, 0x0000'0001'8000'0040ull);
    // Byte enables: only the enabled bytes of a 4-byte write land.
    unsigned char data[4] = {0x01, 0x02, 0x03, 0x04};
    EXPECT_EQ(b0.transport(true, kFlags, data, 4, {0xff, 0x00, 0xff, 0x00}), tlm::TLM_OK_RESPONSE);
    tb.wr(kMagic, 0);
    EXPECT_EQ(tb.rd(kFlags) & 0x00ff00ffu, 0x00030001u);
  });
}

// Random register traffic (sizes 1/2/4/8, any alignment inside the block,
// COMMAND excluded) gives the same register file as the native model.
TEST_F(EpfRtl, RegisterTrafficMatchesNativeModel) {
  tb.run([&] {
    NativeEpfTest native(bench_config());
    FakeHost host;
    native.attach(&host);
    std::mt19937 rng(7);
    for (int i = 0; i < 300; ++i) {
      const unsigned size = 1u << (rng() % 4);
      uint32_t off = rng() % kRegBlockBytes;
      off -= off % size;
      if (off + size > kRegBlockBytes) continue;
      // Keep COMMAND out: a command is checked by the command tests.
      if (off < kCommand + 4 && off + size > kCommand) continue;
      const uint64_t value = (uint64_t{rng()} << 32) | rng();
      const bool write = rng() % 2;
      if (write) {
        ASSERT_TRUE(native.bar_write(0, off, size, value).is_ok());
        ASSERT_EQ(tb.bar[0]->write(off, value, size), tlm::TLM_OK_RESPONSE);
      } else {
        uint64_t want = 0, got = 0;
        ASSERT_TRUE(native.bar_read(0, off, size, want).is_ok());
        ASSERT_EQ(tb.bar[0]->read(off, got, size), tlm::TLM_OK_RESPONSE);
        ASSERT_EQ(got, want) << "read of " << size << " bytes at 0x" << std::hex << off;
      }
    }
    for (Reg r : kAllRegs) {
      uint64_t want = 0;
      ASSERT_TRUE(native.bar_read(0, r, 4, want).is_ok());
      EXPECT_EQ(tb.rd(r), want) << "register 0x" << std::hex << r;
    }
  });
}

TEST_F(EpfRtl, Bar0MemoryAfterTheRegisters) {
  tb.run([&] {
    for (uint32_t off = kRegBlockBytes; off < EpfTestRtl::kRtlBarBytes[0]; off += 4) tb.wr(off, off * 0x01010101u);
    for (uint32_t off = kRegBlockBytes; off < EpfTestRtl::kRtlBarBytes[0]; off += 4)
      ASSERT_EQ(tb.rd(off), off * 0x01010101u) << "offset 0x" << std::hex << off;
    uint64_t v = 0;
    EXPECT_EQ(tb.bar[0]->read(EpfTestRtl::kRtlBarBytes[0], v, 4), tlm::TLM_GENERIC_ERROR_RESPONSE)
        << "beyond the RTL's BAR0: SLVERR";
  });
}

// pcitest -b N: 0xA0A0A0A0 to every word, then read every word back (BAR1..3
// fully here; BAR4/5 every 61st word, fully in the long test).
TEST_F(EpfRtl, BarMemories) {
  tb.run(
      [&] {
        for (unsigned bar = 1; bar < kNumBars; ++bar) {
          const uint64_t size = EpfTestRtl::kRtlBarBytes[bar];
          const uint64_t step = bar <= 3 ? 4 : 4 * 61;
          auto& m = *tb.bar[bar];
          for (uint64_t off = 0; off < size; off += step)
            ASSERT_EQ(m.write(off, 0xA0A0A0A0u ^ static_cast<uint32_t>(off), 4), tlm::TLM_OK_RESPONSE);
          ASSERT_EQ(m.write(size - 4, 0x5a5a5a5a, 4), tlm::TLM_OK_RESPONSE);
          for (uint64_t off = 0; off + 4 < size; off += step)
            ASSERT_EQ(m.read32(off), 0xA0A0A0A0u ^ static_cast<uint32_t>(off)) << "BAR" << bar << " 0x" << std::hex << off;
          EXPECT_EQ(m.read32(size - 4), 0x5a5a5a5au);
          uint64_t v = 0;
          EXPECT_EQ(m.read(size, v, 4), tlm::TLM_GENERIC_ERROR_RESPONSE) << "BAR" << bar << " beyond its RAM";
          EXPECT_EQ(m.write(size, 1, 4), tlm::TLM_GENERIC_ERROR_RESPONSE) << "BAR" << bar << " beyond its RAM";
        }
        // Sub-word and double-word accesses.
        auto& m = *tb.bar[2];
        ASSERT_EQ(m.write(0x10, 0x1122334455667788ull, 8), tlm::TLM_OK_RESPONSE);
        uint64_t v = 0;
        ASSERT_EQ(m.read(0x10, v, 8), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(v, 0x1122334455667788ull);
        ASSERT_EQ(m.write(0x13, 0xab, 1), tlm::TLM_OK_RESPONSE);
        ASSERT_EQ(m.write(0x16, 0xcdef, 2), tlm::TLM_OK_RESPONSE);
        ASSERT_EQ(m.read(0x10, v, 8), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(v, 0xcdef3344ab667788ull);
      },
      sc_core::sc_time(200, sc_core::SC_MS));
}

// ---- Interrupts (spec, "Interrupt rules the driver relies on") ------------

TEST_F(EpfRtl, RaiseIntxIsALevelUntilTheHandlerClearsIrqRaised) {
  tb.run([&] {
    EXPECT_FALSE(tb.intx_line.read());
    tb.wr(kCommand, kCmdRaiseIntx);
    tb.wait_idle();
    EXPECT_EQ(tb.rd(kCommand), 0u) << "accepted";
    EXPECT_EQ(tb.rd(kStatus), kStIrqRaised);
    EXPECT_TRUE(tb.intx_line.read());
    // A write that keeps IRQ_RAISED keeps the level.
    tb.wr(kStatus, kStIrqRaised | kStReadSuccess);
    EXPECT_TRUE(tb.intx_line.read());
    // The handler writes STATUS back with IRQ_RAISED cleared: the level drops.
    tb.wr(kStatus, kStReadSuccess);
    EXPECT_FALSE(tb.intx_line.read());
    EXPECT_EQ(tb.rd(kStatus), kStReadSuccess);
    EXPECT_TRUE(tb.irq.events.empty());
  });
}

TEST_F(EpfRtl, RaiseMsiAndMsixSendTheVectorAskedFor) {
  tb.run([&] {
    const struct {
      uint32_t cmd, number;
      bool raised;
    } cases[] = {{kCmdRaiseMsi, 1, true},     {kCmdRaiseMsi, 32, true},     {kCmdRaiseMsi, 0, false},
                 {kCmdRaiseMsi, 33, false},   {kCmdRaiseMsix, 1, true},     {kCmdRaiseMsix, 2048, true},
                 {kCmdRaiseMsix, 2049, false}, {kCmdRaiseMsix, 0, false},   {kCmdRaiseMsix, 77, true}};
    for (const auto& c : cases) {
      tb.irq.events.clear();
      tb.wr(kStatus, 0);
      tb.wr(kIrqNumber, c.number);
      tb.wr(kCommand, c.cmd);
      tb.wait_idle();
      EXPECT_EQ(tb.rd(kStatus), c.raised ? kStIrqRaised : 0u) << "command 0x" << std::hex << c.cmd << " number " << std::dec << c.number;
      if (c.raised) {
        ASSERT_EQ(tb.irq.events.size(), 1u);
        EXPECT_EQ(tb.irq.events[0].msix, c.cmd == kCmdRaiseMsix);
        EXPECT_EQ(tb.irq.events[0].vector, c.number - 1);
      } else {
        EXPECT_TRUE(tb.irq.events.empty());
      }
      EXPECT_FALSE(tb.intx_line.read());
    }
  });
}

// ---- Commands against the native model ----------------------------------------

// One scenario: registers, then COMMAND.
struct Scenario {
  const char* what;
  uint32_t command;
  uint64_t src = kLowBase;
  uint64_t dst = kHighBase;
  uint32_t size = 100;
  uint32_t irq_type = kIrqMsi;
  uint32_t irq_number = 1;
  bool right_checksum = true;  // READ: CHECKSUM = CRC of the source
};

TEST_F(EpfRtl, CommandsMatchNativeModel) {
  const Scenario scenarios[] = {
      {"READ", kCmdRead},
      {"READ wrong checksum", kCmdRead, kLowBase, kHighBase, 100, kIrqMsi, 1, false},
      {"READ over INTx", kCmdRead, kLowBase + 3, kHighBase, 4097, kIrqIntx},
      {"READ over MSI-X", kCmdRead, kLowBase + 1, kHighBase, 1025, kIrqMsix, 2048},
      {"READ refused source", kCmdRead, kRefusedBase, kHighBase, 64},
      {"READ outside memory", kCmdRead, 0x4000'0000, kHighBase, 64},
      {"READ running off memory", kCmdRead, kLowBase + kRegionSize - 100, kHighBase, 1000},
      {"READ size 0", kCmdRead, kLowBase, kHighBase, 0},
      {"READ size too big", kCmdRead, kLowBase, kHighBase, kMaxTransfer + 1},
      {"READ wrapping", kCmdRead, ~uint64_t{0} - 10, kHighBase, 100},
      {"COPY", kCmdCopy, kLowBase + 5, kHighBase + 0x800 + 3, 3000},
      {"COPY refused destination", kCmdCopy, kLowBase, kRefusedBase + 8, 64},
      {"COPY refused source", kCmdCopy, kRefusedBase, kHighBase, 64},
      {"COPY wrapping destination", kCmdCopy, kLowBase, ~uint64_t{0} - 10, 100},
      {"WRITE outside memory", kCmdWrite, kLowBase, 0x4000'0000, 64},
      {"WRITE size 0", kCmdWrite, kLowBase, kHighBase, 0},
      {"WRITE over INTx", kCmdWrite, kLowBase, kHighBase + 0x10000, 1000, kIrqIntx},
      {"no command bit", 0x40},
      {"IRQ_TYPE 3 drops the command", kCmdRead, kLowBase, kHighBase, 100, 3},
      {"RAISE_INTX beats every other bit", 0x3f},
      {"WRITE beats READ and COPY", kCmdWrite | kCmdRead | kCmdCopy, kLowBase, kHighBase + 0x20000, 64},
      {"READ beats COPY", kCmdRead | kCmdCopy},
      {"COPY beats RAISE_MSI", kCmdCopy | kCmdRaiseMsi, kLowBase, kHighBase + 0x30000, 64},
      {"RAISE_MSI beats RAISE_MSIX", kCmdRaiseMsi | kCmdRaiseMsix, kLowBase, kHighBase, 1, kIrqMsi, 7},
      {"RAISE_MSIX", kCmdRaiseMsix, kLowBase, kHighBase, 1, kIrqMsi, 2000},
      {"MSI vector out of range", kCmdRead, kLowBase, kHighBase, 8, kIrqMsi, 33},
  };
  FakeHost native_host;
  native_host.add_region(kLowBase, kRegionSize);
  native_host.add_region(kHighBase, kRegionSize);
  native_host.make_invalid(kRefusedBase, kRefusedSize);
  NativeEpfTest native(bench_config());
  native.attach(&native_host);
  // Same source data on both sides.
  fill_random(mem(kLowBase, 0x10000), 1);
  fill_random(native_host.bytes(kLowBase, 0x10000), 1);

  for (const Scenario& sc : scenarios) {
    SCOPED_TRACE(sc.what);
    uint32_t checksum = 0x12345678;
    if (sc.command & kCmdRead && sc.right_checksum && sc.size <= 0x10000 && sc.src >= kLowBase &&
        sc.src - kLowBase <= 0x10000 - sc.size)
      checksum = crc32_le(~0u, mem(sc.src, sc.size).data(), sc.size);
    auto program = [&](auto&& write) {
      write(kStatus, 0u);
      write(kSrcAddrLo, static_cast<uint32_t>(sc.src));
      write(kSrcAddrHi, static_cast<uint32_t>(sc.src >> 32));
      write(kDstAddrLo, static_cast<uint32_t>(sc.dst));
      write(kDstAddrHi, static_cast<uint32_t>(sc.dst >> 32));
      write(kSize, sc.size);
      write(kChecksum, checksum);
      write(kIrqType, sc.irq_type);
      write(kIrqNumber, sc.irq_number);
      write(kCommand, sc.command);
    };
    native_host.clear_records();
    program([&](uint32_t off, uint32_t v) { ASSERT_TRUE(native.bar_write(0, off, 4, v).is_ok()); });
    tb.irq.events.clear();
    tb.run([&] {
      program([&](uint32_t off, uint32_t v) { tb.wr(off, v); });
      tb.wait_idle();
      for (Reg r : kAllRegs) {
        if (r == kChecksum && (sc.command & kCmdWrite) && !(sc.command & kCmdRaiseIntx)) continue;  // own pattern
        uint64_t want = 0;
        ASSERT_TRUE(native.bar_read(0, r, 4, want).is_ok());
        EXPECT_EQ(tb.rd(r), want) << "register 0x" << std::hex << r;
      }
      EXPECT_EQ(tb.intx_line.read(), native.intx_level());
      std::vector<uint32_t> msi, msix;
      for (const auto& e : tb.irq.events) (e.msix ? msix : msi).push_back(e.vector);
      EXPECT_EQ(msi, native_host.msi);
      EXPECT_EQ(msix, native_host.msix);
      // Acknowledge as the driver does, so the next scenario starts quiet.
      tb.wr(kStatus, 0);
      EXPECT_FALSE(tb.intx_line.read());
    });
    ASSERT_TRUE(native.bar_write(0, kStatus, 4, 0).is_ok());
  }
  // COPY moved the same bytes.
  EXPECT_TRUE(std::equal(mem(kHighBase + 0x800 + 3, 3000).begin(), mem(kHighBase + 0x800 + 3, 3000).end(),
                         native_host.bytes(kHighBase + 0x800 + 3, 3000).begin()));
}

// ---- DMA data -------------------------------------------------------------------

constexpr uint32_t kSizes[] = {1, 2, 7, 8, 9, 63, 1023, 1024, 1025, 2047, 2048, 2049, 4096, 4097, 65536 + 5};
constexpr uint32_t kOffsets[] = {0, 1, 3, 7, 0xff9};

TEST_F(EpfRtl, ReadComputesLinuxCrc32AtAllSizesAndAlignments) {
  fill_random(mem(kHighBase, 0x20000), 2);
  tb.run(
      [&] {
        for (uint32_t size : kSizes)
          for (uint32_t off : kOffsets) {
            const uint64_t src = kHighBase + off;
            tb.wr(kStatus, 0);
            tb.wr(kChecksum, crc32_le(~0u, mem(src, size).data(), size));
            tb.irq.events.clear();
            tb.command(kCmdRead, src, 0, size, kIrqMsi, 3);
            EXPECT_EQ(tb.rd(kStatus), kStReadSuccess | kStIrqRaised) << "size " << size << " offset " << off;
            ASSERT_EQ(tb.irq.events.size(), 1u);
            EXPECT_EQ(tb.irq.events[0].vector, 2u);
          }
        // One bit off: READ_FAIL, interrupt all the same.
        tb.wr(kChecksum, crc32_le(~0u, mem(kHighBase, 1025).data(), 1025) ^ 1);
        tb.command(kCmdRead, kHighBase, 0, 1025);
        EXPECT_EQ(tb.rd(kStatus), kStReadFail | kStIrqRaised);
      },
      sc_core::sc_time(500, sc_core::SC_MS));
}

TEST_F(EpfRtl, WriteStoresThePatternAndItsCrc) {
  tb.run(
      [&] {
        uint32_t count = 0;
        for (uint32_t size : kSizes)
          for (uint32_t off : kOffsets) {
            const uint64_t dst = kLowBase + 0x20000 + off;
            auto around = mem(dst - 16, size + 32);
            std::fill(around.begin(), around.end(), uint8_t{0xee});
            tb.wr(kStatus, 0);
            tb.command(kCmdWrite, 0, dst, size, kIrqMsix, 9);
            const auto want = rtl_write_pattern(bench_config().write_seed, count++, size);
            ASSERT_EQ(tb.rd(kStatus), kStWriteSuccess | kStIrqRaised) << "size " << size << " offset " << off;
            EXPECT_TRUE(std::equal(want.begin(), want.end(), mem(dst, size).begin())) << "size " << size << " offset " << off;
            EXPECT_EQ(tb.rd(kChecksum), crc32_le(~0u, want.data(), size));
            for (int i = 0; i < 16; ++i) {
              EXPECT_EQ(around[i], 0xee) << "byte before the buffer, size " << size << " offset " << off;
              EXPECT_EQ(around[16 + size + i], 0xee) << "byte after the buffer, size " << size << " offset " << off;
            }
          }
      },
      sc_core::sc_time(500, sc_core::SC_MS));
}

TEST_F(EpfRtl, CopyMovesEveryByteAtAllAlignments) {
  fill_random(mem(kHighBase, 0x20000), 3);
  tb.run(
      [&] {
        for (uint32_t size : kSizes)
          for (uint32_t soff : {0u, 5u, 0xff9u})
            for (uint32_t doff : {0u, 3u, 7u, 0x7fdu}) {
              const uint64_t src = kHighBase + soff, dst = kLowBase + 0x40000 + doff;
              auto around = mem(dst - 16, size + 32);
              std::fill(around.begin(), around.end(), uint8_t{0xee});
              tb.wr(kStatus, 0);
              tb.command(kCmdCopy, src, dst, size);
              ASSERT_EQ(tb.rd(kStatus), kStCopySuccess | kStIrqRaised) << "size " << size;
              EXPECT_TRUE(std::equal(mem(src, size).begin(), mem(src, size).end(), mem(dst, size).begin()))
                  << "size " << size << " src+" << soff << " dst+" << doff;
              for (int i = 0; i < 16; ++i) {
                ASSERT_EQ(around[i], 0xee) << "size " << size << " src+" << soff << " dst+" << doff;
                ASSERT_EQ(around[16 + size + i], 0xee) << "size " << size << " src+" << soff << " dst+" << doff;
              }
            }
      },
      sc_core::sc_time(1000, sc_core::SC_MS));
}

// The interrupt comes after the last write burst's response: the data is in
// memory when the handler runs.
TEST_F(EpfRtl, CompletionInterruptFollowsTheData) {
  fill_random(mem(kHighBase, 70000), 4);
  tb.run([&] {
    bool data_there = false;
    tb.irq.on_event = [&](const IrqRecorder::Event&) {
      data_there = std::equal(mem(kHighBase, 70000).begin(), mem(kHighBase, 70000).end(), mem(kLowBase, 70000).begin());
    };
    tb.command(kCmdCopy, kHighBase, kLowBase, 70000, kIrqMsi, 2);
    ASSERT_EQ(tb.irq.events.size(), 1u);
    EXPECT_TRUE(data_there);
    tb.irq.on_event = nullptr;
  });
}

TEST_F(EpfRtl, TransferCompletionOverIntx) {
  fill_random(mem(kLowBase, 4096), 5);
  tb.run([&] {
    tb.wr(kChecksum, crc32_le(~0u, mem(kLowBase, 4096).data(), 4096));
    tb.command(kCmdRead, kLowBase, 0, 4096, kIrqIntx);
    EXPECT_EQ(tb.rd(kStatus), kStReadSuccess | kStIrqRaised);
    EXPECT_TRUE(tb.intx_line.read());
    EXPECT_TRUE(tb.irq.events.empty());
    tb.wr(kStatus, kStReadSuccess);
    EXPECT_FALSE(tb.intx_line.read());
  });
}

TEST_F(EpfRtl, FailedTransfersStillInterrupt) {
  tb.run([&] {
    tb.command(kCmdWrite, 0, kRefusedBase - 100, 1000, kIrqMsi, 4);  // runs into the refused page
    EXPECT_EQ(tb.rd(kStatus), kStDstAddrInvalid | kStWriteFail | kStIrqRaised);
    EXPECT_EQ(tb.rd(kChecksum), 0u) << "CHECKSUM only on success";
    tb.wr(kStatus, 0);
    tb.command(kCmdCopy, 0x7000'0000, kLowBase, 100, kIrqMsi, 4);
    EXPECT_EQ(tb.rd(kStatus), kStSrcAddrInvalid | kStCopyFail | kStIrqRaised);
    ASSERT_EQ(tb.irq.events.size(), 2u);
    EXPECT_EQ(tb.irq.events[1].vector, 3u);
  });
}

TEST_F(EpfRtl, ResetClearsRegistersNotBarMemory) {
  tb.run([&] {
    tb.wr(kMagic, 0xfeedface);
    tb.wr(kCommand, kCmdRaiseIntx);
    tb.wait_idle();
    ASSERT_TRUE(tb.intx_line.read());
    ASSERT_EQ(tb.bar[1]->write(0x40, 0xcafe, 4), tlm::TLM_OK_RESPONSE);
    tb.reset();
    EXPECT_EQ(tb.rd(kMagic), 0u);
    EXPECT_EQ(tb.rd(kStatus), 0u);
    EXPECT_FALSE(tb.intx_line.read());
    EXPECT_EQ(tb.bar[1]->read32(0x40), 0xcafeu);
  });
}

// Cycle counts: register accesses cost a few cycles; a long READ streams close
// to one beat per cycle; an idle device stops its clock.
TEST_F(EpfRtl, TimingBounds) {
  tb.run([&] {
    uint64_t c0 = tb.dut.cycles();
    tb.wr(kMagic, 1);
    const uint64_t write_cycles = tb.dut.cycles() - c0;
    c0 = tb.dut.cycles();
    (void)tb.rd(kMagic);
    const uint64_t read_cycles = tb.dut.cycles() - c0;
    EXPECT_LE(write_cycles, 4u);
    EXPECT_LE(read_cycles, 4u);

    tb.wr(kChecksum, 0);
    c0 = tb.dut.cycles();
    tb.command(kCmdRead, kHighBase, 0, 65536);
    const uint64_t beats = 65536 / 8;
    const uint64_t read_cmd_cycles = tb.dut.cycles() - c0;
    EXPECT_GE(read_cmd_cycles, beats);
    EXPECT_LE(read_cmd_cycles, beats + beats / 8) << "READ of 64 KiB: 8192 beats in 32 bursts";

    // Idle: the clock stops, time passes without cycles.
    sc_core::wait(sc_core::sc_time(1, sc_core::SC_US));
    c0 = tb.dut.cycles();
    sc_core::wait(sc_core::sc_time(10, sc_core::SC_US));
    EXPECT_EQ(tb.dut.cycles(), c0);
    EXPECT_FALSE(tb.dut.clock().running());
  });
}

}  // namespace
}  // namespace cosim::rtl::test
