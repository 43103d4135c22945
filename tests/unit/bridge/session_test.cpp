// Sessions over the in-process loopback: handshake, ordering, the DMA-during-
// read deadlock case, chunked DMA, errors and peer loss.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "cosim/bridge/codec.h"
#include "cosim/bridge/session.h"
#include "cosim/bridge/transport.h"

namespace cosim {
namespace {

using namespace std::chrono_literals;

// A small device: BAR0 is 4 KiB of memory with a few special offsets.
//   0x100 read: DMA-reads 16 bytes from guest address 0x1000 and returns their sum
//   0x108 read: raises MSI 3 then INTx, then answers 0x77
//   0x110 write: DMA-writes `value` bytes of 0xAB to guest 0x2000 (value may be large)
//   0x118 read: sleeps 300 ms, then answers 0x5a
//   0x120 write: copies `value` bytes of guest memory from 0x80000 to 0x200000
//                through the device (one DMA read, one DMA write)
class TestDevice final : public Device {
 public:
  TestDevice() {
    desc_.name = "test-device";
    desc_.vendor_id = 0x1234;
    desc_.device_id = 0x5678;
    desc_.bars[0] = {4096, BarKind::kMem32, false};
    desc_.bars[1] = {256, BarKind::kIo, false};
    desc_.intx_pin = 1;
    desc_.msi_vectors = 4;
    mem_.resize(4096);
  }
  const DeviceDescription& description() const override { return desc_; }
  void attach(HostPort* host) override { host_ = host; }
  Status bar_read(unsigned bar, uint64_t offset, unsigned size, uint64_t& value) override {
    log_op("R", bar, offset);
    if (bar == 0 && offset == 0x100) {
      uint8_t buf[16];
      if (Status s = host_->dma_read(0x1000, buf); !s) return s;
      value = 0;
      for (uint8_t b : buf) value += b;
      return {};
    }
    if (bar == 0 && offset == 0x108) {
      host_->raise_msi(3);
      host_->set_intx(true);
      value = 0x77;
      return {};
    }
    if (bar == 0 && offset == 0x118) {
      std::this_thread::sleep_for(300ms);
      value = 0x5a;
      return {};
    }
    value = 0;
    std::memcpy(&value, mem(bar, offset), size);
    return {};
  }
  Status bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) override {
    log_op("W", bar, offset);
    if (bar == 0 && offset == 0x110) {
      std::vector<uint8_t> data(value, 0xAB);
      last_dma_status = host_->dma_write(0x2000, data);
      return {};
    }
    if (bar == 0 && offset == 0x120) {
      std::vector<uint8_t> data(value);
      last_dma_status = host_->dma_read(0x80000, data);
      if (last_dma_status) last_dma_status = host_->dma_write(0x200000, data);
      return {};
    }
    std::memcpy(mem(bar, offset), &value, size);
    return {};
  }
  void reset(ResetKind) override {
    ++resets;
    std::fill(mem_.begin(), mem_.end(), 0);
  }

  std::vector<std::string> ops() {
    std::lock_guard lock(mu_);
    return ops_;
  }
  std::atomic<int> resets{0};
  Status last_dma_status;

