// Grant-based time sync (freeze/lockstep) between a real RemoteDevice and a
// real DeviceServer over unix:// sockets: the host runs the device only as far
// as the frontend grants, performs accesses at their stamped time, announces
// its lookahead, and refuses a mismatched mode.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <thread>

#include "cosim/bridge/codec.h"
#include "cosim/bridge/session.h"
#include "cosim/bridge/transport.h"

namespace cosim {
namespace {

using namespace std::chrono_literals;
using timescale::kPsPerUs;
using timescale::Mode;

// Time follows grants exactly. Writing N to BAR0+0 starts a job of N us that,
// when done, DMA-writes one byte to guest 0x100 and raises MSI 0. Reading BAR0+8
// returns the device time at which the read was performed, in ps; reading
// BAR0+16 takes 30 ms of wall time.
class GrantedDevice final : public Device {
 public:
  GrantedDevice() {
    desc_.name = "granted";
    desc_.vendor_id = 0x1234;
    desc_.bars[0] = {64, BarKind::kMem32, false};
    desc_.msi_vectors = 1;
  }
  const DeviceDescription& description() const override { return desc_; }
  void attach(HostPort* host) override { host_ = host; }
  Status bar_read(unsigned, uint64_t offset, unsigned, uint64_t& value) override {
    if (offset == 16) std::this_thread::sleep_for(30ms);
    value = offset == 8 ? now_ : done_;
    return {};
  }
  Status bar_write(unsigned, uint64_t, unsigned, uint64_t value) override {
    write_times.push_back(now_);
    deadline_ = now_ + value * kPsPerUs;
    busy_ = true;
    return {};
  }
  void reset(ResetKind) override {}
  void advance_to(uint64_t t) override {
    ++advances;
    if (busy_ && t >= deadline_) {
      now_ = deadline_;
      busy_ = false;
      ++done_;
      const uint8_t marker = 0x5a;
      (void)host_->dma_write(0x100, std::span<const uint8_t>(&marker, 1));
      host_->raise_msi(0);
    }
    now_ = std::max(now_, t);
  }
  uint64_t now_ps() const override { return now_; }
  std::optional<uint64_t> next_event_ps() const override {
    return busy_ ? std::optional<uint64_t>(deadline_) : std::nullopt;
  }
  std::atomic<int> advances{0};
  std::vector<uint64_t> write_times;

 private:
  DeviceDescription desc_;
  HostPort* host_ = nullptr;
  uint64_t now_ = 0, deadline_ = 0, done_ = 0;
  bool busy_ = false;
};

class Guest final : public HostPort {
 public:
  Status dma_read(uint64_t, std::span<uint8_t> out) override {
    std::fill(out.begin(), out.end(), 0);
    return {};
  }
  Status dma_write(uint64_t a, std::span<const uint8_t> in) override {
    if (a == 0x100 && !in.empty()) marker = in[0];
    return {};
  }
  void set_intx(bool) override {}
  void raise_msi(uint32_t v) override { msis.push_back(v); }
  void raise_msix(uint32_t) override {}
  uint8_t marker = 0;
  std::vector<uint32_t> msis;
};

std::string endpoint(const char* tag) {
  return "unix:///tmp/cosim-time-test-" + std::to_string(getpid()) + "-" + tag;
}

// A host thread serving GrantedDevice on a unix:// endpoint, and a frontend.
struct TimedRig {
  TimedRig(const char* tag, Mode frontend_mode, Mode host_mode, bool host_fixed,
           std::function<void(bool)> on_slow_read = {})
      : ep(endpoint(tag)) {
    listener = listen_transport(ep);
    SessionOptions so;
    so.peer_name = "time-host";
    so.time_mode = host_mode;
    so.time_mode_fixed = host_fixed;
    server = std::make_unique<DeviceServer>(device, so);
    thread = std::thread([this] {
      host_end = listener->accept(5s);
      result = host_end ? server->serve(*host_end) : Status{ErrorCode::kTimeout, "nobody connected"};
    });
    SessionOptions fo;
    fo.peer_name = "time-frontend";
    fo.time_mode = frontend_mode;
    fo.on_slow_read = std::move(on_slow_read);
    connected = RemoteDevice::connect(connect_transport(ep), fo);
    if (connected) (*connected)->attach(&guest);
  }
  ~TimedRig() {
    if (connected) (*connected)->close("test done");
    if (thread.joinable()) thread.join();
  }
  RemoteDevice& remote() { return **connected; }

