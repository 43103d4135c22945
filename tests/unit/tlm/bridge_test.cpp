// The TLM adapter (TlmDevice) with a test model: BAR accesses as b_transport,
// every response status, annotated and waited time, next events, the DMA
// target (odd lengths and alignments, byte enables, every failure), INTx and
// MSI/MSI-X, and a simulation that fails. Suites are named TlmBridge*.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "test_model.h"
#include "tlm_bench.h"

namespace cosim::sc::testing {
namespace {

using sc_core::SC_NS;
using sc_core::sc_time;

constexpr uint64_t kNs = 1000;
constexpr uint64_t kUs = 1000 * kNs;
constexpr uint64_t kRam = 0x2'0000'0000ull;
constexpr uint64_t kRamSize = 1024 * 1024;

// A HostPort whose DMA fails with a chosen error, as a lost or refusing peer would.
class FailingHost final : public HostPort {
 public:
  explicit FailingHost(ErrorCode code) : code_(code) {}
  Status dma_read(uint64_t, std::span<uint8_t>) override { return {code_, "failing host"}; }
  Status dma_write(uint64_t, std::span<const uint8_t>) override { return {code_, "failing host"}; }
  void set_intx(bool) override {}
  void raise_msi(uint32_t) override {}
  void raise_msix(uint32_t) override {}

 private:
  ErrorCode code_;
};

class TlmBridgeBench : public ::testing::Test {
 protected:
  void SetUp() override {
    dev = &shared_device([] {
      TlmOptions o;
      o.quantum_ps = 1 * kUs;
      o.log = log_sink();
      return TlmDevice::create("test-model", [] { return Result<std::unique_ptr<TlmModel>>(std::make_unique<TestModel>("test_model")); }, o);
    });
    model = &static_cast<TestModel&>(dev->model());
    // The test model's controls back to plain behaviour.
    model->respond.reset();
    model->latency = model->wait_in_transport = sc_core::SC_ZERO_TIME;
    model->wait_forever = model->throw_in_transport = model->stop_in_transport = false;
    model->dma = {};
    host.add_region(kRam, kRamSize);
    timed.device = dev;
    dev->attach(&timed);
    dev->reset(ResetKind::kSystem);
    model->resets.clear();
    ASSERT_TRUE(dev->failure().is_ok()) << dev->failure().to_string();
    host.clear_records();
    timed.events.clear();
    timed.dma_times.clear();
    logs().clear();
  }
  void TearDown() override { dev->attach(nullptr); }

  // Runs `dma` through the model's doorbell and the device until idle.
  void run_dma() {
    ASSERT_TRUE(dev->bar_write(0, TestModel::kDoorbellDma, 4, 1).is_ok());
    ASSERT_TRUE(run_until_idle(*dev));
    ASSERT_TRUE(model->dma.done);
  }
  // Puts the kernel on a multiple of the quantum, where quantum keepers sync.
  void align_to_quantum() {
    const uint64_t k = sc_core::sc_time_stamp().value();
    dev->advance_to(dev->now_ps() + ((k / kUs + 1) * kUs - k));
  }