 private:
  uint8_t* mem(unsigned bar, uint64_t offset) { return bar == 0 ? &mem_[offset] : &io_[offset]; }
  void log_op(const char* kind, unsigned bar, uint64_t offset) {
    std::lock_guard lock(mu_);
    ops_.push_back(std::string(kind) + std::to_string(bar) + ":" + std::to_string(offset));
  }
  DeviceDescription desc_;
  HostPort* host_ = nullptr;
  std::vector<uint8_t> mem_;
  uint8_t io_[256] = {};
  std::mutex mu_;
  std::vector<std::string> ops_;
};

// Guest memory and interrupt controller as seen by the frontend.
class FakeGuest final : public HostPort {
 public:
  FakeGuest() : ram(1 << 22) {
    for (size_t i = 0; i < 16; ++i) ram[0x1000 + i] = static_cast<uint8_t>(i + 1);
  }
  Status dma_read(uint64_t a, std::span<uint8_t> out) override {
    ++dma_reads;
    if (a + out.size() > ram.size()) return {ErrorCode::kDmaFault, "outside RAM"};
    std::memcpy(out.data(), &ram[a], out.size());
    return {};
  }
  Status dma_write(uint64_t a, std::span<const uint8_t> in) override {
    ++dma_writes;
    if (a + in.size() > ram.size()) return {ErrorCode::kDmaFault, "outside RAM"};
    std::memcpy(&ram[a], in.data(), in.size());
    return {};
  }
  void set_intx(bool level) override { intx = level; }
  void raise_msi(uint32_t v) override { msis.push_back(v); }
  void raise_msix(uint32_t v) override { msixs.push_back(v); }
  std::vector<uint8_t> ram;
  int dma_reads = 0, dma_writes = 0;
  bool intx = false;
  std::vector<uint32_t> msis, msixs;
};

// A host serving TestDevice in a thread and a frontend connected to it: over
// the loopback pair, or over a real transport when `endpoint` is given.
struct Rig {
  explicit Rig(std::chrono::milliseconds reply_timeout = -1ms, const std::string& endpoint = "",
               uint32_t dma_chunk = 4096) {
    std::unique_ptr<Transport> front;
    if (endpoint.empty()) {
      auto [f, back] = make_loopback_pair();
      front = std::move(f);
      host_end = std::move(back);
    } else {
      listener = listen_transport(endpoint);
    }
    SessionOptions so;
    so.peer_name = "test-host";
    so.dma_chunk = dma_chunk;  // small by default, so chunking is exercised
    so.log = [this](LogLevel, const std::string& t) {
      std::lock_guard lock(log_mu);
      host_log += t + "\n";
    };
    server = std::make_unique<DeviceServer>(device, so);
    thread = std::thread([this] {
      if (listener) host_end = listener->accept(5s);
      result = host_end ? server->serve(*host_end) : Status{ErrorCode::kTimeout, "nobody connected"};
    });
    if (!endpoint.empty()) front = connect_transport(endpoint);
    SessionOptions fo;
    fo.peer_name = "test-frontend";
    fo.reply_timeout = reply_timeout;
    auto r = RemoteDevice::connect(std::move(front), fo);
    EXPECT_TRUE(r) << r.status().to_string();
    if (r) {
      remote = std::move(r).value();
      remote->attach(&guest);
    }
  }
  ~Rig() {
    if (remote) remote->close("test done");
    if (thread.joinable()) thread.join();
  }
  TestDevice device;
  FakeGuest guest;
  std::unique_ptr<Listener> listener;  // outlives the session's transport
  std::unique_ptr<Transport> host_end;
  std::unique_ptr<DeviceServer> server;
  std::unique_ptr<RemoteDevice> remote;
  std::thread thread;
  Status result;
  std::mutex log_mu;
  std::string host_log;
};

TEST(Session, HandshakeCarriesTheDescription) {
  Rig rig;
  ASSERT_TRUE(rig.remote);
  EXPECT_EQ(rig.remote->description(), rig.device.description());
  EXPECT_EQ(rig.remote->peer().peer_name, "test-host");
  EXPECT_EQ(rig.remote->peer().role, proto::Role::kDevice);
}

TEST(Session, GoodbyeEndsTheServerCleanly) {
  Rig rig;
  rig.remote->close("bye");
  rig.thread.join();
  EXPECT_TRUE(rig.result) << rig.result.to_string();
}

// The server's counts run over every session; Stats::since gives one
// session's share (what cosim-host prints when a session ends).
TEST(Session, StatsSinceGivesOneSessionsCounts) {
  Rig rig;
  uint64_t v = 0;
  ASSERT_TRUE(rig.remote->bar_read(0, 0, 4, v));
  ASSERT_TRUE(rig.remote->bar_write(0, 0, 4, 1));
  ASSERT_TRUE(rig.remote->bar_read(0, 0, 4, v));
  rig.remote->close("first part done");
  rig.thread.join();
  const DeviceServer::Stats first = rig.server->stats();
  EXPECT_EQ(first.bar_reads, 2u);
  EXPECT_EQ(first.bar_writes, 1u);
  DeviceServer::Stats later = first;
  later.bar_reads += 5;
  later.dma_bytes += 4096;
  later.device_ps = 77;
  const DeviceServer::Stats d = later.since(first);
  EXPECT_EQ(d.bar_reads, 5u);
  EXPECT_EQ(d.bar_writes, 0u);
  EXPECT_EQ(d.dma_bytes, 4096u);
  EXPECT_EQ(d.device_ps, 77u);  // a time, not a count: as it is now
}

TEST(Session, WritesArePostedAndOrderedBeforeLaterReads) {
  Rig rig;
  // Plain memory from 0x200 on, clear of the test device's special offsets.
  for (uint64_t i = 0; i < 200; ++i) ASSERT_TRUE(rig.remote->bar_write(0, 0x200 + i * 8, 8, i * 0x0101010101ull));
  for (uint64_t i = 0; i < 200; ++i) {
    uint64_t v = 0;
    ASSERT_TRUE(rig.remote->bar_read(0, 0x200 + i * 8, 8, v));
    EXPECT_EQ(v, i * 0x0101010101ull);
  }
  auto ops = rig.device.ops();
  ASSERT_EQ(ops.size(), 400u);
  EXPECT_EQ(ops[199], "W0:2104");
  EXPECT_EQ(ops[200], "R0:512");
}

TEST(Session, SubWordAndIoAccessesReachTheDevice) {
  Rig rig;
  ASSERT_TRUE(rig.remote->bar_write(1, 3, 1, 0xee));
  ASSERT_TRUE(rig.remote->bar_write(1, 4, 2, 0xbeef));
  uint64_t v = 0;
  ASSERT_TRUE(rig.remote->bar_read(1, 0, 4, v));
  EXPECT_EQ(v, 0xee000000u);
  ASSERT_TRUE(rig.remote->bar_read(1, 4, 2, v));
  EXPECT_EQ(v, 0xbeefu);
}

// The deadlock case of the brief: the device DMAs before it answers a read,
// while the frontend (a vCPU holding QEMU's lock) is blocked in that read.
TEST(Session, ReadWaitServesDmaFromTheDevice) {
  Rig rig;
  uint64_t v = 0;
  ASSERT_TRUE(rig.remote->bar_read(0, 0x100, 4, v));
  EXPECT_EQ(v, 136u);  // 1 + 2 + ... + 16
  EXPECT_EQ(rig.guest.dma_reads, 1);
}

TEST(Session, ReadWaitDeliversInterrupts) {
  Rig rig;
  uint64_t v = 0;
  ASSERT_TRUE(rig.remote->bar_read(0, 0x108, 4, v));
  EXPECT_EQ(v, 0x77u);
  EXPECT_EQ(rig.guest.msis, std::vector<uint32_t>{3});
  EXPECT_TRUE(rig.guest.intx);
}

TEST(Session, PostedWriteDmaIsServedByPoll) {
  Rig rig;
  ASSERT_TRUE(rig.remote->bar_write(0, 0x110, 4, 10000));  // 3 chunks of 4 KiB
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (rig.guest.dma_writes < 3 && std::chrono::steady_clock::now() < deadline) {
    rig.remote->poll();
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(rig.guest.dma_writes, 3);
  for (size_t i = 0; i < 10000; ++i) ASSERT_EQ(rig.guest.ram[0x2000 + i], 0xAB) << i;
  EXPECT_EQ(rig.guest.ram[0x2000 + 10000], 0);
}

TEST(Session, AccessesArrivingDuringADmaRunAfterIt) {
  Rig rig;
  // The write's DMA (large, chunked) is still running on the host when the read
  // arrives; the read must see the state after the write completed.
  ASSERT_TRUE(rig.remote->bar_write(0, 0x110, 4, 64 * 1024));
  ASSERT_TRUE(rig.remote->bar_write(0, 0x20, 4, 0x1234));
  uint64_t v = 0;
  ASSERT_TRUE(rig.remote->bar_read(0, 0x20, 4, v));
  EXPECT_EQ(v, 0x1234u);
  EXPECT_EQ(rig.guest.dma_writes, 16);
  auto ops = rig.device.ops();
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0], "W0:272");
  EXPECT_EQ(ops[1], "W0:32");
  EXPECT_EQ(ops[2], "R0:32");
}

