// Native epf-test model, command side: the interrupt commands, READ / WRITE /
// COPY at the sizes pcitest uses with every completion interrupt, and DMA faults.
#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <random>

#include "device_fixture.h"

namespace cosim::epf_test::testing {
namespace {

// Guest RAM above 4 GiB, so the *_HI registers matter.
constexpr uint64_t kRam = 0x1'0000'0000ull;
constexpr uint64_t kRamSize = 4 * 1024 * 1024;
constexpr uint64_t kSrc = kRam + 0x1000;
constexpr uint64_t kDst = kRam + 2 * 1024 * 1024 + 0x1000;

void fill_random(std::span<uint8_t> out, unsigned seed) {
  std::mt19937 gen(seed);
  for (auto& b : out) b = static_cast<uint8_t>(gen());
}

uint32_t crc_of(std::span<const uint8_t> b) { return crc32_le(~0u, b.data(), b.size()); }

// ---- Interrupt commands ------------------------------------------------------

class EpfNativeIrq : public EpfDeviceBench {};

TEST_F(EpfNativeIrq, RaiseIntxAssertsTheLevelUntilTheHandlerClearsIrqRaised) {
  wr(kIrqType, kIrqIntx);
  wr(kCommand, kCmdRaiseIntx);
  EXPECT_EQ(rd(kStatus), uint32_t{kStIrqRaised});
  EXPECT_EQ(host.intx_changes, std::vector<bool>{true});
  EXPECT_TRUE(dev->intx_level());

  // Reads and unrelated writes leave the level alone.
  rd(kStatus);
  wr(kMagic, 1);
  EXPECT_EQ(host.intx_changes, std::vector<bool>{true});

  acknowledge();
  EXPECT_EQ(host.intx_changes, (std::vector<bool>{true, false}));
  EXPECT_FALSE(host.intx);

  // No storm: nothing re-asserts it afterwards.
  acknowledge();
  wr(kStatus, 0);
  rd(kStatus);
  EXPECT_EQ(host.intx_changes, (std::vector<bool>{true, false}));
}

TEST_F(EpfNativeIrq, RaiseIntxIgnoresIrqTypeAndNumber) {
  wr(kIrqType, kIrqMsix);  // as Linux: RAISE_INTX always raises INTx
  wr(kIrqNumber, 5);
  wr(kCommand, kCmdRaiseIntx);
  EXPECT_TRUE(host.intx);
  EXPECT_TRUE(host.msix.empty());
}

TEST_F(EpfNativeIrq, StatusWriteThatKeepsIrqRaisedKeepsTheLevel) {
  wr(kCommand, kCmdRaiseIntx);
  wr(kStatus, kStIrqRaised | kStReadSuccess);
  EXPECT_EQ(host.intx_changes, std::vector<bool>{true});
  // Sub-word write of the byte holding IRQ_RAISED (bit 6) ends it.
  ASSERT_TRUE(dev->bar_write(0, kStatus, 1, 0).is_ok());
  EXPECT_EQ(host.intx_changes, (std::vector<bool>{true, false}));
}

TEST_F(EpfNativeIrq, GuestSettingIrqRaisedDoesNotAssertIntx) {
  wr(kStatus, kStIrqRaised);
  EXPECT_TRUE(host.intx_changes.empty());
}

TEST_F(EpfNativeIrq, SecondRaiseIntxWhileAssertedKeepsOneLevel) {
  wr(kCommand, kCmdRaiseIntx);
  wr(kCommand, kCmdRaiseIntx);
  EXPECT_EQ(host.intx_changes, std::vector<bool>{true});
  acknowledge();
  EXPECT_EQ(host.intx_changes, (std::vector<bool>{true, false}));
}

TEST_F(EpfNativeIrq, MsiInterruptWhileIntxAssertedDropsIntx) {
  wr(kCommand, kCmdRaiseIntx);
  wr(kIrqNumber, 1);
  wr(kCommand, kCmdRaiseMsi);  // the new command clears STATUS first
  EXPECT_EQ(host.intx_changes, (std::vector<bool>{true, false}));
  EXPECT_EQ(host.msi, std::vector<uint32_t>{0});
  EXPECT_EQ(rd(kStatus), uint32_t{kStIrqRaised});
}

TEST_F(EpfNativeIrq, ResetDropsAnAssertedIntx) {
  wr(kCommand, kCmdRaiseIntx);
  dev->reset(ResetKind::kSystem);
  EXPECT_EQ(host.intx_changes, (std::vector<bool>{true, false}));
  EXPECT_EQ(rd(kStatus), 0u);
}

TEST_F(EpfNativeIrq, AttachReDrivesAnAssertedIntx) {
  wr(kCommand, kCmdRaiseIntx);
  FakeHost other;
  dev->attach(&other);
  EXPECT_EQ(other.intx_changes, std::vector<bool>{true});
  dev->attach(nullptr);
  acknowledge();  // level drops with nobody to tell
  EXPECT_FALSE(dev->intx_level());
  dev->attach(&other);
  EXPECT_EQ(other.intx_changes, std::vector<bool>{true});
}

TEST_F(EpfNativeIrq, NoIntxPinMeansNoIntx) {
  EpfTestConfig c;
  c.intx_pin = 0;
  make(c);
  wr(kCommand, kCmdRaiseIntx);
  EXPECT_TRUE(host.intx_changes.empty());
  EXPECT_EQ(rd(kStatus), 0u);
  EXPECT_TRUE(logged("no INTx pin"));
}

TEST_F(EpfNativeIrq, MsiVectorNumberingIsOneBasedInTheRegister) {
  for (uint32_t n = 1; n <= kDefaultMsiVectors; ++n) {
    wr(kIrqNumber, n);
    wr(kCommand, kCmdRaiseMsi);
    ASSERT_EQ(acknowledge(), uint32_t{kStIrqRaised}) << "vector " << n;
  }
  ASSERT_EQ(host.msi.size(), kDefaultMsiVectors);
  EXPECT_EQ(host.msi.front(), 0u);
  EXPECT_EQ(host.msi.back(), 31u);
  EXPECT_TRUE(host.msix.empty());
  EXPECT_TRUE(host.intx_changes.empty());
}

TEST_F(EpfNativeIrq, MsixVectorNumberingUpToTheHighestVector) {
  for (uint32_t n : {1u, 2u, 1000u, 2047u, 2048u}) {
    wr(kIrqNumber, n);
    wr(kCommand, kCmdRaiseMsix);
    ASSERT_EQ(acknowledge(), uint32_t{kStIrqRaised}) << "vector " << n;
  }
  EXPECT_EQ(host.msix, (std::vector<uint32_t>{0, 1, 999, 2046, 2047}));
  EXPECT_TRUE(host.msi.empty());
}

TEST_F(EpfNativeIrq, OutOfRangeVectorRaisesNothingAndLeavesIrqRaisedClear) {
  for (uint32_t n : {0u, 33u}) {
    wr(kIrqNumber, n);
    wr(kCommand, kCmdRaiseMsi);
    EXPECT_EQ(rd(kStatus), 0u) << "MSI vector " << n;
  }
  for (uint32_t n : {0u, 2049u}) {
    wr(kIrqNumber, n);
    wr(kCommand, kCmdRaiseMsix);
    EXPECT_EQ(rd(kStatus), 0u) << "MSI-X vector " << n;
  }
  EXPECT_TRUE(host.msi.empty());
  EXPECT_TRUE(host.msix.empty());
  EXPECT_TRUE(logged("IRQ_NUMBER 33 is not 1..32"));
  EXPECT_TRUE(logged("IRQ_NUMBER 2049 is not 1..2048"));
  EXPECT_EQ(logs.front().level, LogLevel::kError);
}

TEST_F(EpfNativeIrq, VectorCountsFollowTheConfiguration) {
  EpfTestConfig c;
  c.msi_vectors = 1;
  c.msix_vectors = 0;
  make(c);
  wr(kIrqNumber, 1);
  wr(kCommand, kCmdRaiseMsi);
  EXPECT_EQ(host.msi, std::vector<uint32_t>{0});
  wr(kIrqNumber, 2);
  wr(kCommand, kCmdRaiseMsi);
  wr(kIrqNumber, 1);
  wr(kCommand, kCmdRaiseMsix);
  EXPECT_EQ(host.msi.size(), 1u);
  EXPECT_TRUE(host.msix.empty());
}

TEST_F(EpfNativeIrq, UnknownIrqTypeIgnoresTheCommand) {
  host.add_region(kRam, kRamSize);
  set_src(kSrc);
  wr(kSize, 16);
  wr(kStatus, kStReadSuccess);
  wr(kIrqType, 3);
  wr(kIrqNumber, 1);
  wr(kCommand, kCmdRead);
  EXPECT_EQ(rd(kStatus), 0u);  // cleared, as Linux does before the check
  EXPECT_EQ(rd(kCommand), 0u);
  EXPECT_EQ(host.dma_reads, 0u);
  EXPECT_TRUE(host.msi.empty());
  EXPECT_TRUE(logged("IRQ_TYPE 3"));
}

TEST_F(EpfNativeIrq, SeveralCommandBitsRunOnlyTheFirstInLinuxOrder) {
  host.add_region(kRam, kRamSize);
  set_src(kSrc);
  wr(kSize, 64);
  wr(kChecksum, crc_of(host.bytes(kSrc, 64)));
  wr(kIrqType, kIrqMsi);
  wr(kIrqNumber, 1);
  // READ outranks RAISE_MSI.
  wr(kCommand, kCmdRaiseMsi | kCmdRead);
  EXPECT_EQ(acknowledge(), kStReadSuccess | kStIrqRaised);
  EXPECT_EQ(host.msi.size(), 1u);
  // RAISE_INTX outranks everything.
  wr(kCommand, kCmdRaiseIntx | kCmdWrite | kCmdRaiseMsix);
  EXPECT_EQ(rd(kStatus), uint32_t{kStIrqRaised});
  EXPECT_TRUE(host.intx);
  EXPECT_EQ(host.dma_writes, 0u);
  EXPECT_TRUE(host.msix.empty());
  EXPECT_TRUE(logged("several command bits"));
}

// ---- Transfers at pcitest's sizes, completed by each interrupt kind ----------

struct TransferCase {
  uint32_t irq_type;
  uint32_t size;
};

std::string case_name(const ::testing::TestParamInfo<TransferCase>& info) {
  const char* kinds[] = {"Intx", "Msi", "Msix"};
  return std::string(kinds[info.param.irq_type]) + "_" + std::to_string(info.param.size);
}

// Readable test names in ctest (it appends the printed parameter).
void PrintTo(const TransferCase& c, std::ostream* os) {
  const char* kinds[] = {"INTx", "MSI", "MSI-X"};
  *os << kinds[c.irq_type] << " size " << c.size;
}

class EpfNativeTransfer : public EpfDeviceBench, public ::testing::WithParamInterface<TransferCase> {
 protected:
  void SetUp() override {
    EpfDeviceBench::SetUp();
    host.add_region(kRam, kRamSize);
    wr(kIrqType, GetParam().irq_type);
    wr(kIrqNumber, irq_number());
    wr(kSize, GetParam().size);
  }
  uint32_t irq_number() const { return GetParam().irq_type == kIrqMsix ? 2048 : 1 + GetParam().size % 32; }
  uint32_t size() const { return GetParam().size; }

