// cosim-host serving tlm:epf-test in a process of its own, driven over ipc://
// by a RemoteDevice playing Linux's pci_endpoint_test driver (the integration
// suite's GuestDriver): BARs, every interrupt kind, transfers at pcitest's
// sizes, the script's order in one session, and the host's TLM options.
// Suites are named TlmHost*.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <tuple>

#include "epf_test_regs.h"
#include "guest_driver.h"
#include "guest_memory.h"
#include "integration_fixture.h"

namespace cosim::integration {
namespace {

using namespace std::chrono;
using namespace cosim::epf_test;

class TlmHostBase : public IntegrationTest {
 protected:
  void open_device(std::vector<std::string> params = {}) {
    HostOptions o;
    o.model = "tlm:epf-test";
    o.params = std::move(params);
    ASSERT_NO_FATAL_FAILURE(start_host(Net::kIpc, o, host_));
    auto dev = connect(host_.endpoint);
    ASSERT_TRUE(dev) << "connecting to " << host_.endpoint << ": " << dev.status().to_string();
    device_ = std::move(dev).value();
    device_->attach(&memory_);
    driver_ = std::make_unique<GuestDriver>(*device_, memory_);
    ASSERT_EQ(device_->description().vendor_id, kVendorTi);
  }

  void TearDown() override {
    if (device_ && !HasFailure()) {
      device_->close("test finished");
      const auto st = host_.process->wait_exit(seconds(5));
      EXPECT_TRUE(st.has_value()) << "cosim-host --once still runs 5 s after the frontend's goodbye";
      if (st) {
        EXPECT_EQ(*st, 0) << "cosim-host " << describe_wait_status(*st);
      }
    }
    driver_.reset();
    device_.reset();
    IntegrationTest::TearDown();
  }