TEST(Session, DmaFaultReachesTheDeviceAsAnError) {
  Rig rig;
  ASSERT_TRUE(rig.remote->bar_write(0, 0x110, 4, 8u << 20));  // runs past the 4 MiB of RAM
  uint64_t v = 0;
  ASSERT_TRUE(rig.remote->bar_read(0, 0, 4, v));  // serves the DMA while waiting
  EXPECT_EQ(rig.device.last_dma_status.code(), ErrorCode::kDmaFault);
  EXPECT_NE(rig.device.last_dma_status.message().find("outside RAM"), std::string::npos)
      << rig.device.last_dma_status.message();
}

TEST(Session, UndescribedAccessesAreRefusedLocally) {
  Rig rig;
  uint64_t v = 0;
  Status s = rig.remote->bar_read(2, 0, 4, v);
  EXPECT_EQ(s.code(), ErrorCode::kBadBar);
  EXPECT_EQ(v, 0xffffffffu);
  s = rig.remote->bar_write(0, 4096, 4, 0);
  EXPECT_EQ(s.code(), ErrorCode::kBadOffset);
  s = rig.remote->bar_read(1, 0, 8, v);
  EXPECT_EQ(s.code(), ErrorCode::kBadSize);
  EXPECT_TRUE(rig.device.ops().empty());
}

