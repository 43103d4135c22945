// The epf-test TLM model through the TLM adapter, default configuration:
// registers, every command and interrupt kind, transfers at pcitest's sizes,
// invalid DMA, byte enables and every response status, annotated time, reset,
// and the same results as the native model. Suites are named EpfTlm*.
#include <gtest/gtest.h>

#include <random>
#include <systemc>

#include "epf_test_regs.h"
#include "native/epf_test_native.h"
#include "tlm/epf_test_tlm.h"
#include "tlm_bench.h"

namespace cosim::epf_test::testing {
namespace {

using sc::TlmDevice;
using sc::testing::logged;
using sc::testing::logs;
using sc::testing::run_until_idle;
using sc::testing::TimedHost;

// Guest RAM above 4 GiB (the *_HI registers matter); its last MiB refuses DMA.
constexpr uint64_t kRam = 0x1'0000'0000ull;
constexpr uint64_t kRamSize = 6 * 1024 * 1024;
constexpr uint64_t kSrc = kRam + 0x1000;
constexpr uint64_t kDst = kRam + 2 * 1024 * 1024 + 0x1000;
constexpr uint64_t kBad = kRam + 5 * 1024 * 1024;

constexpr uint64_t kNs = 1000;
constexpr uint64_t kUs = 1000 * kNs;
const EpfTestTiming kTiming{10 * kNs, 4.0, 8.0};  // 10 ns per access, 4 B/ns DMA, 8 B/ns CRC

void fill_random(std::span<uint8_t> out, unsigned seed) {
  std::mt19937 gen(seed);
  for (auto& b : out) b = static_cast<uint8_t>(gen());
}
uint32_t crc_of(std::span<const uint8_t> b) { return crc32_le(~0u, b.data(), b.size()); }

class EpfTlmBench : public ::testing::Test {
 protected:
  void SetUp() override {
    dev = &sc::testing::shared_device([] {
      sc::TlmOptions o;
      o.quantum_ps = 1 * kUs;
      o.log = sc::testing::log_sink();
      return TlmDevice::create(
          "tlm:epf-test",
          []() -> Result<std::unique_ptr<sc::TlmModel>> {
            return std::unique_ptr<sc::TlmModel>(new EpfTestTlm("epf_test", EpfTestConfig{}, kTiming,
                                                                 sc::testing::log_sink()));
          },
          o);
    });
    model = &static_cast<EpfTestTlm&>(dev->model());
    host.add_region(kRam, kRamSize);
    host.make_invalid(kBad, 1024 * 1024);
    timed.device = dev;
    dev->attach(&timed);
    dev->reset(ResetKind::kSystem);
    ASSERT_TRUE(dev->failure().is_ok()) << dev->failure().to_string();
    host.clear_records();
    timed.events.clear();
    logs().clear();
  }
  void TearDown() override { dev->attach(nullptr); }

  uint32_t rd(uint32_t reg) {
    uint64_t v = 0;
    const Status s = dev->bar_read(0, reg, 4, v);
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    return static_cast<uint32_t>(v);
  }
  void wr(uint32_t reg, uint32_t value) {
    const Status s = dev->bar_write(0, reg, 4, value);
    EXPECT_TRUE(s.is_ok()) << s.to_string();
  }
  void set_src(uint64_t a) {
    wr(kSrcAddrLo, static_cast<uint32_t>(a));
    wr(kSrcAddrHi, static_cast<uint32_t>(a >> 32));
  }
  void set_dst(uint64_t a) {
    wr(kDstAddrLo, static_cast<uint32_t>(a));
    wr(kDstAddrHi, static_cast<uint32_t>(a >> 32));
  }
  // Writes COMMAND and runs the device until it is idle again.
  void command(uint32_t bits) {
    wr(kCommand, bits);
    ASSERT_TRUE(run_until_idle(*dev)) << "the device is still busy after 1 s of simulated time";
    ASSERT_FALSE(model->busy());
  }
  uint32_t acknowledge() {
    const uint32_t st = rd(kStatus);
    wr(kStatus, st & ~kStIrqRaised);
    return st;
  }
  // One generic payload through the adapter; returns the mapped Status.
  Status transport(unsigned bar, tlm::tlm_command cmd, uint64_t address, uint8_t* data, unsigned length,
                   const uint8_t* be = nullptr, unsigned be_length = 0, unsigned streaming_width = 0) {
    trans.set_command(cmd);
    trans.set_address(address);
    trans.set_data_ptr(data);
    trans.set_data_length(length);
    trans.set_streaming_width(streaming_width ? streaming_width : length);
    trans.set_byte_enable_ptr(const_cast<uint8_t*>(be));
    trans.set_byte_enable_length(be_length);
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    return dev->transport(bar, trans);
  }