  Host host_;
  GuestMemory memory_;
  std::unique_ptr<RemoteDevice> device_;
  std::unique_ptr<GuestDriver> driver_;
};

class TlmHostPcitest : public TlmHostBase {};

// pcitest -b 0..5; BAR5 made 64 KiB so the word-by-word test stays short.
TEST_F(TlmHostPcitest, BarTests) {
  ASSERT_NO_FATAL_FAILURE(open_device({"bar5=64k"}));
  Watchdog dog("pcitest -b 0..5", seconds(240), log_dir_);
  for (unsigned bar = 0; bar < 6; ++bar) EXPECT_TRUE(driver_->bar_test(bar)) << "pcitest -b " << bar;
}

TEST_F(TlmHostPcitest, EveryInterruptKind) {
  ASSERT_NO_FATAL_FAILURE(open_device());
  Watchdog dog("pcitest -l, -m 1..32, -x", seconds(120), log_dir_);
  driver_->set_irq_type(kIrqIntx);
  EXPECT_TRUE(driver_->legacy_irq());
  driver_->set_irq_type(kIrqMsi);
  for (uint32_t n = 1; n <= 32; ++n) ASSERT_TRUE(driver_->msi_irq(n, false)) << "pcitest -m " << n;
  driver_->set_irq_type(kIrqMsix);
  for (uint32_t n : {1u, 2u, 64u, 2047u, 2048u}) ASSERT_TRUE(driver_->msi_irq(n, true)) << "pcitest -x " << n;
}

enum class Op { kRead, kWrite, kCopy };
const char* to_string(Op op) { return op == Op::kRead ? "read" : op == Op::kWrite ? "write" : "copy"; }

class TlmHostTransfer : public TlmHostBase, public ::testing::WithParamInterface<std::tuple<Op, uint32_t, uint32_t>> {};

TEST_P(TlmHostTransfer, CompletesWithMatchingCrc) {
  const auto [op, size, irq_type] = GetParam();
  ASSERT_NO_FATAL_FAILURE(open_device());
  Watchdog dog(std::string("pcitest ") + to_string(op) + " -s " + std::to_string(size), seconds(60), log_dir_);
  driver_->set_irq_type(irq_type);
  switch (op) {
    case Op::kRead: EXPECT_TRUE(driver_->read_test(size)); break;
    case Op::kWrite: EXPECT_TRUE(driver_->write_test(size)); break;
    case Op::kCopy: EXPECT_TRUE(driver_->copy_test(size)); break;
  }
  EXPECT_GE(memory_.dma_bytes, uint64_t{size} * (op == Op::kCopy ? 2 : 1));
  EXPECT_EQ(memory_.dma_faults, 0u);
}

std::string transfer_name(const ::testing::TestParamInfo<std::tuple<Op, uint32_t, uint32_t>>& info) {
  std::string name = std::string(to_string(std::get<0>(info.param))) + "_" + std::to_string(std::get<1>(info.param)) +
                     "_" + irq_type_name(std::get<2>(info.param));
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(PcitestSizes, TlmHostTransfer,
                         ::testing::Combine(::testing::Values(Op::kRead, Op::kWrite, Op::kCopy),
                                            ::testing::Values(1u, 1024u, 1025u, 1024000u, 1024001u),
                                            ::testing::Values(kIrqMsi)),
                         transfer_name);
INSTANTIATE_TEST_SUITE_P(IrqKinds, TlmHostTransfer,
                         ::testing::Combine(::testing::Values(Op::kRead, Op::kWrite, Op::kCopy),
                                            ::testing::Values(1025u), ::testing::Values(kIrqIntx, kIrqMsix)),
                         transfer_name);

// pcitest.sh's order on one open device, with -d: state one test leaves (an
// INTx level, STATUS, the WRITE counter) must not break the next.
TEST_F(TlmHostPcitest, ScriptOrderInOneSession) {
  ASSERT_NO_FATAL_FAILURE(open_device({"quantum=250ns", "dma_bw=2", "crc_bw=16"}));
  Watchdog dog("pcitest.sh sequence", seconds(120), log_dir_);
  for (unsigned bar = 0; bar < 3; ++bar) ASSERT_TRUE(driver_->bar_test(bar));
  driver_->set_irq_type(kIrqIntx);
  ASSERT_TRUE(driver_->legacy_irq());
  driver_->set_irq_type(kIrqMsi);
  for (uint32_t n : {1u, 32u}) ASSERT_TRUE(driver_->msi_irq(n, false));
  driver_->set_irq_type(kIrqMsix);
  for (uint32_t n : {1u, 2048u}) ASSERT_TRUE(driver_->msi_irq(n, true));
  for (uint32_t type : {kIrqMsi, kIrqIntx, kIrqMsix}) {
    driver_->set_irq_type(type);
    for (uint32_t size : {1u, 1024001u}) {
      ASSERT_TRUE(driver_->read_test(size, true)) << irq_type_name(type) << " -r -s " << size;
      ASSERT_TRUE(driver_->write_test(size, true)) << irq_type_name(type) << " -w -s " << size;
      ASSERT_TRUE(driver_->copy_test(size, true)) << irq_type_name(type) << " -c -s " << size;
    }
  }
  EXPECT_TRUE(device_->alive());
  // Simulated time went forward, carried on the host's messages.
  EXPECT_GT(device_->now_ps(), 0u);
}

// ---- The host's command line for TLM models ---------------------------------------

class TlmHostOptions : public IntegrationTest {
 protected:
  // Runs cosim-host with `args` (plus an endpoint) and returns its exit
  // status; its log is in `log`.
  int run_host(std::vector<std::string> args, std::string& log) {
    args.insert(args.end(), {"--endpoint", ipc_endpoint("opt")});
    ChildProcess p(COSIM_HOST_PATH, args, log_dir_ + "/host.log");
    const auto st = p.wait_exit(seconds(10));
    log = p.log();
    return st ? *st : -1;
  }
};

TEST_F(TlmHostOptions, QuantumOptionReachesTheModel) {
  HostOptions o;
  o.model = "tlm:epf-test";
  Host h;
  ASSERT_NO_FATAL_FAILURE(start_host(Net::kIpc, o, h));
  EXPECT_TRUE(h.process->wait_for_log("quantum 1 us", seconds(5))) << h.process->log();
  ChildProcess q(COSIM_HOST_PATH, {"--model", "tlm:epf-test", "--quantum", "20ns", "--endpoint", ipc_endpoint("q")},
                 log_dir_ + "/quantum.log");
  EXPECT_TRUE(q.wait_for_log("quantum 20 ns", seconds(5))) << q.log();
}

TEST_F(TlmHostOptions, BadOptionsFailAtStartNamingTheOption) {
  std::string log;
  EXPECT_EQ(run_host({"--model", "tlm:epf-test", "--quantum", "fast"}, log), 2 << 8) << log;
  EXPECT_NE(log.find("--quantum 'fast': must be a duration"), std::string::npos) << log;
  EXPECT_EQ(run_host({"--model", "tlm:epf-test", "--param", "dma_bw=0"}, log), 2 << 8) << log;
  EXPECT_NE(log.find("dma_bw='0'"), std::string::npos) << log;
  EXPECT_EQ(run_host({"--model", "tlm:nope"}, log), 2 << 8) << log;
  EXPECT_NE(log.find("unknown model 'tlm:nope'"), std::string::npos) << log;
}

}  // namespace
}  // namespace cosim::integration