  std::string ep;
  GrantedDevice device;
  Guest guest;
  std::unique_ptr<Listener> listener;
  std::unique_ptr<Transport> host_end;
  std::unique_ptr<DeviceServer> server;
  std::thread thread;
  Status result;
  Result<std::unique_ptr<RemoteDevice>> connected = Status{ErrorCode::kInternal, "not connected"};
};

TEST(TimeSync, HostRunsTheDeviceOnlyAsFarAsGranted) {
  TimedRig rig("grant", Mode::kFreeze, Mode::kOff, false);
  ASSERT_TRUE(rig.connected) << rig.connected.status().to_string();
  EXPECT_EQ(rig.remote().time_mode(), Mode::kFreeze);
  ASSERT_TRUE(rig.remote().bar_write(0, 0, 4, 10));  // a 10 us job from t = 0
  EXPECT_EQ(rig.remote().writes_since_sync(), 1u);
  // In mode off the host would run the busy device on its own; here nothing
  // happens until the frontend grants time.
  for (int i = 0; i < 30; ++i) {
    rig.remote().poll();
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(rig.guest.msis.empty());
  rig.remote().advance_to(4 * kPsPerUs);
  EXPECT_EQ(rig.remote().now_ps(), 4 * kPsPerUs);
  EXPECT_EQ(rig.remote().next_event_ps(), 10 * kPsPerUs);  // lookahead
  EXPECT_EQ(rig.remote().writes_since_sync(), 0u);
  EXPECT_TRUE(rig.guest.msis.empty());
  // The grant that reaches the event returns only after its DMA and interrupt were served.
  rig.remote().advance_to(10 * kPsPerUs);
  EXPECT_EQ(rig.guest.msis, std::vector<uint32_t>{0});
  EXPECT_EQ(rig.guest.marker, 0x5a);
  EXPECT_EQ(rig.remote().now_ps(), 10 * kPsPerUs);
  EXPECT_FALSE(rig.remote().next_event_ps());  // idle again
  EXPECT_EQ(rig.remote().stats().syncs, 2u);
}

TEST(TimeSync, AccessesHappenAtTheirStampedTime) {
  TimedRig rig("stamp", Mode::kLockstep, Mode::kLockstep, true);
  ASSERT_TRUE(rig.connected) << rig.connected.status().to_string();
  rig.remote().stamp(3 * kPsPerUs);
  uint64_t v = 0;
  ASSERT_TRUE(rig.remote().bar_read(0, 8, 4, v));
  EXPECT_EQ(v, 3 * kPsPerUs);
  rig.remote().stamp(7 * kPsPerUs);
  ASSERT_TRUE(rig.remote().bar_write(0, 0, 4, 5));
  // A read after a posted write learns the lookahead the write created,
  // before its reply: the frontend can schedule the next sync without asking.
  ASSERT_TRUE(rig.remote().bar_read(0, 8, 4, v));
  EXPECT_EQ(v, 7 * kPsPerUs);
  EXPECT_EQ(rig.remote().next_event_ps(), 12 * kPsPerUs);
  EXPECT_EQ(rig.remote().writes_since_sync(), 0u);
  EXPECT_EQ(rig.device.write_times, std::vector<uint64_t>{7 * kPsPerUs});
  // Stamped accesses beyond the event run the device through it first.
  rig.remote().stamp(20 * kPsPerUs);
  ASSERT_TRUE(rig.remote().bar_read(0, 0, 4, v));
  EXPECT_EQ(v, 1u);
  EXPECT_EQ(rig.guest.msis, std::vector<uint32_t>{0});
}

TEST(TimeSync, OnlySlowReadsAreReportedAsWaits) {
  std::vector<bool> calls;
  TimedRig rig("slowread", Mode::kFreeze, Mode::kFreeze, true, [&](bool w) { calls.push_back(w); });
  ASSERT_TRUE(rig.connected) << rig.connected.status().to_string();
  uint64_t v = 0;
  ASSERT_TRUE(rig.remote().bar_read(0, 0, 4, v));  // a fast round trip: guest time keeps running
  EXPECT_TRUE(calls.empty());
  ASSERT_TRUE(rig.remote().bar_read(0, 16, 4, v));  // 30 ms: reported after 1 ms, and ended
  EXPECT_EQ(calls, (std::vector<bool>{true, false}));
}

TEST(TimeSync, ModeOffKeepsTheHostRunningTheDevice) {
  TimedRig rig("off", Mode::kOff, Mode::kOff, false);
  ASSERT_TRUE(rig.connected) << rig.connected.status().to_string();
  rig.remote().stamp(50 * kPsPerUs);  // ignored in mode off
  ASSERT_TRUE(rig.remote().bar_write(0, 0, 4, 10));
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (rig.guest.msis.empty() && std::chrono::steady_clock::now() < deadline) {
    rig.remote().poll();
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(rig.guest.msis, std::vector<uint32_t>{0});
  EXPECT_EQ(rig.device.write_times, std::vector<uint64_t>{0});
}

TEST(TimeSync, HostRefusesAnotherModeThanItsOwn) {
  TimedRig rig("mismatch", Mode::kFreeze, Mode::kOff, true);
  ASSERT_FALSE(rig.connected);
  EXPECT_EQ(rig.connected.status().code(), ErrorCode::kConfig);
  EXPECT_NE(rig.connected.status().message().find("'freeze'"), std::string::npos)
      << rig.connected.status().message();
  EXPECT_NE(rig.connected.status().message().find("'off'"), std::string::npos);
  rig.thread.join();
  EXPECT_EQ(rig.result.code(), ErrorCode::kConfig);
}

TEST(TimeSync, FrontendRefusesAHostWithoutGrantSync) {
  // A 1.0 host: answers Hello without the grant-sync capability or a mode.
  const std::string ep = endpoint("old");
  auto listener = listen_transport(ep);
  std::thread host([&] {
    auto t = listener->accept(5s);
    if (!t) return;
    auto first = t->recv(5s);
    if (!first) return;
    proto::Hello h;
    h.major = 1;
    h.minor = 0;
    h.role = proto::Role::kDevice;
    h.peer_name = "old-host";
    h.capabilities = proto::kCapTimeSync;
    t->send(*proto::encode({1, 1, 0, h}));
    try {
      (void)t->recv(2s);  // the frontend hangs up
    } catch (const BridgeError&) {
    }
  });
  SessionOptions fo;
  fo.time_mode = Mode::kLockstep;
  auto r = RemoteDevice::connect(connect_transport(ep), fo);
  host.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), ErrorCode::kVersionMismatch);
  EXPECT_NE(r.status().message().find("'lockstep' needs a host of protocol 1.1"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace cosim