TEST(Session, ReplyTimeoutIsReportedAndTheLateReplyDiscarded) {
  Rig rig(100ms);
  uint64_t v = 0;
  Status s = rig.remote->bar_read(0, 0x118, 4, v);
  EXPECT_EQ(s.code(), ErrorCode::kTimeout);
  EXPECT_NE(s.message().find("BAR0+0x118"), std::string::npos) << s.message();
  std::this_thread::sleep_for(400ms);
  ASSERT_TRUE(rig.remote->bar_write(0, 0, 4, 42));
  ASSERT_TRUE(rig.remote->bar_read(0, 0, 4, v));
  EXPECT_EQ(v, 42u);
}

TEST(Session, ResetReachesTheDevice) {
  Rig rig;
  ASSERT_TRUE(rig.remote->bar_write(0, 0, 4, 7));
  rig.remote->reset(ResetKind::kFunctionLevel);
  uint64_t v = 1;
  ASSERT_TRUE(rig.remote->bar_read(0, 0, 4, v));
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(rig.device.resets, 1);
}

TEST(Session, PeerLossTurnsReadsIntoAllOnes) {
  Rig rig;
  rig.server->stop();
  rig.thread.join();          // host said goodbye
  rig.host_end.reset();       // and closed its end
  uint64_t v = 0;
  Status s = rig.remote->bar_read(0, 0, 4, v);
  EXPECT_EQ(s.code(), ErrorCode::kPeerLost);
  EXPECT_EQ(v, 0xffffffffu);
  EXPECT_FALSE(rig.remote->alive());
  s = rig.remote->bar_read(0, 0, 8, v);
  EXPECT_EQ(s.code(), ErrorCode::kPeerLost);
  EXPECT_EQ(v, ~uint64_t{0});
}

// A fake host speaking protocol 2 is refused by the frontend, naming both versions.
TEST(Session, FrontendRefusesAHostOfAnotherMajorVersion) {
  auto [front, back] = make_loopback_pair();
  std::thread host([&, b = back.get()] {
    auto first = b->recv(2s);
    ASSERT_TRUE(first);
    proto::Hello h;
    h.major = 2;
    h.minor = 0;
    h.role = proto::Role::kDevice;
    h.peer_name = "future-host";
    b->send(*proto::encode({1, 1, 0, h}));
  });
  SessionOptions so;
  so.handshake_timeout = 2s;
  auto r = RemoteDevice::connect(std::move(front), so);
  host.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), ErrorCode::kVersionMismatch);
  EXPECT_NE(r.status().message().find("2.0"), std::string::npos) << r.status().message();
  const std::string ours = std::to_string(proto::kProtocolMajor) + "." + std::to_string(proto::kProtocolMinor);
  EXPECT_NE(r.status().message().find(ours), std::string::npos) << r.status().message();
}

TEST(Session, HostRefusesAFrontendOfAnotherMajorVersion) {
  TestDevice device;
  DeviceServer server(device, {});
  auto [front, back] = make_loopback_pair();
  proto::Hello h;
  h.major = 3;
  h.minor = 0;
  h.peer_name = "future-qemu";
  front->send(*proto::encode({1, 0, 0, h}));
  Status s = server.serve(*back);
  EXPECT_EQ(s.code(), ErrorCode::kVersionMismatch);
  EXPECT_NE(s.message().find("3.0"), std::string::npos) << s.message();
  auto reply = front->recv(1s);
  ASSERT_TRUE(reply);
  auto m = proto::decode(*reply);
  ASSERT_TRUE(m);
  auto* e = std::get_if<proto::Error>(&m->body);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->code, ErrorCode::kVersionMismatch);
}