  TlmDevice* dev = nullptr;
  TestModel* model = nullptr;
  FakeHost host;
  TimedHost timed{host};
};

// ---- BAR accesses -----------------------------------------------------------------

class TlmBridgeAccess : public TlmBridgeBench {};

TEST_F(TlmBridgeAccess, EachAccessIsOneTransactionOfItsSize) {
  for (unsigned size : {1u, 2u, 4u, 8u}) {
    const unsigned before = model->accesses;
    ASSERT_TRUE(dev->bar_write(0, 8 * size, size, 0xa5).is_ok());
    EXPECT_EQ(model->accesses, before + 1);
    EXPECT_EQ(model->last.bar, 0u);
    EXPECT_EQ(model->last.command, tlm::TLM_WRITE_COMMAND);
    EXPECT_EQ(model->last.address, 8u * size);
    EXPECT_EQ(model->last.length, size);
    EXPECT_EQ(model->last.streaming_width, size);
    EXPECT_FALSE(model->last.byte_enables);
    uint64_t v = 0;
    ASSERT_TRUE(dev->bar_read(0, 8 * size, size, v).is_ok());
    EXPECT_EQ(model->last.command, tlm::TLM_READ_COMMAND);
    EXPECT_EQ(v, 0xa5u) << "size " << size;
  }
}

TEST_F(TlmBridgeAccess, ValuesAreLittleEndian) {
  ASSERT_TRUE(dev->bar_write(4, 0x100, 8, 0x0807060504030201ull).is_ok());
  for (unsigned i = 0; i < 8; ++i) EXPECT_EQ(model->mem[4][0x100 + i], i + 1);
  uint64_t v = 0;
  ASSERT_TRUE(dev->bar_read(4, 0x102, 2, v).is_ok());
  EXPECT_EQ(v, 0x0403u);
}

TEST_F(TlmBridgeAccess, IoBarTakesUpToFourBytes) {
  ASSERT_TRUE(dev->bar_write(2, 4, 4, 0xdeadbeef).is_ok());
  const unsigned before = model->accesses;
  uint64_t v = 0;
  const Status s = dev->bar_read(2, 0, 8, v);
  EXPECT_EQ(s.code(), ErrorCode::kBadSize) << s.to_string();
  EXPECT_EQ(model->accesses, before) << "refused before it reached the model";
  EXPECT_EQ(v, ~uint64_t{0});
}

class TlmBridgeResponse : public TlmBridgeBench, public ::testing::WithParamInterface<tlm::tlm_response_status> {};

TEST_P(TlmBridgeResponse, IsAnErrorStatusNeverAValue) {
  model->respond = GetParam();
  uint64_t v = 0;
  Status s = dev->bar_read(0, 0x10, 4, v);
  EXPECT_EQ(s.code(), ErrorCode::kDeviceError);
  EXPECT_EQ(v, ~uint64_t{0});
  tlm::tlm_generic_payload names;
  names.set_response_status(GetParam());
  EXPECT_NE(s.message().find(names.get_response_string()), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("BAR0 read of 4 bytes at 0x10"), std::string::npos) << s.message();
  s = dev->bar_write(4, 0x20, 8, 1);
  EXPECT_EQ(s.code(), ErrorCode::kDeviceError);
  EXPECT_NE(s.message().find("BAR4 write of 8 bytes at 0x20"), std::string::npos) << s.message();
  // A model's error answer is the guest's problem, not the simulation's.
  model->respond.reset();
  EXPECT_TRUE(dev->failure().is_ok());
  EXPECT_TRUE(dev->bar_read(0, 0x10, 4, v).is_ok());
}

INSTANTIATE_TEST_SUITE_P(AllErrors, TlmBridgeResponse,
                         ::testing::Values(tlm::TLM_INCOMPLETE_RESPONSE, tlm::TLM_GENERIC_ERROR_RESPONSE,
                                           tlm::TLM_ADDRESS_ERROR_RESPONSE, tlm::TLM_COMMAND_ERROR_RESPONSE,
                                           tlm::TLM_BURST_ERROR_RESPONSE, tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE),
                         [](const auto& info) {
                           tlm::tlm_generic_payload t;
                           t.set_response_status(info.param);
                           return t.get_response_string();
                         });

// ---- Time ------------------------------------------------------------------------------

class TlmBridgeTime : public TlmBridgeBench {};

TEST_F(TlmBridgeTime, AnnotatedLatencyRunsAheadUntilTheQuantum) {
  align_to_quantum();
  const uint64_t t0 = dev->now_ps();
  const sc_time k0 = sc_core::sc_time_stamp();
  model->latency = sc_time(300, SC_NS);
  for (uint64_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(dev->bar_write(0, 0, 4, i).is_ok());
    EXPECT_EQ(model->last.delay, sc_time(300.0 * static_cast<double>(i), SC_NS)) << "the master's lead, passed in";
    EXPECT_EQ(dev->now_ps(), t0 + (i + 1) * 300 * kNs);
  }
  EXPECT_EQ(sc_core::sc_time_stamp(), k0);
  ASSERT_TRUE(dev->bar_write(0, 0, 4, 3).is_ok());  // 1.2 us of lead: sync
  EXPECT_EQ(sc_core::sc_time_stamp(), k0 + sc_time(1200, SC_NS));
  EXPECT_EQ(dev->now_ps(), t0 + 1200 * kNs);
}

TEST_F(TlmBridgeTime, ATargetThatWaitsMovesTheKernel) {
  const sc_time k0 = sc_core::sc_time_stamp();
  const uint64_t t0 = dev->now_ps();
  model->wait_in_transport = sc_time(50, SC_NS);
  uint64_t v = 0;
  ASSERT_TRUE(dev->bar_read(0, 0, 4, v).is_ok());
  EXPECT_EQ(sc_core::sc_time_stamp(), k0 + sc_time(50, SC_NS));
  EXPECT_EQ(dev->now_ps(), t0 + 50 * kNs);
}

TEST_F(TlmBridgeTime, NextEventAndAdvanceDeliverTimedWork) {
  EXPECT_FALSE(dev->next_event_ps().has_value());
  const uint64_t t0 = dev->now_ps();
  ASSERT_TRUE(dev->bar_write(0, TestModel::kDoorbellTimedMsi, 4, 500).is_ok());
  const auto next = dev->next_event_ps();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, t0 + 500 * kNs);
  dev->advance_to(*next - 1);
  EXPECT_TRUE(host.msi.empty());
  EXPECT_EQ(dev->now_ps(), *next - 1);
  dev->advance_to(*next);
  EXPECT_EQ(host.msi, std::vector<uint32_t>{0});
  ASSERT_EQ(timed.events.size(), 1u);
  EXPECT_EQ(timed.events[0].time_ps, *next);
  EXPECT_FALSE(dev->next_event_ps().has_value());
}

TEST_F(TlmBridgeTime, ResetRestartsDeviceTimeAndResetsTheModel) {
  dev->advance_to(7 * kUs);
  ASSERT_TRUE(dev->bar_write(0, 0x40, 4, 9).is_ok());
  dev->reset(ResetKind::kFunctionLevel);
  EXPECT_EQ(dev->now_ps(), 0u);
  EXPECT_EQ(model->resets, std::vector<ResetKind>{ResetKind::kFunctionLevel});
  uint64_t v = 1;
  ASSERT_TRUE(dev->bar_read(0, 0x40, 4, v).is_ok());
  EXPECT_EQ(v, 0u);
}

// ---- DMA ---------------------------------------------------------------------------

struct DmaShape {
  bool write;
  uint64_t misalign;
  uint32_t length;
};

class TlmBridgeDmaShapes : public TlmBridgeBench, public ::testing::WithParamInterface<DmaShape> {};

TEST_P(TlmBridgeDmaShapes, MovesExactlyTheBytesAsked) {
  const auto [write, misalign, length] = GetParam();
  const uint64_t address = kRam + 0x1000 + misalign;
  std::mt19937 gen(length);
  auto guest = host.bytes(kRam, kRamSize);
  for (auto& b : guest) b = static_cast<uint8_t>(gen());
  std::vector<uint8_t> before(guest.begin(), guest.end());
  model->dma.command = write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND;
  model->dma.address = address;
  model->dma.data.resize(length);
  for (auto& b : model->dma.data) b = static_cast<uint8_t>(gen());
  const std::vector<uint8_t> sent = model->dma.data;
  ASSERT_NO_FATAL_FAILURE(run_dma());
  EXPECT_EQ(model->dma.response, tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(host.dma_reads + host.dma_writes, 1u) << "one HostPort call, whatever the length";
  const size_t off = address - kRam;
  if (write) {
    EXPECT_TRUE(std::equal(sent.begin(), sent.end(), guest.begin() + static_cast<ptrdiff_t>(off)));
    // Nothing around the range changed.
    EXPECT_TRUE(std::equal(before.begin(), before.begin() + static_cast<ptrdiff_t>(off), guest.begin()));
    EXPECT_TRUE(std::equal(before.begin() + static_cast<ptrdiff_t>(off + length), before.end(),
                           guest.begin() + static_cast<ptrdiff_t>(off + length)));
  } else {
    EXPECT_TRUE(std::equal(model->dma.data.begin(), model->dma.data.end(), guest.begin() + static_cast<ptrdiff_t>(off)));
  }
}

std::vector<DmaShape> dma_shapes() {
  std::vector<DmaShape> out;
  for (bool write : {false, true})
    for (uint64_t misalign : {0u, 1u, 3u, 7u})
      for (uint32_t length : {1u, 3u, 7u, 64u, 4097u, 300000u}) out.push_back({write, misalign, length});
  return out;
}

INSTANTIATE_TEST_SUITE_P(OddLengthsAndAlignments, TlmBridgeDmaShapes, ::testing::ValuesIn(dma_shapes()),
                         [](const auto& info) {
                           return std::string(info.param.write ? "Write" : "Read") + "_at" +
                                  std::to_string(info.param.misalign) + "_len" + std::to_string(info.param.length);
                         });

class TlmBridgeDma : public TlmBridgeBench {};

TEST_F(TlmBridgeDma, ByteEnablesWriteOnlyTheEnabledBytes) {
  auto guest = host.bytes(kRam, 16);
  std::fill(guest.begin(), guest.end(), 0xEE);
  model->dma.command = tlm::TLM_WRITE_COMMAND;
  model->dma.address = kRam;
  model->dma.data = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  model->dma.byte_enables = {0xff, 0x00, 0xff, 0xff};  // repeats every 4 bytes
  ASSERT_NO_FATAL_FAILURE(run_dma());
  EXPECT_EQ(model->dma.response, tlm::TLM_OK_RESPONSE);
  const std::vector<uint8_t> expected = {0, 0xEE, 2, 3, 4, 0xEE, 6, 7, 8, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE};
  EXPECT_EQ(std::vector<uint8_t>(guest.begin(), guest.end()), expected);
  EXPECT_EQ(host.dma_writes, 3u) << "one DMA per run of enabled bytes";
}

TEST_F(TlmBridgeDma, ByteEnablesOnAReadLeaveDisabledBytesAlone) {
  auto guest = host.bytes(kRam, 6);
  for (unsigned i = 0; i < 6; ++i) guest[i] = static_cast<uint8_t>(0x10 + i);
  model->dma.command = tlm::TLM_READ_COMMAND;
  model->dma.address = kRam;
  model->dma.data.assign(6, 0x77);
  model->dma.byte_enables = {0x00, 0xff};
  ASSERT_NO_FATAL_FAILURE(run_dma());
  EXPECT_EQ(model->dma.data, (std::vector<uint8_t>{0x77, 0x11, 0x77, 0x13, 0x77, 0x15}));
}

TEST_F(TlmBridgeDma, FailuresBecomeResponseStatuses) {
  struct Case {
    const char* what;
    std::function<void(TestModel::Dma&)> set;
    tlm::tlm_response_status expected;
    HostPort* host = nullptr;  // nullptr: the bench's host
  };
  FailingHost lost(ErrorCode::kPeerLost);
  FailingHost fault(ErrorCode::kDmaFault);
  Case cases[] = {
      {"outside guest memory", [](auto& d) { d.address = kRam + kRamSize - 2; d.data.resize(4); },
       tlm::TLM_ADDRESS_ERROR_RESPONSE},
      {"refused by the frontend", [](auto& d) { d.address = kRam; d.data.resize(4); }, tlm::TLM_ADDRESS_ERROR_RESPONSE,
       &fault},
      {"peer lost", [](auto& d) { d.address = kRam; d.data.resize(4); }, tlm::TLM_GENERIC_ERROR_RESPONSE, &lost},
      {"wraps", [](auto& d) { d.address = ~uint64_t{0} - 1; d.data.resize(4); }, tlm::TLM_ADDRESS_ERROR_RESPONSE},
      {"streaming", [](auto& d) { d.address = kRam; d.data.resize(8); d.streaming_width = 4; },
       tlm::TLM_BURST_ERROR_RESPONSE},
      {"byte enable length 0",
       [](auto& d) {
         d.address = kRam;
         d.data.resize(8);
         d.byte_enables = {0xff};
         d.byte_enable_length_zero = true;
       },
       tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE},
      {"ignore", [](auto& d) { d.command = tlm::TLM_IGNORE_COMMAND; d.address = ~uint64_t{0}; d.data.resize(4); },
       tlm::TLM_OK_RESPONSE},
      {"zero length", [](auto& d) { d.address = ~uint64_t{0}; }, tlm::TLM_OK_RESPONSE},
  };
  for (auto& c : cases) {
    model->dma = {};
    c.set(model->dma);
    if (c.host) dev->attach(c.host);
    host.clear_records();
    ASSERT_NO_FATAL_FAILURE(run_dma()) << c.what;
    dev->attach(&timed);
    EXPECT_EQ(model->dma.response, c.expected) << c.what;
  }
  EXPECT_TRUE(dev->failure().is_ok());
}

TEST_F(TlmBridgeDma, WithoutAHostDmaIsAGenericError) {
  dev->attach(nullptr);
  model->dma.address = kRam;
  model->dma.data.resize(4);
  ASSERT_NO_FATAL_FAILURE(run_dma());
  EXPECT_EQ(model->dma.response, tlm::TLM_GENERIC_ERROR_RESPONSE);
  EXPECT_TRUE(logged("no host attached"));
}

TEST_F(TlmBridgeDma, DmaCarriesTheTimeTheModelAnnotated) {
  model->dma.address = kRam;
  model->dma.data.resize(16);
  model->dma.annotate = sc_time(250, SC_NS);
  const uint64_t t0 = dev->now_ps();
  ASSERT_NO_FATAL_FAILURE(run_dma());
  ASSERT_EQ(timed.dma_times.size(), 1u);
  EXPECT_EQ(timed.dma_times[0], t0 + 250 * kNs);
}

// ---- Interrupts ------------------------------------------------------------------------

class TlmBridgeIrq : public TlmBridgeBench {};

TEST_F(TlmBridgeIrq, IntxFollowsTheSignalLevel) {
  ASSERT_TRUE(dev->bar_write(0, TestModel::kDoorbellIntx, 4, 1).is_ok());
  EXPECT_EQ(host.intx_changes, std::vector<bool>{true}) << "delivered before the write returned";
  ASSERT_TRUE(dev->bar_write(0, TestModel::kDoorbellIntx, 4, 1).is_ok());
  EXPECT_EQ(host.intx_changes, std::vector<bool>{true}) << "no change, no message";
  FakeHost other;
  dev->attach(&other);
  EXPECT_EQ(other.intx_changes, std::vector<bool>{true}) << "a new host hears the asserted level";
  dev->attach(&timed);  // and so does the old one, attached again
  ASSERT_TRUE(dev->bar_write(0, TestModel::kDoorbellIntx, 4, 0).is_ok());
  EXPECT_EQ(host.intx_changes, (std::vector<bool>{true, true, false}));
}

TEST_F(TlmBridgeIrq, MsiAndMsixReachTheHost) {
  for (uint32_t v = 0; v < 4; ++v) ASSERT_TRUE(dev->bar_write(0, TestModel::kDoorbellMsi, 4, v).is_ok());
  ASSERT_TRUE(dev->bar_write(0, TestModel::kDoorbellMsix, 4, 7).is_ok());
  EXPECT_EQ(host.msi, (std::vector<uint32_t>{0, 1, 2, 3}));
  EXPECT_EQ(host.msix, std::vector<uint32_t>{7});
}

TEST_F(TlmBridgeIrq, VectorsBeyondTheDescriptionAreDropped) {
  ASSERT_TRUE(dev->bar_write(0, TestModel::kDoorbellMsi, 4, 4).is_ok());
  ASSERT_TRUE(dev->bar_write(0, TestModel::kDoorbellMsix, 4, 8).is_ok());
  EXPECT_TRUE(host.msi.empty());
  EXPECT_TRUE(host.msix.empty());
  EXPECT_TRUE(logged("raised MSI vector 4 (0-based) but describes 4 vectors")) << all_logs();
  EXPECT_TRUE(logged("raised MSI-X vector 8 (0-based) but describes 8 vectors")) << all_logs();
}

TEST_F(TlmBridgeIrq, AnInterruptWithoutAHostIsLoggedAsLost) {
  dev->attach(nullptr);
  ASSERT_TRUE(dev->bar_write(0, TestModel::kDoorbellMsi, 4, 1).is_ok());
  EXPECT_TRUE(logged("MSI vector 1 lost: no host attached"));
}

// ---- Misuse and failure ---------------------------------------------------------------

class TlmBridgeMisuse : public TlmBridgeBench {};

TEST_F(TlmBridgeMisuse, ADeviceCallFromInsideTheSimulationIsRefused) {
  Status inner;
  timed.on_dma = [&] {
    uint64_t v = 0;
    inner = dev->bar_read(0, 0, 4, v);
  };
  model->dma.address = kRam;
  model->dma.data.resize(4);
  ASSERT_NO_FATAL_FAILURE(run_dma());
  EXPECT_EQ(inner.code(), ErrorCode::kInternal) << inner.to_string();
  EXPECT_EQ(model->dma.response, tlm::TLM_OK_RESPONSE);
  EXPECT_TRUE(dev->failure().is_ok());
}

// A failed simulation cannot be recovered, so each case runs in a child process.
void expect_failure(TlmDevice& dev, ErrorCode code, const std::string& needle) {
  uint64_t v = 0;
  const Status s = dev.bar_read(0, 0, 4, v);
  std::fprintf(stderr, "status: %s\n", s.to_string().c_str());
  bool ok = s.code() == code && s.message().find(needle) != std::string::npos && v == ~uint64_t{0};
  // Everything after fails the same way, and the kernel is never run again.
  const Status again = dev.bar_write(0, 0, 4, 1);
  ok = ok && again.code() == s.code() && again.message() == s.message();
  ok = ok && dev.failure().code() == code && !dev.next_event_ps().has_value();
  std::fflush(stderr);
  std::_Exit(ok ? 0 : 1);
}

class TlmBridgeFailure : public TlmBridgeBench {};

TEST_F(TlmBridgeFailure, AnAccessThatNeverCompletes) {
  EXPECT_EXIT(
      {
        model->wait_forever = true;
        expect_failure(*dev, ErrorCode::kDeviceError, "never completed");
      },
      ::testing::ExitedWithCode(0), "BAR0 read of 4 bytes at 0x0 never completed: the model waits for an event");
}

TEST_F(TlmBridgeFailure, AnAccessBeyondTheTimeLimit) {
  EXPECT_EXIT(
      {
        model->wait_in_transport = sc_time(2, sc_core::SC_SEC);
        expect_failure(*dev, ErrorCode::kTimeout, "did not complete within 1 s of simulated time");
      },
      ::testing::ExitedWithCode(0), "timeout: BAR0 read");
}

TEST_F(TlmBridgeFailure, AModelThatThrows) {
  EXPECT_EXIT(
      {
        model->throw_in_transport = true;
        expect_failure(*dev, ErrorCode::kDeviceError, "test model: thrown from b_transport [in process");
      },
      ::testing::ExitedWithCode(0), "SystemC error during BAR0 read of 4 bytes at 0x0: uncaught exception: test model");
}

TEST_F(TlmBridgeFailure, AModelThatStopsTheKernel) {
  EXPECT_EXIT(
      {
        model->stop_in_transport = true;
        expect_failure(*dev, ErrorCode::kDeviceError, "stopped the simulation (sc_stop)");
      },
      ::testing::ExitedWithCode(0), "sc_stop");
}

}  // namespace
}  // namespace cosim::sc::testing
