// The example plug-in as a user runs it: built out of tree against the
// installed package (fixture example.timer.build), loaded by name into the
// installed cosim-host, and driven over ipc:// by a RemoteDevice, as QEMU's
// device would. Suites are named ExampleTimer*.
#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "cosim/bridge/session.h"
#include "guest_memory.h"
#include "host_process.h"
#include "integration_fixture.h"
#include "timer_regs.h"

namespace cosim::integration {
namespace {

using namespace std::chrono;

const std::string kHost = std::string(COSIM_EXAMPLE_PREFIX) + "/bin/cosim-host";

class ExampleTimer : public IntegrationTest {
 protected:
  // Starts the installed cosim-host serving `model` (--once) and connects.
  void open(const std::string& model, std::vector<std::string> extra = {}) {
    endpoint_ = ipc_endpoint("timer");
    std::vector<std::string> args = {"--model", model, "--endpoint", endpoint_, "--once"};
    args.insert(args.end(), extra.begin(), extra.end());
    host_ = std::make_unique<ChildProcess>(kHost, args, log_dir_ + "/host.log");
    ASSERT_TRUE(host_->wait_for_log("serving", seconds(10))) << host_->log();
    auto dev = connect(endpoint_);
    ASSERT_TRUE(dev) << dev.status().to_string();
    dev_ = std::move(dev).value();
    dev_->attach(&memory_);
  }

  void TearDown() override {
    if (dev_ && !HasFailure()) {
      dev_->close("test finished");
      const auto st = host_->wait_exit(seconds(5));
      EXPECT_TRUE(st.has_value());
      if (st) {
        EXPECT_EQ(*st, 0) << describe_wait_status(*st) << "\n" << host_->log();
      }
    }
    dev_.reset();
    host_.reset();
    IntegrationTest::TearDown();
  }

  uint32_t rd(unsigned bar, uint32_t offset) {
    uint64_t v = 0;
    const Status s = dev_->bar_read(bar, offset, 4, v);
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    return static_cast<uint32_t>(v);
  }
  void wr(unsigned bar, uint32_t offset, uint32_t v) { EXPECT_TRUE(dev_->bar_write(bar, offset, 4, v).is_ok()); }

  // Serves the device's asynchronous messages until `done` or `timeout`.
  bool pump(const std::function<bool()>& done, milliseconds timeout) {
    const auto end = steady_clock::now() + timeout;
    while (steady_clock::now() < end) {
      dev_->poll();
      if (done()) return true;
      if (!dev_->alive()) return false;
      pollfd p{dev_->notify_fd(), POLLIN, 0};
      ::poll(&p, 1, dev_->has_pending() ? 0 : 5);
    }
    return done();
  }