  // The completion interrupt arrived exactly once, of the configured kind;
  // then the handler acknowledges. Returns STATUS as the handler saw it.
  uint32_t expect_completion() {
    switch (GetParam().irq_type) {
      case kIrqIntx: EXPECT_EQ(host.intx_changes, std::vector<bool>{true}); break;
      case kIrqMsi: EXPECT_EQ(host.msi, std::vector<uint32_t>{irq_number() - 1}); break;
      case kIrqMsix: EXPECT_EQ(host.msix, std::vector<uint32_t>{irq_number() - 1}); break;
    }
    const uint32_t st = acknowledge();
    EXPECT_TRUE(st & kStIrqRaised);
    EXPECT_FALSE(host.intx);
    return st;
  }
  void expect_chunked_dma() {
    EXPECT_LE(host.max_dma_len, NativeEpfTest::kDmaChunk);
    const unsigned chunks = (size() + NativeEpfTest::kDmaChunk - 1) / NativeEpfTest::kDmaChunk;
    EXPECT_LE(host.dma_reads, chunks);
    EXPECT_LE(host.dma_writes, chunks);
  }
};

TEST_P(EpfNativeTransfer, ReadWithTheRightChecksumSucceeds) {
  auto src = host.bytes(kSrc, size());
  fill_random(src, size());
  set_src(kSrc);
  wr(kChecksum, crc_of(src));
  wr(kCommand, kCmdRead);
  EXPECT_EQ(rd(kCommand), 0u);
  EXPECT_EQ(expect_completion(), kStReadSuccess | kStIrqRaised);
  expect_chunked_dma();
  EXPECT_EQ(host.dma_writes, 0u);
}

TEST_P(EpfNativeTransfer, ReadWithAWrongChecksumFails) {
  auto src = host.bytes(kSrc, size());
  fill_random(src, size());
  set_src(kSrc);
  wr(kChecksum, crc_of(src) ^ 1);
  wr(kCommand, kCmdRead);
  EXPECT_EQ(expect_completion(), kStReadFail | kStIrqRaised);
}

TEST_P(EpfNativeTransfer, WriteStoresTheCrcOfWhatLandedInGuestMemory) {
  set_dst(kDst);
  wr(kCommand, kCmdWrite);
  EXPECT_EQ(expect_completion(), kStWriteSuccess | kStIrqRaised);
  const auto dst = host.bytes(kDst, size());
  EXPECT_EQ(rd(kChecksum), crc_of(dst));
  EXPECT_EQ(host.bytes(kDst + size(), 1)[0], 0) << "wrote past SIZE";
  EXPECT_EQ(host.bytes(kDst - 1, 1)[0], 0) << "wrote before DST";
  // The data is a pattern, not zeros (which any bug would also produce).
  if (size() >= 8) {
    EXPECT_NE(std::count(dst.begin(), dst.end(), uint8_t{0}), static_cast<long>(size()));
  }
  expect_chunked_dma();
}

TEST_P(EpfNativeTransfer, CopyMakesDestinationEqualToSource) {
  auto src = host.bytes(kSrc, size());
  fill_random(src, size() + 7);
  set_src(kSrc);
  set_dst(kDst);
  wr(kCommand, kCmdCopy);
  EXPECT_EQ(expect_completion(), kStCopySuccess | kStIrqRaised);
  const auto dst = host.bytes(kDst, size());
  EXPECT_TRUE(std::equal(src.begin(), src.end(), dst.begin()));
  EXPECT_EQ(crc_of(dst), crc_of(src));  // what the driver compares
  EXPECT_EQ(host.bytes(kDst + size(), 1)[0], 0) << "copied past SIZE";
  expect_chunked_dma();
}

std::vector<TransferCase> transfer_cases() {
  std::vector<TransferCase> v;
  for (uint32_t type : {kIrqIntx, kIrqMsi, kIrqMsix})
    for (uint32_t size : {1u, 1024u, 1025u, 1024000u, 1024001u}) v.push_back({type, size});
  return v;
}

INSTANTIATE_TEST_SUITE_P(PcitestSizes, EpfNativeTransfer, ::testing::ValuesIn(transfer_cases()), case_name);

// ---- WRITE pattern -----------------------------------------------------------

class EpfNativeWritePattern : public EpfDeviceBench {
 protected:
  std::vector<uint8_t> write_once(uint32_t size) {
    wr(kSize, size);
    wr(kCommand, kCmdWrite);
    EXPECT_EQ(acknowledge(), kStWriteSuccess | kStIrqRaised);
    auto b = host.bytes(kDst, size);
    return {b.begin(), b.end()};
  }
  void SetUp() override {
    EpfDeviceBench::SetUp();
    host.add_region(kRam, kRamSize);
    set_dst(kDst);
    wr(kIrqType, kIrqMsi);
    wr(kIrqNumber, 1);
  }
};

TEST_F(EpfNativeWritePattern, DiffersBetweenTwoWrites) {
  const auto first = write_once(1024);
  const uint32_t first_crc = rd(kChecksum);
  const auto second = write_once(1024);
  EXPECT_NE(first, second);
  EXPECT_NE(first_crc, rd(kChecksum));
  EXPECT_EQ(rd(kChecksum), crc_of(second));
}

TEST_F(EpfNativeWritePattern, IsReproducibleAfterResetAndVariesWithTheSeed) {
  const auto first = write_once(4096);
  dev->reset(ResetKind::kSystem);
  set_dst(kDst);
  wr(kIrqType, kIrqMsi);
  wr(kIrqNumber, 1);
  EXPECT_EQ(write_once(4096), first);

  EpfTestConfig c;
  c.write_seed = 12345;
  make(c);
  set_dst(kDst);
  wr(kIrqType, kIrqMsi);
  wr(kIrqNumber, 1);
  EXPECT_NE(write_once(4096), first);
}

// ---- Bad sizes and DMA faults: FAIL bits, and the interrupt still comes ------

class EpfNativeDmaErrors : public EpfDeviceBench {
 protected:
  void SetUp() override {
    EpfDeviceBench::SetUp();
    host.add_region(kRam, kRamSize);
    wr(kIrqType, kIrqMsi);
    wr(kIrqNumber, 4);
    wr(kSize, 200000);
    set_src(kSrc);
    set_dst(kDst);
  }
  uint32_t run(uint32_t command) {
    host.clear_records();
    wr(kCommand, command);
    EXPECT_EQ(host.msi, std::vector<uint32_t>{3}) << "no completion interrupt";
    return acknowledge();
  }
};

TEST_F(EpfNativeDmaErrors, ReadFromUnreachableSource) {
  set_src(0x7000'0000'0000ull);  // no guest memory there
  EXPECT_EQ(run(kCmdRead), kStReadFail | kStSrcAddrInvalid | kStIrqRaised);
  EXPECT_TRUE(logged("DMA read of"));
}

TEST_F(EpfNativeDmaErrors, ReadFailingInTheMiddle) {
  host.make_invalid(kSrc + 100000, 1);  // second chunk refused
  EXPECT_EQ(run(kCmdRead), kStReadFail | kStSrcAddrInvalid | kStIrqRaised);
}

TEST_F(EpfNativeDmaErrors, WriteToUnreachableDestination) {
  wr(kChecksum, 0xABCD);
  host.make_invalid(kDst, 16);
  EXPECT_EQ(run(kCmdWrite), kStWriteFail | kStDstAddrInvalid | kStIrqRaised);
  EXPECT_EQ(rd(kChecksum), 0xABCDu);  // only a successful WRITE publishes a CRC
  EXPECT_TRUE(logged("DMA write of"));
}

TEST_F(EpfNativeDmaErrors, CopyFromUnreachableSource) {
  host.make_invalid(kSrc, kRamSize);
  EXPECT_EQ(run(kCmdCopy), kStCopyFail | kStSrcAddrInvalid | kStIrqRaised);
  EXPECT_EQ(host.dma_writes, 0u);
}

TEST_F(EpfNativeDmaErrors, CopyToUnreachableDestination) {
  host.make_invalid(kDst + 150000, 1);
  EXPECT_EQ(run(kCmdCopy), kStCopyFail | kStDstAddrInvalid | kStIrqRaised);
}

TEST_F(EpfNativeDmaErrors, AddressRangeWrappingPastTheTopFailsWithoutDma) {
  set_src(0xFFFF'FFFF'FFFF'FF00ull);
  EXPECT_EQ(run(kCmdRead), kStReadFail | kStSrcAddrInvalid | kStIrqRaised);
  EXPECT_EQ(host.dma_reads, 0u);
  set_dst(0xFFFF'FFFF'FFFF'FFFFull);
  set_src(kSrc);
  EXPECT_EQ(run(kCmdCopy), kStCopyFail | kStDstAddrInvalid | kStIrqRaised);
  EXPECT_TRUE(logged("wraps"));
}

TEST_F(EpfNativeDmaErrors, SizeZeroOrTooLargeFailsWithoutDma) {
  wr(kSize, 0);
  EXPECT_EQ(run(kCmdRead), kStReadFail | kStIrqRaised);
  EXPECT_EQ(run(kCmdWrite), kStWriteFail | kStIrqRaised);
  wr(kSize, kMaxTransfer + 1);
  EXPECT_EQ(run(kCmdCopy), kStCopyFail | kStIrqRaised);
  EXPECT_EQ(host.dma_reads + host.dma_writes, 0u);
  EXPECT_TRUE(logged("SIZE 0 is not"));
}

TEST_F(EpfNativeDmaErrors, WithoutAHostTransfersFailAndNothingCrashes) {
  dev->attach(nullptr);
  wr(kCommand, kCmdRead);
  EXPECT_EQ(rd(kStatus), kStReadFail | kStSrcAddrInvalid | kStIrqRaised);
  EXPECT_TRUE(logged("no host attached"));
  EXPECT_TRUE(host.msi.empty());
}

TEST_F(EpfNativeDmaErrors, ErrorsAreLoggedNotThrownWithoutALogSink) {
  dev->set_log({});
  set_src(0x7000'0000'0000ull);
  EXPECT_EQ(run(kCmdRead), kStReadFail | kStSrcAddrInvalid | kStIrqRaised);
  EXPECT_TRUE(logs.empty());
}

}  // namespace
}  // namespace cosim::epf_test::testing
