// pcitest.sh (Linux 6.1 tools/pci) against a real cosim-host process serving
// native:epf-test, over real ipc:// and tcp:// sockets: BARs, INTx, MSI 1..32,
// MSI-X 1..2048, and read/write/copy at the script's sizes with every kind of
// completion interrupt.
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

// One session with a host serving epf-test with its default configuration.
class PcitestBase : public IntegrationTest {
 protected:
  void open_device(Net net) {
    ASSERT_NO_FATAL_FAILURE(start_host(net, HostOptions{}, host_));
    auto dev = connect(host_.endpoint);
    ASSERT_TRUE(dev) << "connecting to " << host_.endpoint << ": " << dev.status().to_string();
    device_ = std::move(dev).value();
    device_->attach(&memory_);
    driver_ = std::make_unique<GuestDriver>(*device_, memory_);
    const DeviceDescription& d = device_->description();
    ASSERT_EQ(d.vendor_id, kVendorTi);
    ASSERT_EQ(d.device_id, kDeviceDra74x);
  }

  // An orderly goodbye ends the host's --once session with status 0.
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

// ---- pcitest -b 0..5 --------------------------------------------------------

class PcitestBar : public PcitestBase, public ::testing::WithParamInterface<std::tuple<Net, unsigned>> {};

TEST_P(PcitestBar, WritesThenReadsEveryWord) {
  const auto [net, bar] = GetParam();
  ASSERT_NO_FATAL_FAILURE(open_device(net));
  Watchdog dog("pcitest -b " + std::to_string(bar), seconds(240), log_dir_);
  EXPECT_TRUE(driver_->bar_test(bar));
}

INSTANTIATE_TEST_SUITE_P(Pcitest, PcitestBar,
                         ::testing::Combine(::testing::Values(Net::kIpc, Net::kTcp, Net::kUnix), ::testing::Range(0u, 6u)),
                         [](const auto& info) {
                           return std::string(to_string(std::get<0>(info.param))) + "_bar" +
                                  std::to_string(std::get<1>(info.param));
                         });

// ---- pcitest -i N; -l / -m 1..32 / -x 1..2048 -----------------------------------

class PcitestIrq : public PcitestBase, public ::testing::WithParamInterface<Net> {};

TEST_P(PcitestIrq, LegacyIrqAssertsAndDropsIntx) {
  ASSERT_NO_FATAL_FAILURE(open_device(GetParam()));
  Watchdog dog("pcitest -l", seconds(30), log_dir_);
  driver_->set_irq_type(kIrqIntx);
  EXPECT_TRUE(driver_->legacy_irq());
}

TEST_P(PcitestIrq, MsiVectors1To32) {
  ASSERT_NO_FATAL_FAILURE(open_device(GetParam()));
  Watchdog dog("pcitest -m 1..32", seconds(60), log_dir_);
  driver_->set_irq_type(kIrqMsi);
  for (uint32_t n = 1; n <= 32; ++n) ASSERT_TRUE(driver_->msi_irq(n, false)) << "pcitest -m " << n;
}

TEST_P(PcitestIrq, MsixVectors1To2048) {
  ASSERT_NO_FATAL_FAILURE(open_device(GetParam()));
  Watchdog dog("pcitest -x 1..2048", seconds(200), log_dir_);
  driver_->set_irq_type(kIrqMsix);
  for (uint32_t n = 1; n <= 2048; ++n) ASSERT_TRUE(driver_->msi_irq(n, true)) << "pcitest -x " << n;
}

INSTANTIATE_TEST_SUITE_P(Pcitest, PcitestIrq, ::testing::Values(Net::kIpc, Net::kTcp, Net::kUnix),
                         [](const auto& info) { return std::string(to_string(info.param)); });

// ---- pcitest -r / -w / -c -s SIZE with IRQ type INTx, MSI, MSI-X ----------------

enum class Op { kRead, kWrite, kCopy };
const char* to_string(Op op) { return op == Op::kRead ? "read" : op == Op::kWrite ? "write" : "copy"; }
void PrintTo(Op op, std::ostream* os) { *os << to_string(op); }

class PcitestTransfer : public PcitestBase,
                        public ::testing::WithParamInterface<std::tuple<Net, Op, uint32_t, uint32_t>> {};

TEST_P(PcitestTransfer, CompletesWithMatchingCrc) {
  const auto [net, op, size, irq_type] = GetParam();
  ASSERT_NO_FATAL_FAILURE(open_device(net));
  Watchdog dog(std::string("pcitest ") + to_string(op) + " -s " + std::to_string(size), seconds(60), log_dir_);
  driver_->set_irq_type(irq_type);
  switch (op) {
    case Op::kRead: EXPECT_TRUE(driver_->read_test(size)); break;
    case Op::kWrite: EXPECT_TRUE(driver_->write_test(size)); break;
    case Op::kCopy: EXPECT_TRUE(driver_->copy_test(size)); break;
  }
  // Each transfer moved its bytes through the frontend's HostPort, not around it.
  EXPECT_GE(memory_.dma_bytes, uint64_t{size} * (op == Op::kCopy ? 2 : 1));
  EXPECT_EQ(memory_.dma_faults, 0u);
}

INSTANTIATE_TEST_SUITE_P(Pcitest, PcitestTransfer,
                         ::testing::Combine(::testing::Values(Net::kIpc, Net::kTcp, Net::kUnix),
                                            ::testing::Values(Op::kRead, Op::kWrite, Op::kCopy),
                                            ::testing::Values(1u, 1024u, 1025u, 1024000u, 1024001u),
                                            ::testing::Values(kIrqIntx, kIrqMsi, kIrqMsix)),
                         [](const auto& info) {
                           std::string name = std::string(to_string(std::get<0>(info.param))) + "_" +
                                              to_string(std::get<1>(info.param)) + "_" +
                                              std::to_string(std::get<2>(info.param)) + "_" +
                                              irq_type_name(std::get<3>(info.param));
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

// ---- one session, the script's order, with -d ---------------------------------

class PcitestSession : public PcitestBase, public ::testing::WithParamInterface<Net> {};

// pcitest.sh switches IRQ types and runs transfers back to back on one open
// device: state left by one test (STATUS, CHECKSUM, an INTx level, the
// WRITE pattern counter) must not break the next. Transfers ask for DMA (-d).
TEST_P(PcitestSession, ScriptOrderWithDmaFlag) {
  ASSERT_NO_FATAL_FAILURE(open_device(GetParam()));
  Watchdog dog("pcitest.sh sequence", seconds(120), log_dir_);
  for (unsigned bar = 0; bar < 3; ++bar) ASSERT_TRUE(driver_->bar_test(bar));
  driver_->set_irq_type(kIrqIntx);
  ASSERT_TRUE(driver_->legacy_irq());
  driver_->set_irq_type(kIrqMsi);
  for (uint32_t n : {1u, 2u, 31u, 32u}) ASSERT_TRUE(driver_->msi_irq(n, false)) << "pcitest -m " << n;
  driver_->set_irq_type(kIrqMsix);
  for (uint32_t n : {1u, 2u, 2047u, 2048u}) ASSERT_TRUE(driver_->msi_irq(n, true)) << "pcitest -x " << n;
  for (uint32_t type : {kIrqMsi, kIrqIntx, kIrqMsix}) {
    driver_->set_irq_type(type);
    for (uint32_t size : {1u, 1025u, 1024001u}) {
      ASSERT_TRUE(driver_->read_test(size, true)) << irq_type_name(type) << " -r -s " << size;
      ASSERT_TRUE(driver_->write_test(size, true)) << irq_type_name(type) << " -w -s " << size;
      ASSERT_TRUE(driver_->copy_test(size, true)) << irq_type_name(type) << " -c -s " << size;
    }
  }
  EXPECT_TRUE(device_->alive());
}

INSTANTIATE_TEST_SUITE_P(Pcitest, PcitestSession, ::testing::Values(Net::kIpc, Net::kTcp, Net::kUnix),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace cosim::integration