TEST(Session, HostAnswersMalformedFramesAndKeepsServing) {
  TestDevice device;
  DeviceServer server(device, {});
  auto [front, back] = make_loopback_pair();
  std::thread host([&, b = back.get()] { (void)server.serve(*b); });
  proto::Hello h;
  h.peer_name = "raw";
  front->send(*proto::encode({1, 0, 0, h}));
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(front->recv(2s));  // Hello + Describe
  front->send({3, 0, 0, 0, 0xff, 0xff, 0xff});  // a header that is not protobuf
  auto reply = front->recv(2s);
  ASSERT_TRUE(reply);
  auto m = proto::decode(*reply);
  ASSERT_TRUE(m);
  ASSERT_TRUE(std::holds_alternative<proto::Error>(m->body));
  EXPECT_EQ(std::get<proto::Error>(m->body).code, ErrorCode::kMalformed);
  // An access the device did not describe, sent raw (bypassing the frontend's check).
  front->send(*proto::encode({2, 0, 0, proto::BarRead{5, 0, 4}}));
  reply = front->recv(2s);
  ASSERT_TRUE(reply);
  m = proto::decode(*reply);
  ASSERT_TRUE(m);
  auto* rr = std::get_if<proto::BarReadReply>(&m->body);
  ASSERT_NE(rr, nullptr);
  EXPECT_EQ(rr->status, ErrorCode::kBadBar);
  EXPECT_EQ(m->reply_to, 2u);
  // Still serving.
  front->send(*proto::encode({3, 0, 0, proto::BarRead{0, 0, 4}}));
  reply = front->recv(2s);
  ASSERT_TRUE(reply);
  m = proto::decode(*reply);
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<proto::BarReadReply>(m->body).status, ErrorCode::kOk);
  front->send(*proto::encode({4, 0, 0, proto::Goodbye{"done"}}));
  host.join();
}

}  // namespace
}  // namespace cosim

namespace cosim {
namespace {

// A device that, once started, has work for 10 us of simulated time and
// raises MSI 0 when done: the host must run it between messages.
class TimedDevice final : public Device {
 public:
  TimedDevice() {
    desc_.name = "timed";
    desc_.bars[0] = {64, BarKind::kMem32, false};
    desc_.msi_vectors = 1;
  }
  const DeviceDescription& description() const override { return desc_; }
  void attach(HostPort* host) override { host_ = host; }
  Status bar_read(unsigned, uint64_t, unsigned, uint64_t& value) override {
    value = done_ ? 1 : 0;
    return {};
  }
  Status bar_write(unsigned, uint64_t, unsigned, uint64_t) override {
    deadline_ = now_ + 10'000'000;
    busy_ = true;
    return {};
  }
  void reset(ResetKind) override {}
  void advance_to(uint64_t t) override {
    ++steps;
    now_ = std::min(t, deadline_);
    if (busy_ && now_ >= deadline_) {
      busy_ = false;
      done_ = true;
      host_->raise_msi(0);
    }
  }
  uint64_t now_ps() const override { return now_; }
  std::optional<uint64_t> next_event_ps() const override {
    if (busy_) return deadline_;
    return std::nullopt;
  }
  std::atomic<int> steps{0};