  TlmDevice* dev = nullptr;
  EpfTestTlm* model = nullptr;
  FakeHost host;
  TimedHost timed{host};
  tlm::tlm_generic_payload trans;
};

// ---- Registers ---------------------------------------------------------------

class EpfTlmRegisters : public EpfTlmBench {};

TEST_F(EpfTlmRegisters, PlainRegistersReadBack) {
  const uint32_t regs[] = {kMagic,     kStatus, kSrcAddrLo, kSrcAddrHi, kDstAddrLo, kDstAddrHi,
                           kSize,      kChecksum, kIrqType, kIrqNumber, kFlags};
  uint32_t v = 0xA0A0A0A0;
  for (uint32_t r : regs) wr(r, v + r);
  for (uint32_t r : regs) EXPECT_EQ(rd(r), v + r) << "register 0x" << std::hex << r;
  EXPECT_EQ(model->regs().magic, v);
}

TEST_F(EpfTlmRegisters, SubWordAndEightByteAccesses) {
  ASSERT_TRUE(dev->bar_write(0, kSrcAddrLo, 8, 0x0000000123456789ull).is_ok());
  EXPECT_EQ(model->regs().src_addr(), 0x0000000123456789ull);
  ASSERT_TRUE(dev->bar_write(0, kMagic + 1, 1, 0xab).is_ok());
  ASSERT_TRUE(dev->bar_write(0, kMagic + 2, 2, 0xcdef).is_ok());
  EXPECT_EQ(rd(kMagic), 0xcdefab00u);
  uint64_t v = 0;
  ASSERT_TRUE(dev->bar_read(0, kMagic + 2, 2, v).is_ok());
  EXPECT_EQ(v, 0xcdefu);
  // An 8-byte read across the last register and the memory after the block.
  ASSERT_TRUE(dev->bar_write(0, kRegBlockBytes, 4, 0x11223344).is_ok());
  wr(kFlags, 0x55667788);
  ASSERT_TRUE(dev->bar_read(0, kFlags, 8, v).is_ok());
  EXPECT_EQ(v, 0x1122334455667788ull);
}

TEST_F(EpfTlmRegisters, BarMemoryIsPlainStorage) {
  const DeviceDescription& d = dev->description();
  for (unsigned bar = 1; bar < kNumBars; ++bar) {
    const uint64_t last = d.bars[bar].size - 4;
    ASSERT_TRUE(dev->bar_write(bar, 0, 4, 0xA0A0A0A0).is_ok());
    ASSERT_TRUE(dev->bar_write(bar, last, 4, 0x5A5A0000u + bar).is_ok());
    uint64_t v = 0;
    ASSERT_TRUE(dev->bar_read(bar, 0, 4, v).is_ok());
    EXPECT_EQ(v, 0xA0A0A0A0u) << "BAR" << bar;
    ASSERT_TRUE(dev->bar_read(bar, last, 4, v).is_ok());
    EXPECT_EQ(v, 0x5A5A0000u + bar) << "BAR" << bar;
  }
}

TEST_F(EpfTlmRegisters, AccessesOutsideTheBarsFailWithAllOnes) {
  uint64_t v = 0;
  Status s = dev->bar_read(1, 512, 4, v);
  EXPECT_EQ(s.code(), ErrorCode::kBadOffset) << s.to_string();
  EXPECT_EQ(v, ~uint64_t{0});
  EXPECT_EQ(dev->bar_read(6, 0, 4, v).code(), ErrorCode::kBadBar);
  EXPECT_EQ(dev->bar_write(0, 0, 3, 0).code(), ErrorCode::kBadSize);
}

TEST_F(EpfTlmRegisters, CommandIsHeldUntilTheEngineAcceptsIt) {
  wr(kIrqNumber, 1);
  wr(kCommand, kCmdRaiseMsi);
  // Loosely timed: the engine accepts the command one register latency after
  // the write, which the kernel has not reached yet.
  EXPECT_EQ(rd(kCommand), uint32_t{kCmdRaiseMsi});
  EXPECT_TRUE(host.msi.empty());
  ASSERT_TRUE(run_until_idle(*dev));
  EXPECT_EQ(rd(kCommand), 0u);
  EXPECT_EQ(host.msi, std::vector<uint32_t>{0});
}

TEST_F(EpfTlmRegisters, CommandWithoutACommandBitIsLoggedAndIgnored) {
  command(1u << 7);
  EXPECT_TRUE(logged("no command bit")) << sc::testing::all_logs();
  EXPECT_EQ(rd(kCommand), 0u);
  EXPECT_EQ(rd(kStatus), 0u);
  EXPECT_TRUE(timed.events.empty());
}

TEST_F(EpfTlmRegisters, ResetAbortsACommandAndClearsEverything) {
  wr(kMagic, 0x1234);
  ASSERT_TRUE(dev->bar_write(3, 16, 4, 0xfeed).is_ok());
  wr(kSize, 1024 * 1024);
  set_src(kSrc);
  wr(kIrqType, kIrqMsi);
  wr(kIrqNumber, 1);
  wr(kCommand, kCmdRead);
  dev->advance_to(dev->now_ps() + 20 * kUs);  // accepted, first chunk fetched
  ASSERT_TRUE(model->busy());
  dev->reset(ResetKind::kFunctionLevel);
  EXPECT_FALSE(model->busy());
  EXPECT_EQ(model->regs(), EpfTestRegs{});
  EXPECT_EQ(dev->now_ps(), 0u);
  uint64_t v = 1;
  ASSERT_TRUE(dev->bar_read(3, 16, 4, v).is_ok());
  EXPECT_EQ(v, 0u);
  // The aborted READ never completes.
  EXPECT_FALSE(dev->next_event_ps().has_value());
  dev->advance_to(2000 * kUs);
  EXPECT_TRUE(host.msi.empty());
  EXPECT_EQ(rd(kStatus), 0u);
}

// ---- Interrupt commands ---------------------------------------------------------

class EpfTlmIrq : public EpfTlmBench {};

TEST_F(EpfTlmIrq, RaiseIntxAssertsTheLevelUntilTheHandlerClearsIrqRaised) {
  wr(kIrqType, kIrqMsix);  // as Linux: RAISE_INTX always raises INTx
  command(kCmdRaiseIntx);
  EXPECT_EQ(rd(kStatus), uint32_t{kStIrqRaised});
  EXPECT_EQ(host.intx_changes, std::vector<bool>{true});
  acknowledge();
  EXPECT_EQ(host.intx_changes, (std::vector<bool>{true, false}));
  // No storm: nothing re-asserts it.
  acknowledge();
  ASSERT_TRUE(run_until_idle(*dev));
  EXPECT_EQ(host.intx_changes, (std::vector<bool>{true, false}));
  EXPECT_TRUE(host.msix.empty());
}

TEST_F(EpfTlmIrq, StatusByteWriteEndsIntxBeforeTheWriteIsAnswered) {
  command(kCmdRaiseIntx);
  ASSERT_TRUE(host.intx);
  // The INTx edge a STATUS write causes reaches the host within the write.
  ASSERT_TRUE(dev->bar_write(0, kStatus, 1, 0).is_ok());
  EXPECT_EQ(host.intx_changes, (std::vector<bool>{true, false}));
}

TEST_F(EpfTlmIrq, AttachReDrivesAnAssertedIntx) {
  command(kCmdRaiseIntx);
  FakeHost other;
  dev->attach(&other);
  EXPECT_EQ(other.intx_changes, std::vector<bool>{true});
  dev->attach(&timed);
}

TEST_F(EpfTlmIrq, MsiVectors1To32) {
  for (uint32_t n = 1; n <= 32; ++n) {
    wr(kIrqNumber, n);
    command(kCmdRaiseMsi);
    ASSERT_EQ(acknowledge(), uint32_t{kStIrqRaised}) << "vector " << n;
  }
  std::vector<uint32_t> expected(32);
  for (uint32_t n = 0; n < 32; ++n) expected[n] = n;
  EXPECT_EQ(host.msi, expected);
}

TEST_F(EpfTlmIrq, MsixVectorsUpTo2048) {
  for (uint32_t n : {1u, 2u, 1000u, 2047u, 2048u}) {
    wr(kIrqNumber, n);
    command(kCmdRaiseMsix);
    ASSERT_EQ(acknowledge(), uint32_t{kStIrqRaised}) << "vector " << n;
  }
  EXPECT_EQ(host.msix, (std::vector<uint32_t>{0, 1, 999, 2046, 2047}));
}

TEST_F(EpfTlmIrq, VectorsTheDeviceLacksRaiseNothing) {
  wr(kIrqNumber, 33);
  command(kCmdRaiseMsi);
  EXPECT_EQ(rd(kStatus), 0u);
  wr(kIrqNumber, 2049);
  command(kCmdRaiseMsix);
  wr(kIrqNumber, 0);
  command(kCmdRaiseMsi);
  EXPECT_TRUE(host.msi.empty());
  EXPECT_TRUE(host.msix.empty());
  EXPECT_TRUE(logged("IRQ_NUMBER 33 is not 1..32"));
  EXPECT_TRUE(logged("IRQ_NUMBER 2049 is not 1..2048"));
  EXPECT_TRUE(logged("IRQ_NUMBER 0 is not 1..32"));
}

TEST_F(EpfTlmIrq, UnknownIrqTypeIgnoresTheCommand) {
  wr(kIrqType, 3);
  wr(kSize, 16);
  set_dst(kDst);
  command(kCmdWrite);
  EXPECT_TRUE(logged("IRQ_TYPE 3"));
  EXPECT_EQ(rd(kStatus), 0u);
  EXPECT_EQ(host.dma_writes, 0u);
}

TEST_F(EpfTlmIrq, SeveralCommandBitsRunOnlyTheFirstByPriority) {
  wr(kIrqNumber, 1);
  command(kCmdRaiseMsi | kCmdRaiseMsix);
  EXPECT_EQ(host.msi, std::vector<uint32_t>{0});
  EXPECT_TRUE(host.msix.empty());
  EXPECT_TRUE(logged("several command bits"));
}

// ---- Transfers at pcitest's sizes, completed by every interrupt kind -----------

enum class Op { kRead, kWrite, kCopy };
struct TransferCase {
  Op op;
  uint32_t size;
  uint32_t irq_type;
};
std::ostream& operator<<(std::ostream& os, const TransferCase& c) {
  return os << (c.op == Op::kRead ? "read" : c.op == Op::kWrite ? "write" : "copy") << " " << c.size << " "
            << irq_type_name(c.irq_type);
}

class EpfTlmTransfer : public EpfTlmBench, public ::testing::WithParamInterface<TransferCase> {
 protected:
  // The completion interrupt arrived as the kind the test asked for (INTx:
  // asserted, then dropped by the handler's acknowledge).
  void expect_interrupt(uint32_t irq_type) {
    switch (irq_type) {
      case kIrqIntx: EXPECT_EQ(host.intx_changes, (std::vector<bool>{true, false})); break;
      case kIrqMsi: EXPECT_EQ(host.msi, std::vector<uint32_t>{0}); break;
      case kIrqMsix: EXPECT_EQ(host.msix, std::vector<uint32_t>{0}); break;
    }
  }
};

TEST_P(EpfTlmTransfer, CompletesWithTheRightDataAndStatus) {
  const auto [op, size, irq_type] = GetParam();
  wr(kIrqType, irq_type);
  wr(kIrqNumber, 1);
  wr(kSize, size);
  set_src(kSrc);
  set_dst(kDst);
  auto src = host.bytes(kSrc, size);
  fill_random(src, size);
  switch (op) {
    case Op::kRead:
      wr(kChecksum, crc_of(src));
      command(kCmdRead);
      EXPECT_EQ(acknowledge(), kStReadSuccess | kStIrqRaised);
      break;
    case Op::kWrite:
      command(kCmdWrite);
      EXPECT_EQ(acknowledge(), kStWriteSuccess | kStIrqRaised);
      EXPECT_EQ(rd(kChecksum), crc_of(host.bytes(kDst, size)));
      break;
    case Op::kCopy:
      command(kCmdCopy);
      EXPECT_EQ(acknowledge(), kStCopySuccess | kStIrqRaised);
      EXPECT_TRUE(std::equal(src.begin(), src.end(), host.bytes(kDst, size).begin()));
      break;
  }
  expect_interrupt(irq_type);
  EXPECT_LE(host.max_dma_len, EpfTestTlm::kDmaChunk);
}

std::vector<TransferCase> transfer_cases() {
  std::vector<TransferCase> out;
  for (Op op : {Op::kRead, Op::kWrite, Op::kCopy})
    for (uint32_t size : {1u, 1024u, 1025u, 1024000u, 1024001u})
      for (uint32_t irq : {kIrqIntx, kIrqMsi, kIrqMsix}) out.push_back({op, size, irq});
  return out;
}

INSTANTIATE_TEST_SUITE_P(PcitestSizes, EpfTlmTransfer, ::testing::ValuesIn(transfer_cases()),
                         [](const auto& info) {
                           const TransferCase& c = info.param;
                           std::string irq = irq_type_name(c.irq_type);
                           irq.erase(std::remove(irq.begin(), irq.end(), '-'), irq.end());
                           return std::string(c.op == Op::kRead ? "Read" : c.op == Op::kWrite ? "Write" : "Copy") +
                                  "_" + std::to_string(c.size) + "_" + irq;
                         });

class EpfTlmCommands : public EpfTlmBench {};

TEST_F(EpfTlmCommands, ReadWithAWrongChecksumFails) {
  wr(kIrqType, kIrqMsi);
  wr(kIrqNumber, 1);
  wr(kSize, 1024);
  set_src(kSrc);
  fill_random(host.bytes(kSrc, 1024), 7);
  wr(kChecksum, crc_of(host.bytes(kSrc, 1024)) ^ 1);
  command(kCmdRead);
  EXPECT_EQ(acknowledge(), kStReadFail | kStIrqRaised);
  EXPECT_EQ(host.msi, std::vector<uint32_t>{0});
}

TEST_F(EpfTlmCommands, TwoWritesSendDifferentData) {
  wr(kIrqType, kIrqMsi);
  wr(kIrqNumber, 1);
  wr(kSize, 4096);
  set_dst(kDst);
  command(kCmdWrite);
  const std::vector<uint8_t> first(host.bytes(kDst, 4096).begin(), host.bytes(kDst, 4096).end());
  command(kCmdWrite);
  EXPECT_FALSE(std::equal(first.begin(), first.end(), host.bytes(kDst, 4096).begin()));
}

// The same guest actions give the same registers, data and interrupts as the
// native model: the two share one behaviour, only time differs.
TEST_F(EpfTlmCommands, SameResultsAsTheNativeModel) {
  FakeHost nhost;
  nhost.add_region(kRam, kRamSize);
  nhost.make_invalid(kBad, 1024 * 1024);
  NativeEpfTest native;
  native.attach(&nhost);
  fill_random(host.bytes(kSrc, 70000), 3);
  fill_random(nhost.bytes(kSrc, 70000), 3);

  auto both_wr = [&](uint32_t reg, uint32_t v) {
    wr(reg, v);
    ASSERT_TRUE(native.bar_write(0, reg, 4, v).is_ok());
  };
  auto both_command = [&](uint32_t bits) {
    command(bits);
    ASSERT_TRUE(native.bar_write(0, kCommand, 4, bits).is_ok());
    EXPECT_EQ(model->regs(), native.regs()) << "after COMMAND 0x" << std::hex << bits;
  };
  both_wr(kIrqType, kIrqMsix);
  both_wr(kIrqNumber, 3);
  both_wr(kSrcAddrLo, static_cast<uint32_t>(kSrc));
  both_wr(kSrcAddrHi, static_cast<uint32_t>(kSrc >> 32));
  both_wr(kDstAddrLo, static_cast<uint32_t>(kDst));
  both_wr(kDstAddrHi, static_cast<uint32_t>(kDst >> 32));
  both_wr(kSize, 70000);
  both_command(kCmdWrite);
  both_command(kCmdWrite);
  both_wr(kChecksum, crc_of(host.bytes(kSrc, 70000)));
  both_command(kCmdRead);
  both_command(kCmdCopy);
  both_wr(kSrcAddrLo, static_cast<uint32_t>(kBad));
  both_command(kCmdCopy);
  both_command(kCmdRaiseMsi);
  both_command(kCmdRaiseIntx);
  EXPECT_TRUE(std::equal(host.bytes(kDst, 70000).begin(), host.bytes(kDst, 70000).end(),
                         nhost.bytes(kDst, 70000).begin()));
  EXPECT_EQ(host.msix, nhost.msix);
  EXPECT_EQ(host.msi, nhost.msi);
  EXPECT_EQ(host.intx_changes, nhost.intx_changes);
}

// ---- DMA the bridge cannot reach --------------------------------------------------

class EpfTlmInvalidDma : public EpfTlmBench {
 protected:
  void SetUp() override {
    EpfTlmBench::SetUp();
    wr(kIrqType, kIrqMsi);
    wr(kIrqNumber, 1);
    wr(kSize, 8192);
    set_src(kSrc);
    set_dst(kDst);
  }
  // Every failed transfer still raises the completion interrupt.
  void expect_status(uint32_t status) {
    EXPECT_EQ(acknowledge(), status | kStIrqRaised);
    EXPECT_EQ(host.msi, std::vector<uint32_t>{0});
  }
};

TEST_F(EpfTlmInvalidDma, ReadFromUnreachableSource) {
  set_src(kBad);
  command(kCmdRead);
  expect_status(kStReadFail | kStSrcAddrInvalid);
  EXPECT_TRUE(logged("TLM_ADDRESS_ERROR_RESPONSE")) << sc::testing::all_logs();
}

TEST_F(EpfTlmInvalidDma, WriteToUnreachableDestinationKeepsTheChecksum) {
  wr(kChecksum, 0x1234);
  set_dst(kBad - 4096);  // the transfer runs into the refused range
  command(kCmdWrite);
  expect_status(kStWriteFail | kStDstAddrInvalid);
  EXPECT_EQ(rd(kChecksum), 0x1234u);
}

TEST_F(EpfTlmInvalidDma, CopyFromUnreachableSource) {
  set_src(kBad);
  command(kCmdCopy);
  expect_status(kStCopyFail | kStSrcAddrInvalid);
  EXPECT_EQ(host.dma_writes, 0u);
}

TEST_F(EpfTlmInvalidDma, CopyToUnreachableDestination) {
  set_dst(kBad);
  command(kCmdCopy);
  expect_status(kStCopyFail | kStDstAddrInvalid);
}

TEST_F(EpfTlmInvalidDma, AddressThatWrapsIsInvalid) {
  set_src(~uint64_t{0} - 100);
  command(kCmdRead);
  expect_status(kStReadFail | kStSrcAddrInvalid);
  EXPECT_TRUE(logged("wraps"));
  EXPECT_EQ(host.dma_reads, 0u);
}

TEST_F(EpfTlmInvalidDma, SizeOutOfRangeFailsWithoutDma) {
  wr(kSize, 0);
  command(kCmdRead);
  expect_status(kStReadFail);
  EXPECT_TRUE(logged("SIZE 0 is not"));
  host.clear_records();
  wr(kSize, kMaxTransfer + 1);
  command(kCmdWrite);
  expect_status(kStWriteFail);
  EXPECT_EQ(host.dma_reads + host.dma_writes, 0u);
}

TEST_F(EpfTlmInvalidDma, NoHostAttached) {
  dev->attach(nullptr);
  command(kCmdRead);
  dev->attach(&timed);
  EXPECT_EQ(rd(kStatus), kStReadFail | kStSrcAddrInvalid | kStIrqRaised);
  EXPECT_TRUE(logged("no host attached"));
  EXPECT_TRUE(host.msi.empty());  // lost: nobody to send it to
}

// ---- The bus: byte enables and response statuses ------------------------------------

class EpfTlmBus : public EpfTlmBench {};

TEST_F(EpfTlmBus, ByteEnablesSelectTheBytesWritten) {
  wr(kMagic, 0x11223344);
  uint8_t data[4] = {0xDD, 0xCC, 0xBB, 0xAA};
  const uint8_t be[4] = {0xff, 0x00, 0xff, 0x00};
  ASSERT_TRUE(transport(0, tlm::TLM_WRITE_COMMAND, kMagic, data, 4, be, 4).is_ok());
  EXPECT_EQ(trans.get_response_status(), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(rd(kMagic), 0x11BB33DDu);
}

TEST_F(EpfTlmBus, ByteEnablesOnAReadLeaveDisabledBytesAlone) {
  wr(kMagic, 0x11223344);
  uint8_t data[4] = {0x5A, 0x5A, 0x5A, 0x5A};
  const uint8_t be[4] = {0x00, 0xff, 0x00, 0xff};
  ASSERT_TRUE(transport(0, tlm::TLM_READ_COMMAND, kMagic, data, 4, be, 4).is_ok());
  EXPECT_EQ(data[0], 0x5A);
  EXPECT_EQ(data[1], 0x33);
  EXPECT_EQ(data[2], 0x5A);
  EXPECT_EQ(data[3], 0x11);
}

TEST_F(EpfTlmBus, AShortByteEnablePatternRepeats) {
  uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  const uint8_t be[2] = {0xff, 0x00};
  ASSERT_TRUE(transport(1, tlm::TLM_WRITE_COMMAND, 8, data, 8, be, 2).is_ok());
  uint64_t v = 0;
  ASSERT_TRUE(dev->bar_read(1, 8, 8, v).is_ok());
  EXPECT_EQ(v, 0x0007000500030001ull);
}

TEST_F(EpfTlmBus, ADisabledCommandByteStartsNothing) {
  wr(kIrqNumber, 1);
  uint8_t data[4] = {kCmdRaiseMsi, 0, 0, 0};
  const uint8_t be[4] = {0x00, 0xff, 0xff, 0xff};
  ASSERT_TRUE(transport(0, tlm::TLM_WRITE_COMMAND, kCommand, data, 4, be, 4).is_ok());
  ASSERT_TRUE(run_until_idle(*dev));
  EXPECT_TRUE(host.msi.empty());
}

TEST_F(EpfTlmBus, EveryErrorResponseIsAnErrorStatus) {
  uint8_t data[16] = {};
  const uint8_t be[1] = {0xff};
  struct Case {
    const char* what;
    std::function<Status()> run;
    tlm::tlm_response_status expected;
  } cases[] = {
      {"zero-length byte enables", [&] { return transport(0, tlm::TLM_WRITE_COMMAND, 0, data, 4, be, 0); },
       tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE},
      {"16-byte burst", [&] { return transport(1, tlm::TLM_READ_COMMAND, 0, data, 16); },
       tlm::TLM_BURST_ERROR_RESPONSE},
      {"streaming", [&] { return transport(1, tlm::TLM_WRITE_COMMAND, 0, data, 8, nullptr, 0, 4); },
       tlm::TLM_BURST_ERROR_RESPONSE},
      {"beyond BAR1", [&] { return transport(1, tlm::TLM_READ_COMMAND, 510, data, 4); },
       tlm::TLM_ADDRESS_ERROR_RESPONSE},
  };
  for (auto& c : cases) {
    const Status s = c.run();
    EXPECT_EQ(trans.get_response_status(), c.expected) << c.what;
    EXPECT_EQ(s.code(), ErrorCode::kDeviceError) << c.what;
    EXPECT_NE(s.message().find(trans.get_response_string()), std::string::npos) << c.what << ": " << s.message();
  }
  // The device carries on after a guest's bad access.
  EXPECT_TRUE(dev->failure().is_ok());
  wr(kMagic, 7);
  EXPECT_EQ(rd(kMagic), 7u);
}

TEST_F(EpfTlmBus, IgnoreCommandChangesNothing) {
  wr(kMagic, 0x42);
  uint8_t data[4] = {0xff, 0xff, 0xff, 0xff};
  ASSERT_TRUE(transport(0, tlm::TLM_IGNORE_COMMAND, kMagic, data, 4).is_ok());
  EXPECT_EQ(rd(kMagic), 0x42u);
}

TEST_F(EpfTlmBus, TransportOnAnAbsentBarIsRefused) {
  uint8_t data[4] = {};
  EXPECT_EQ(transport(6, tlm::TLM_READ_COMMAND, 0, data, 4).code(), ErrorCode::kBadBar);
}

// ---- Time -------------------------------------------------------------------------------

class EpfTlmTime : public EpfTlmBench {};

TEST_F(EpfTlmTime, RegisterAccessesRunAheadOfTheKernelUntilTheQuantum) {
  // Quantum keepers sync at multiples of the global quantum: start at one.
  const uint64_t k = sc_core::sc_time_stamp().value();
  dev->advance_to(dev->now_ps() + ((k / kUs + 1) * kUs - k));
  const uint64_t t0 = dev->now_ps();
  const sc_core::sc_time k0 = sc_core::sc_time_stamp();
  for (int i = 0; i < 10; ++i) wr(kMagic, static_cast<uint32_t>(i));
  EXPECT_EQ(dev->now_ps(), t0 + 10 * 10 * kNs);
  EXPECT_EQ(sc_core::sc_time_stamp(), k0) << "100 ns of lead is below the 1 us quantum: no sync";
  for (int i = 0; i < 100; ++i) rd(kMagic);
  EXPECT_EQ(dev->now_ps(), t0 + 110 * 10 * kNs);
  EXPECT_GT(sc_core::sc_time_stamp(), k0) << "1.1 us of lead exceeds the quantum: the master synced";
  EXPECT_FALSE(dev->next_event_ps().has_value()) << "an idle device has no next event";
}

TEST_F(EpfTlmTime, InterruptArrivesAtTheSimulatedCompletionTime) {
  wr(kIrqType, kIrqMsi);
  wr(kIrqNumber, 1);
  wr(kSize, 65536);
  set_src(kSrc);
  wr(kChecksum, crc_of(host.bytes(kSrc, 65536)));
  const uint64_t before = dev->now_ps();
  wr(kCommand, kCmdRead);
  const auto next = dev->next_event_ps();
  ASSERT_TRUE(next.has_value()) << "a command in flight is a next event";
  ASSERT_TRUE(run_until_idle(*dev));
  ASSERT_EQ(timed.events.size(), 1u);
  // Accepted one latency after the write ends; then 64 KiB at 4 B/ns of DMA
  // and 8 B/ns of CRC.
  const uint64_t accepted = before + 10 * kNs;
  EXPECT_EQ(timed.events[0].time_ps, accepted + 16384 * kNs + 8192 * kNs);
  ASSERT_EQ(timed.dma_times.size(), 1u);
  EXPECT_EQ(timed.dma_times[0], accepted) << "the DMA carries the time it was issued";
  EXPECT_EQ(acknowledge(), kStReadSuccess | kStIrqRaised);
  EXPECT_FALSE(dev->next_event_ps().has_value());
}

TEST_F(EpfTlmTime, AdvanceMovesAnIdleDevicesClock) {
  dev->advance_to(5 * kUs);
  EXPECT_EQ(dev->now_ps(), 5 * kUs);
  dev->advance_to(3 * kUs);  // never backwards
  EXPECT_EQ(dev->now_ps(), 5 * kUs);
  wr(kMagic, 1);
  EXPECT_EQ(dev->now_ps(), 5 * kUs + 10 * kNs);
}

}  // namespace
}  // namespace cosim::epf_test::testing
