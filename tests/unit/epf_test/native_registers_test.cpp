// Native epf-test model, BAR side: register storage and sub-word accesses,
// the BAR memories pcitest -b exercises, bad accesses and reset.
#include <gtest/gtest.h>

#include "device_fixture.h"

namespace cosim::epf_test::testing {
namespace {

class EpfNativeRegisters : public EpfDeviceBench {};

constexpr uint32_t kStorageRegs[] = {kMagic,   kStatus,   kSrcAddrLo, kSrcAddrHi, kDstAddrLo, kDstAddrHi,
                                     kSize,    kChecksum, kIrqType,   kIrqNumber, kFlags};

TEST_F(EpfNativeRegisters, EveryStorageRegisterReadsBackWhatWasWritten) {
  for (uint32_t reg : kStorageRegs) wr(reg, 0xC0DE0000u | reg);
  for (uint32_t reg : kStorageRegs) EXPECT_EQ(rd(reg), 0xC0DE0000u | reg) << "register 0x" << std::hex << reg;
  for (uint32_t reg : kStorageRegs) wr(reg, 0);
  for (uint32_t reg : kStorageRegs) EXPECT_EQ(rd(reg), 0u) << "register 0x" << std::hex << reg;
  EXPECT_TRUE(host.msi.empty());
  EXPECT_TRUE(host.intx_changes.empty());
}

TEST_F(EpfNativeRegisters, CommandReadsBackZero) {
  wr(kIrqType, kIrqMsi);
  wr(kIrqNumber, 1);
  wr(kCommand, kCmdRaiseMsi);
  EXPECT_EQ(rd(kCommand), 0u);
  EXPECT_EQ(host.msi.size(), 1u);
  // Bits without a command are accepted (and logged) too.
  wr(kCommand, 0x80000000u);
  EXPECT_EQ(rd(kCommand), 0u);
  EXPECT_TRUE(logged("no command bit"));
}

TEST_F(EpfNativeRegisters, SubWordReadsReturnTheRegisterBytes) {
  wr(kMagic, 0x11223344u);
  uint64_t v = 0;
  const uint64_t expect_bytes[] = {0x44, 0x33, 0x22, 0x11};
  for (unsigned i = 0; i < 4; ++i) {
    ASSERT_TRUE(dev->bar_read(0, kMagic + i, 1, v).is_ok());
    EXPECT_EQ(v, expect_bytes[i]) << "byte " << i;
  }
  ASSERT_TRUE(dev->bar_read(0, kMagic, 2, v).is_ok());
  EXPECT_EQ(v, 0x3344u);
  ASSERT_TRUE(dev->bar_read(0, kMagic + 2, 2, v).is_ok());
  EXPECT_EQ(v, 0x1122u);
  // Unaligned halfword across the middle.
  ASSERT_TRUE(dev->bar_read(0, kMagic + 1, 2, v).is_ok());
  EXPECT_EQ(v, 0x2233u);
}

TEST_F(EpfNativeRegisters, SubWordWritesMergeIntoTheRegister) {
  wr(kChecksum, 0x11223344u);
  ASSERT_TRUE(dev->bar_write(0, kChecksum + 1, 1, 0xAB).is_ok());
  EXPECT_EQ(rd(kChecksum), 0x1122AB44u);
  ASSERT_TRUE(dev->bar_write(0, kChecksum + 2, 2, 0xBEEF).is_ok());
  EXPECT_EQ(rd(kChecksum), 0xBEEFAB44u);
  // Only the bytes of the access count, not the high bits of `value`.
  ASSERT_TRUE(dev->bar_write(0, kChecksum, 1, 0xFFFFFF01u).is_ok());
  EXPECT_EQ(rd(kChecksum), 0xBEEFAB01u);
}

TEST_F(EpfNativeRegisters, SubWordCommandWriteRunsTheCommand) {
  wr(kIrqType, kIrqMsix);
  wr(kIrqNumber, 3);
  ASSERT_TRUE(dev->bar_write(0, kCommand, 1, kCmdRaiseMsix).is_ok());
  EXPECT_EQ(host.msix, std::vector<uint32_t>{2});
  // A write to COMMAND's upper bytes carries no command bit: logged, no interrupt.
  ASSERT_TRUE(dev->bar_write(0, kCommand + 1, 1, kCmdRaiseMsix).is_ok());
  EXPECT_EQ(host.msix.size(), 1u);
  EXPECT_EQ(rd(kCommand), 0u);
}

TEST_F(EpfNativeRegisters, EightByteAccessesCoverTwoRegisters) {
  ASSERT_TRUE(dev->bar_write(0, kSrcAddrLo, 8, 0x0000000123456789ull).is_ok());
  EXPECT_EQ(rd(kSrcAddrLo), 0x23456789u);
  EXPECT_EQ(rd(kSrcAddrHi), 0x00000001u);
  EXPECT_EQ(dev->regs().src_addr(), 0x0000000123456789ull);
  uint64_t v = 0;
  ASSERT_TRUE(dev->bar_read(0, kSrcAddrLo, 8, v).is_ok());
  EXPECT_EQ(v, 0x0000000123456789ull);
  // MAGIC + COMMAND: the command half reads 0.
  wr(kIrqType, kIrqMsi);
  wr(kIrqNumber, 2);
  ASSERT_TRUE(dev->bar_write(0, kMagic, 8, uint64_t{kCmdRaiseMsi} << 32 | 0xFEEDu).is_ok());
  EXPECT_EQ(host.msi, std::vector<uint32_t>{1});
  ASSERT_TRUE(dev->bar_read(0, kMagic, 8, v).is_ok());
  EXPECT_EQ(v, 0xFEEDu);
}

TEST_F(EpfNativeRegisters, AccessSpanningTheLastRegisterAndBar0Memory) {
  ASSERT_TRUE(dev->bar_write(0, kFlags, 8, 0x1122334455667788ull).is_ok());
  EXPECT_EQ(rd(kFlags), 0x55667788u);
  uint64_t v = 0;
  ASSERT_TRUE(dev->bar_read(0, kRegBlockBytes, 4, v).is_ok());
  EXPECT_EQ(v, 0x11223344u);
  ASSERT_TRUE(dev->bar_read(0, kFlags, 8, v).is_ok());
  EXPECT_EQ(v, 0x1122334455667788ull);
}

TEST_F(EpfNativeRegisters, Bar0BeyondTheRegistersIsMemory) {
  const uint64_t size = dev->description().bars[0].size;
  for (uint64_t off = kRegBlockBytes; off < size; off += 4)
    ASSERT_TRUE(dev->bar_write(0, off, 4, 0xA0A0A0A0u ^ off).is_ok());
  for (uint64_t off = kRegBlockBytes; off < size; off += 4) {
    uint64_t v = 0;
    ASSERT_TRUE(dev->bar_read(0, off, 4, v).is_ok());
    ASSERT_EQ(v, 0xA0A0A0A0u ^ off) << "offset " << off;
  }
}

// pcitest -b N: 0xA0A0A0A0 into every word, then every word back.
void bar_pattern_test(NativeEpfTest& dev, unsigned bar) {
  const uint64_t size = dev.description().bars[bar].size;
  ASSERT_GT(size, 0u);
  for (uint64_t off = 0; off < size; off += 4) ASSERT_TRUE(dev.bar_write(bar, off, 4, 0xA0A0A0A0u).is_ok());
  for (uint64_t off = 0; off < size; off += 4) {
    uint64_t v = 0;
    ASSERT_TRUE(dev.bar_read(bar, off, 4, v).is_ok());
    ASSERT_EQ(v, 0xA0A0A0A0u) << "BAR" << bar << " offset " << off;
  }
}

TEST_F(EpfNativeRegisters, BarTestPatternSmallBars) {
  EpfTestConfig c;
  c.bar_sizes = {64, 16, 128, 256, 1024, 4096};
  make(c);
  for (unsigned bar = 1; bar < kNumBars; ++bar) bar_pattern_test(*dev, bar);
  // BAR0: only MAGIC is tested by the tool.
  wr(kMagic, 0xA0A0A0A0u);
  EXPECT_EQ(rd(kMagic), 0xA0A0A0A0u);
}

TEST_F(EpfNativeRegisters, BarTestPatternDefaultSizes) {
  for (unsigned bar = 1; bar < kNumBars; ++bar) {
    EXPECT_EQ(dev->description().bars[bar].size, kDefaultBarSizes[bar]);
    bar_pattern_test(*dev, bar);
  }
}

TEST_F(EpfNativeRegisters, BarsAreIndependentAndSubWordAccessible) {
  ASSERT_TRUE(dev->bar_write(1, 8, 8, 0x0102030405060708ull).is_ok());
  uint64_t v = 0;
  ASSERT_TRUE(dev->bar_read(2, 8, 8, v).is_ok());
  EXPECT_EQ(v, 0u);
  ASSERT_TRUE(dev->bar_read(1, 9, 2, v).is_ok());
  EXPECT_EQ(v, 0x0607u);
  ASSERT_TRUE(dev->bar_read(1, 15, 1, v).is_ok());
  EXPECT_EQ(v, 0x01u);
}

TEST_F(EpfNativeRegisters, BadAccessesReturnAStatusNamingTheProblem) {
  EpfTestConfig c;
  c.bar_sizes[2] = 0;
  make(c);
  uint64_t v = 0;

  Status s = dev->bar_read(6, 0, 4, v);
  EXPECT_EQ(s.code(), ErrorCode::kBadBar);
  EXPECT_NE(s.message().find('6'), std::string::npos) << s.message();
  EXPECT_EQ(v, ~uint64_t{0});

  s = dev->bar_write(2, 0, 4, 0);
  EXPECT_EQ(s.code(), ErrorCode::kBadBar);
  EXPECT_NE(s.message().find("BAR2"), std::string::npos) << s.message();

  s = dev->bar_read(1, 512, 4, v);
  EXPECT_EQ(s.code(), ErrorCode::kBadOffset);
  EXPECT_NE(s.message().find("BAR1"), std::string::npos) << s.message();
  s = dev->bar_write(1, 510, 4, 0);  // straddles the end
  EXPECT_EQ(s.code(), ErrorCode::kBadOffset);

  s = dev->bar_read(0, 0, 3, v);
  EXPECT_EQ(s.code(), ErrorCode::kBadSize);
  EXPECT_NE(s.message().find('3'), std::string::npos) << s.message();
  s = dev->bar_write(3, 0, 16, 0);
  EXPECT_EQ(s.code(), ErrorCode::kBadSize);

  // A rejected write changes nothing.
  EXPECT_EQ(dev->regs(), EpfTestRegs{});
}

TEST_F(EpfNativeRegisters, ResetClearsRegistersAndMemories) {
  wr(kMagic, 0x1234);
  wr(kSize, 99);
  ASSERT_TRUE(dev->bar_write(0, 0x100, 4, 0xFFFFFFFFu).is_ok());
  ASSERT_TRUE(dev->bar_write(5, 0xFFFF8, 8, ~0ull).is_ok());
  dev->reset(ResetKind::kSystem);
  EXPECT_EQ(dev->regs(), EpfTestRegs{});
  uint64_t v = 1;
  ASSERT_TRUE(dev->bar_read(0, 0x100, 4, v).is_ok());
  EXPECT_EQ(v, 0u);
  ASSERT_TRUE(dev->bar_read(5, 0xFFFF8, 8, v).is_ok());
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(host.intx_changes.empty());  // INTx was never asserted: nothing to drop
}

TEST_F(EpfNativeRegisters, AccessesInsideTheMsixTableSpaceAreMemory) {
  const DeviceDescription& d = dev->description();
  ASSERT_EQ(d.msix_vectors, kDefaultMsixVectors);
  ASSERT_TRUE(dev->bar_write(0, d.msix_table_offset, 8, 0xFEE00000ull).is_ok());
  uint64_t v = 0;
  ASSERT_TRUE(dev->bar_read(0, d.msix_table_offset, 8, v).is_ok());
  EXPECT_EQ(v, 0xFEE00000ull);
  ASSERT_TRUE(dev->bar_read(0, d.msix_pba_offset, 8, v).is_ok());
  EXPECT_EQ(v, 0u);
}

TEST_F(EpfNativeRegisters, TimeIsWhateverTheDeviceIsGiven) {
  EXPECT_EQ(dev->now_ps(), 0u);
  dev->advance_to(5000);
  EXPECT_EQ(dev->now_ps(), 5000u);
  dev->advance_to(10);  // never backwards
  EXPECT_EQ(dev->now_ps(), 5000u);
  dev->reset(ResetKind::kFunctionLevel);
  EXPECT_EQ(dev->now_ps(), 0u);
}

TEST(EpfNativeCreate, RejectsABadConfiguration) {
  EpfTestConfig c;
  c.msi_vectors = 3;
  auto r = NativeEpfTest::create(c);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kConfig);
  EXPECT_NE(r.status().message().find("msi"), std::string::npos) << r.status().message();
  auto ok = NativeEpfTest::create(EpfTestConfig{});
  ASSERT_TRUE(ok.is_ok());
  EXPECT_EQ((*ok)->description(), describe(EpfTestConfig{}));
}

}  // namespace
}  // namespace cosim::epf_test::testing