 private:
  DeviceDescription desc_;
  HostPort* host_ = nullptr;
  uint64_t now_ = 0, deadline_ = 0;
  bool busy_ = false, done_ = false;
};

// ---- the DMA paths over each transport ----------------------------------------------
// Over unix:// the payloads take the zero-copy paths end to end: a DmaRead
// reply is read from guest memory straight into its frame, and a received
// payload is lent out of the frame it arrived in.

class SessionOver : public ::testing::TestWithParam<std::string> {
 protected:
  std::string endpoint() const {
    if (GetParam() == "loopback") return "";
    return "unix:///tmp/cosim-session-test-" + std::to_string(getpid()) + "-" + GetParam();
  }
};

TEST_P(SessionOver, ReadWaitServesDmaFromTheDevice) {
  Rig rig(-1ms, endpoint());
  ASSERT_TRUE(rig.remote);
  uint64_t v = 0;
  ASSERT_TRUE(rig.remote->bar_read(0, 0x100, 4, v));
  EXPECT_EQ(v, 136u);
  EXPECT_EQ(rig.guest.dma_reads, 1);
}

// 1 MiB + 3 bytes (odd, over several 256 KiB chunks) read from the guest by
// the device and written back elsewhere: every byte arrives where it belongs.
TEST_P(SessionOver, LargeDmaKeepsEveryByte) {
  Rig rig(-1ms, endpoint(), proto::kDefaultDmaChunk);
  ASSERT_TRUE(rig.remote);
  const size_t n = (1u << 20) + 3;
  for (size_t i = 0; i < n; ++i) rig.guest.ram[0x80000 + i] = static_cast<uint8_t>(i * 131 + (i >> 13));
  for (int round = 0; round < 3; ++round) {
    std::fill(rig.guest.ram.begin() + 0x200000, rig.guest.ram.begin() + 0x200000 + n + 16, 0);
    ASSERT_TRUE(rig.remote->bar_write(0, 0x120, 4, n));
    uint64_t v = 0;
    ASSERT_TRUE(rig.remote->bar_read(0, 0x20, 4, v));  // waits for the copy, serving its DMA
    EXPECT_TRUE(rig.device.last_dma_status) << rig.device.last_dma_status.to_string();
    ASSERT_TRUE(std::equal(rig.guest.ram.begin() + 0x80000, rig.guest.ram.begin() + 0x80000 + n,
                           rig.guest.ram.begin() + 0x200000))
        << "round " << round;
    EXPECT_EQ(rig.guest.ram[0x200000 + n], 0) << "wrote past the end";
  }
  EXPECT_EQ(rig.guest.dma_reads, 3 * 5);  // 4 full chunks and 3 bytes, per round
  EXPECT_EQ(rig.guest.dma_writes, 3 * 5);
}

TEST_P(SessionOver, AccessesArrivingDuringADmaRunAfterIt) {
  Rig rig(-1ms, endpoint());
  ASSERT_TRUE(rig.remote);
  ASSERT_TRUE(rig.remote->bar_write(0, 0x110, 4, 64 * 1024));
  ASSERT_TRUE(rig.remote->bar_write(0, 0x20, 4, 0x1234));
  uint64_t v = 0;
  ASSERT_TRUE(rig.remote->bar_read(0, 0x20, 4, v));
  EXPECT_EQ(v, 0x1234u);
  EXPECT_EQ(rig.guest.dma_writes, 16);
  auto ops = rig.device.ops();
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0], "W0:272");
  EXPECT_EQ(ops[1], "W0:32");
  EXPECT_EQ(ops[2], "R0:32");
}

TEST_P(SessionOver, DmaFaultReachesTheDeviceAsAnError) {
  Rig rig(-1ms, endpoint());
  ASSERT_TRUE(rig.remote);
  ASSERT_TRUE(rig.remote->bar_write(0, 0x120, 4, 4u << 20));  // the read runs past the 4 MiB of RAM
  uint64_t v = 0;
  ASSERT_TRUE(rig.remote->bar_read(0, 0, 4, v));
  EXPECT_EQ(rig.device.last_dma_status.code(), ErrorCode::kDmaFault);
  EXPECT_NE(rig.device.last_dma_status.message().find("outside RAM"), std::string::npos)
      << rig.device.last_dma_status.message();
}

TEST_P(SessionOver, GoodbyeEndsTheServerCleanly) {
  Rig rig(-1ms, endpoint());
  ASSERT_TRUE(rig.remote);
  rig.remote->close("bye");
  rig.thread.join();
  EXPECT_TRUE(rig.result) << rig.result.to_string();
}

INSTANTIATE_TEST_SUITE_P(Transports, SessionOver, ::testing::Values("loopback", "unix"),
                         [](const auto& info) { return info.param; });

TEST(Session, HostRunsABusyDeviceBetweenMessages) {
  TimedDevice device;
  SessionOptions so;
  so.run_quantum_ps = 1'000'000;
  DeviceServer server(device, so);
  auto [front, back] = make_loopback_pair();
  std::thread host([&, b = back.get()] { (void)server.serve(*b); });
  auto remote = RemoteDevice::connect(std::move(front), {});
  ASSERT_TRUE(remote);
  FakeGuest guest;
  (*remote)->attach(&guest);
  ASSERT_TRUE((*remote)->bar_write(0, 0, 4, 1));
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (guest.msis.empty() && std::chrono::steady_clock::now() < deadline) {
    (*remote)->poll();
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_EQ(guest.msis, std::vector<uint32_t>{0});
  uint64_t v = 0;
  ASSERT_TRUE((*remote)->bar_read(0, 0, 4, v));
  EXPECT_EQ(v, 1u);
  // The event was 10 us away: the host jumps to it instead of crawling.
  EXPECT_LE(device.steps, 2);
  EXPECT_EQ(device.now_ps(), 10'000'000u);
  (*remote)->close("done");
  host.join();
}

}  // namespace
}  // namespace cosim