  std::string endpoint_;
  std::unique_ptr<ChildProcess> host_;
  std::unique_ptr<RemoteDevice> dev_;
  GuestMemory memory_;
};

TEST_F(ExampleTimer, LoadedByNameDescribesItself) {
  ASSERT_NO_FATAL_FAILURE(open("plugin:timer"));
  const DeviceDescription& d = dev_->description();
  EXPECT_EQ(d.vendor_id, TIMER_VENDOR_ID);
  EXPECT_EQ(d.device_id, TIMER_DEVICE_ID);
  EXPECT_EQ(d.class_code, uint32_t{TIMER_CLASS_CODE});
  EXPECT_EQ(d.bars[TIMER_BAR_REGS].size, uint64_t{TIMER_REGS_SIZE});
  EXPECT_EQ(d.bars[TIMER_BAR_SCRATCH].size, uint64_t{TIMER_SCRATCH_SIZE});
  EXPECT_FALSE(d.bars[1].implemented());
  EXPECT_EQ(d.msi_vectors, 1);
  EXPECT_EQ(d.intx_pin, 1);
  EXPECT_EQ(rd(TIMER_BAR_REGS, TIMER_ID), TIMER_ID_VALUE);
  EXPECT_TRUE(host_->wait_for_log("loaded plug-in timer 1.0.0", seconds(1))) << host_->log();
}

TEST_F(ExampleTimer, ScratchpadIsMemory) {
  ASSERT_NO_FATAL_FAILURE(open("plugin:timer"));
  for (uint32_t off = 0; off < TIMER_SCRATCH_SIZE; off += 512) wr(TIMER_BAR_SCRATCH, off, 0xA0A0A0A0u ^ off);
  for (uint32_t off = 0; off < TIMER_SCRATCH_SIZE; off += 512) EXPECT_EQ(rd(TIMER_BAR_SCRATCH, off), 0xA0A0A0A0u ^ off);
  ASSERT_TRUE(dev_->bar_write(TIMER_BAR_SCRATCH, 8, 8, 0x0102030405060708ull).is_ok());
  uint64_t v = 0;
  ASSERT_TRUE(dev_->bar_read(TIMER_BAR_SCRATCH, 12, 2, v).is_ok());
  EXPECT_EQ(v, 0x0304u);
}

TEST_F(ExampleTimer, OneShotRaisesMsiAtItsSimulatedTime) {
  ASSERT_NO_FATAL_FAILURE(open("plugin:timer"));
  wr(TIMER_BAR_REGS, TIMER_LOAD, 2000);  // 2 us
  wr(TIMER_BAR_REGS, TIMER_CTRL, TIMER_CTRL_ENABLE | TIMER_CTRL_IRQ | TIMER_CTRL_MSI);
  ASSERT_TRUE(pump([&] { return !memory_.edges.empty(); }, seconds(10))) << "no MSI from the timer";
  EXPECT_EQ(memory_.edges.front().kind, IrqKind::kMsi);
  EXPECT_EQ(memory_.edges.front().vector, 0u);
  EXPECT_GE(dev_->now_ps(), 2'000'000u) << "the interrupt carries the simulated expiry time";
  EXPECT_EQ(rd(TIMER_BAR_REGS, TIMER_STATUS), TIMER_STATUS_EXPIRED);
  EXPECT_EQ(rd(TIMER_BAR_REGS, TIMER_EXPIRIES), 1u);
  EXPECT_EQ(rd(TIMER_BAR_REGS, TIMER_CTRL) & TIMER_CTRL_ENABLE, 0u);
  EXPECT_TRUE(memory_.intx_changes.empty()) << "MSI mode leaves INTx alone";
}

TEST_F(ExampleTimer, PeriodicIntxIsALevelUntilCleared) {
  ASSERT_NO_FATAL_FAILURE(open("plugin:timer"));
  wr(TIMER_BAR_REGS, TIMER_LOAD, 1000);
  wr(TIMER_BAR_REGS, TIMER_CTRL, TIMER_CTRL_ENABLE | TIMER_CTRL_PERIODIC | TIMER_CTRL_IRQ);
  ASSERT_TRUE(pump([&] { return memory_.intx; }, seconds(10))) << "INTx never asserted";
  wr(TIMER_BAR_REGS, TIMER_CTRL, 0);  // stop, then acknowledge
  wr(TIMER_BAR_REGS, TIMER_STATUS, TIMER_STATUS_EXPIRED);
  ASSERT_TRUE(pump([&] { return !memory_.intx; }, seconds(5))) << "INTx still asserted after the acknowledge";
  EXPECT_GE(rd(TIMER_BAR_REGS, TIMER_EXPIRIES), 1u);
  EXPECT_TRUE(memory_.edges.empty());
}

TEST_F(ExampleTimer, ModelErrorsReachTheFrontendAsErrors) {
  ASSERT_NO_FATAL_FAILURE(open("plugin:timer"));
  uint64_t v = 0;
  Status s = dev_->bar_read(TIMER_BAR_REGS, 0x100, 4, v);
  EXPECT_EQ(s.code(), ErrorCode::kDeviceError) << s.to_string();
  EXPECT_NE(s.message().find("TLM_ADDRESS_ERROR_RESPONSE"), std::string::npos) << s.message();
  s = dev_->bar_read(TIMER_BAR_REGS, TIMER_ID, 2, v);
  EXPECT_NE(s.message().find("TLM_BURST_ERROR_RESPONSE"), std::string::npos) << s.message();
  EXPECT_EQ(rd(TIMER_BAR_REGS, TIMER_ID), TIMER_ID_VALUE) << "the device carries on";
}

TEST_F(ExampleTimer, LoadedByPathWithParameters) {
  const std::string path = std::string(COSIM_EXAMPLE_PLUGIN_DIR) + "/libcosim-timer.so";
  ASSERT_NO_FATAL_FAILURE(open("plugin:" + path, {"--param", "device=0xc052", "--param", "latency=1ns"}));
  EXPECT_EQ(dev_->description().device_id, 0xc052);
}

TEST_F(ExampleTimer, BadParameterFailsAtStart) {
  ChildProcess p(kHost, {"--model", "plugin:timer", "--param", "colour=red", "--endpoint", ipc_endpoint("bad")},
                 log_dir_ + "/bad.log");
  const auto st = p.wait_exit(seconds(10));
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(*st, 2 << 8) << describe_wait_status(*st);
  EXPECT_NE(p.log().find("plugin:timer: timer has no option 'colour'"), std::string::npos) << p.log();
}

}  // namespace
}  // namespace cosim::integration
