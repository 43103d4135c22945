// What goes wrong between two real processes: DMA outside guest memory, a host
// killed mid-transfer, a frontend that vanishes mid-DMA, a second frontend, a
// frontend of another protocol version, malformed frames, a host told to stop.
// Each must end in a clear error on the side that can act on it, never in a hang.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "cosim/bridge/codec.h"
#include "cosim/bridge/protocol.h"
#include "epf_test_regs.h"
#include "guest_driver.h"
#include "guest_memory.h"
#include "integration_fixture.h"

namespace cosim::integration {
namespace {

using namespace std::chrono;
using namespace cosim::epf_test;

std::string version(uint32_t major, uint32_t minor) { return std::to_string(major) + "." + std::to_string(minor); }

// A client that speaks frames, not sessions: it can send what no RemoteDevice would.
class RawClient {
 public:
  explicit RawClient(const std::string& endpoint) : t_(connect_transport(endpoint)) {}

  uint64_t send(proto::Body body) {
    auto frame = proto::encode(proto::Message{++seq_, 0, 0, std::move(body)});
    if (!frame) throw BridgeError(frame.status());
    t_->send(std::move(frame).value());
    return seq_;
  }
  void send_bytes(Bytes frame) { t_->send(std::move(frame)); }

  // The next message, or kTimeout / the decoder's error.
  Result<proto::Message> recv(milliseconds timeout = seconds(5)) {
    auto frame = t_->recv(timeout);
    if (!frame) return Status{ErrorCode::kTimeout, "no frame within " + std::to_string(timeout.count()) + " ms"};
    return proto::decode(*frame);
  }

  // Hello (v1) -> Hello, Describe.
  ::testing::AssertionResult handshake() {
    proto::Hello hello;
    hello.peer_name = "raw-client";
    send(hello);
    auto h = recv();
    if (!h || !std::holds_alternative<proto::Hello>(h->body))
      return ::testing::AssertionFailure() << "no Hello back: " << (h ? proto::body_name(h->body) : h.status().to_string());
    auto d = recv();
    if (!d || !std::holds_alternative<proto::Describe>(d->body))
      return ::testing::AssertionFailure() << "no Describe: " << (d ? proto::body_name(d->body) : d.status().to_string());
    return ::testing::AssertionSuccess();
  }

  // BarRead of MAGIC answered by a BarReadReply: the host still serves.
  ::testing::AssertionResult still_serves() {
    const uint64_t seq = send(proto::BarRead{0, kMagic, 4});
    auto m = recv();
    if (!m) return ::testing::AssertionFailure() << "no answer to a valid BarRead: " << m.status().to_string();
    auto* r = std::get_if<proto::BarReadReply>(&m->body);
    if (!r || m->reply_to != seq || r->status != ErrorCode::kOk)
      return ::testing::AssertionFailure() << "a valid BarRead got " << proto::body_name(m->body) << " (reply_to "
                                           << m->reply_to << ", sent seq " << seq << ")";
    return ::testing::AssertionSuccess();
  }

  Transport& transport() { return *t_; }

 private:
  std::unique_ptr<Transport> t_;
  uint64_t seq_ = 0;
};

class Faults : public IntegrationTest, public ::testing::WithParamInterface<Net> {};

std::string param_name(const ::testing::TestParamInfo<Net>& info) { return to_string(info.param); }

// ---- DMA outside guest memory ---------------------------------------------------

class InvalidDma : public Faults {
 protected:
  // Programs a transfer the way the driver does and waits for its interrupt;
  // returns STATUS as the handler left it (IRQ_RAISED cleared).
  uint32_t run(GuestDriver& drv, uint32_t command, uint64_t src, uint64_t dst, uint32_t size, uint32_t checksum) {
    drv.start_ioctl();
    drv.writel(kChecksum, checksum);
    drv.writel(kSrcAddrLo, static_cast<uint32_t>(src));
    drv.writel(kSrcAddrHi, static_cast<uint32_t>(src >> 32));
    drv.writel(kDstAddrLo, static_cast<uint32_t>(dst));
    drv.writel(kDstAddrHi, static_cast<uint32_t>(dst >> 32));
    drv.writel(kSize, size);
    drv.writel(kIrqType, kIrqMsi);
    drv.writel(kIrqNumber, 1);
    drv.writel(kCommand, command);
    EXPECT_TRUE(drv.wait_for_completion(seconds(30))) << "no interrupt after COMMAND " << command;
    EXPECT_EQ(drv.completions().size(), 1u);
    if (drv.last_irq()) {
      EXPECT_EQ(*drv.last_irq(), (HandledIrq{IrqKind::kMsi, 0})) << to_string(*drv.last_irq());
    }
    EXPECT_EQ(drv.first_error(), "");
    return drv.readl(kStatus);
  }
};

TEST_P(InvalidDma, ReportsAddrInvalidRaisesIrqAndKeepsServing) {
  Host host;
  ASSERT_NO_FATAL_FAILURE(start_host(GetParam(), HostOptions{}, host));
  auto dev = connect(host.endpoint);
  ASSERT_TRUE(dev) << dev.status().to_string();
  GuestMemory mem;
  (*dev)->attach(&mem);
  GuestDriver drv(**dev, mem);
  Watchdog dog("invalid DMA", seconds(60), log_dir_);

  constexpr uint64_t kNowhere = 0xdead0000;  // below every guest buffer
  const uint64_t good = mem.alloc(1 << 20, 0);
  auto bytes = mem.bytes(good, 1 << 20);
  std::mt19937 rng(7);
  for (auto& b : bytes) b = static_cast<uint8_t>(rng());
  const uint32_t good_crc = crc32_le(~0u, bytes.data(), bytes.size());

  // READ from nowhere.
  EXPECT_EQ(run(drv, kCmdRead, kNowhere, 0, 4096, good_crc), kStReadFail | kStSrcAddrInvalid);
  // WRITE to nowhere.
  EXPECT_EQ(run(drv, kCmdWrite, 0, kNowhere, 4096, 0), kStWriteFail | kStDstAddrInvalid);
  // COPY from a good buffer to nowhere, and from nowhere to a good buffer.
  EXPECT_EQ(run(drv, kCmdCopy, good, kNowhere, 4096, 0), kStCopyFail | kStDstAddrInvalid);
  EXPECT_EQ(run(drv, kCmdCopy, kNowhere, good, 4096, 0), kStCopyFail | kStSrcAddrInvalid);
  // A READ that starts in guest memory and runs off its end: the fault comes
  // after 16 good 64 KiB chunks, in the middle of the transfer.
  EXPECT_EQ(run(drv, kCmdRead, good, 0, (1 << 20) + 1, good_crc), kStReadFail | kStSrcAddrInvalid);
  EXPECT_GE(mem.dma_faults, 5u);

  // The session survived every fault: the next transfers succeed.
  EXPECT_TRUE(drv.write_test(1024001));
  EXPECT_TRUE(drv.read_test(1024001));
  EXPECT_TRUE((*dev)->alive());
  (*dev)->close("done");
  ASSERT_TRUE(host.process->wait_exit(seconds(5))) << "host still running after goodbye";
  // The host logged each fault with its address (guest error: logged, carried on).
  const std::string log = host.process->log();
  EXPECT_NE(log.find("DMA read of 4096 bytes at 0xdead0000"), std::string::npos) << log;
  EXPECT_NE(log.find("DMA write of 4096 bytes at 0xdead0000"), std::string::npos) << log;
  EXPECT_NE(log.find("session ended: ok"), std::string::npos) << log;
}

INSTANTIATE_TEST_SUITE_P(Integration, InvalidDma, ::testing::Values(Net::kIpc, Net::kTcp, Net::kUnix), param_name);

// ---- the host killed in the middle of a READ -------------------------------------

class HostKilled : public Faults {};

TEST_P(HostKilled, MidReadGivesPeerLostAndAllOnes) {
  constexpr milliseconds kHeartbeatTimeout{1000};
  constexpr milliseconds kMargin{1500};
  Host host;
  HostOptions ho;
  ho.heartbeat_timeout_ms = static_cast<int>(kHeartbeatTimeout.count());
  ASSERT_NO_FATAL_FAILURE(start_host(GetParam(), ho, host));
  TransportOptions topts;
  topts.heartbeat_interval = milliseconds(200);
  topts.heartbeat_timeout = kHeartbeatTimeout;
  auto dev = connect(host.endpoint, topts);
  ASSERT_TRUE(dev) << dev.status().to_string();
  RemoteDevice& d = **dev;
  GuestMemory mem;
  d.attach(&mem);
  GuestDriver drv(d, mem);
  Watchdog dog("frontend after the host was killed", seconds(30), log_dir_);

  constexpr uint32_t kReadBytes = 1 << 20;
  const uint64_t src = mem.alloc(kReadBytes, 0);
  steady_clock::time_point killed_at{};
  uint64_t dma_requests = 0;
  // kill -9 the host from inside its first DMA request: it dies holding a
  // half-done READ, with more chunks to ask for.
  mem.on_dma_read = [&](uint64_t, uint64_t) {
    if (dma_requests++ == 0) {
      host.process->kill_hard();
      killed_at = steady_clock::now();
    }
  };
  drv.writel(kChecksum, 0);
  drv.writel(kSrcAddrLo, static_cast<uint32_t>(src));
  drv.writel(kSrcAddrHi, static_cast<uint32_t>(src >> 32));
  drv.writel(kSize, kReadBytes);
  drv.writel(kIrqType, kIrqMsi);
  drv.writel(kIrqNumber, 1);
  drv.writel(kCommand, kCmdRead);
  ASSERT_TRUE(drv.pump([&] { return dma_requests > 0; }, seconds(10))) << "the host never asked for DMA";
  ASSERT_FALSE(host.process->running());

  // The next register read notices, within the heartbeat timeout.
  uint64_t value = 0;
  const Status s = d.bar_read(0, kStatus, 4, value);
  const auto took = duration_cast<milliseconds>(steady_clock::now() - killed_at);
  // The host sends its 256 KiB chunk requests for the 1 MiB READ together; those
  // already on the wire when it died may still be served, nothing after the loss.
  const uint64_t served_before_loss = dma_requests;
  EXPECT_EQ(s.code(), ErrorCode::kPeerLost) << s.to_string();
  EXPECT_NE(s.message().find(host.endpoint), std::string::npos) << "the error should name the endpoint: " << s.to_string();
  EXPECT_LT(took, kHeartbeatTimeout + kMargin) << "peer loss noticed only after " << took.count() << " ms";
  EXPECT_EQ(value, 0xffffffffu);
  EXPECT_FALSE(d.alive());
  EXPECT_EQ(d.failure().code(), ErrorCode::kPeerLost);

  // Afterwards: at once, all-ones, for every size; writes fail the same way.
  const auto t0 = steady_clock::now();
  for (unsigned size : {1u, 2u, 4u, 8u}) {
    uint64_t v = 0;
    EXPECT_EQ(d.bar_read(1, 0, size, v).code(), ErrorCode::kPeerLost);
    EXPECT_EQ(v, size == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * size)) - 1) << "read of " << size << " bytes";
  }
  EXPECT_EQ(d.bar_write(0, kMagic, 4, 1).code(), ErrorCode::kPeerLost);
  d.poll();  // must not throw or block
  EXPECT_LT(steady_clock::now() - t0, milliseconds(200));
  EXPECT_LE(served_before_loss, 4u) << "more DMA requests than the host could have sent before it died";
  EXPECT_EQ(dma_requests, served_before_loss) << "the frontend kept serving DMA for a dead host";
  // The frontend logged the loss once, naming the device and the endpoint.
  int lost_lines = 0;
  for (const auto& line : frontend_lines_)
    if (line.find("no longer reachable") != std::string::npos && line.find(host.endpoint) != std::string::npos)
      ++lost_lines;
  EXPECT_EQ(lost_lines, 1);
}

INSTANTIATE_TEST_SUITE_P(Integration, HostKilled, ::testing::Values(Net::kIpc, Net::kTcp, Net::kUnix), param_name);

// ---- the frontend process vanishing while the host waits for a DMA --------------------

class FrontendKilled : public Faults {};

TEST_P(FrontendKilled, MidDmaEndsSessionAndNextFrontendGetsFreshDevice) {
  constexpr milliseconds kHeartbeatTimeout{1000};
  Host host;
  HostOptions ho;
  ho.once = false;
  ho.heartbeat_timeout_ms = static_cast<int>(kHeartbeatTimeout.count());
  ASSERT_NO_FATAL_FAILURE(start_host(GetParam(), ho, host));
  Watchdog dog("frontend killed mid-DMA", seconds(60), log_dir_);

  const std::string child_log = log_dir_ + "/frontend-child.log";
  ChildProcess child(COSIM_IT_FRONTEND_PATH, {host.endpoint, std::to_string(1 << 20)}, child_log);
  ASSERT_TRUE(child.wait_for_log("DMA-STARTED", seconds(10)))
      << "the frontend child never got a DMA request; its log " << child_log << ":\n"
      << child.log();
  child.kill_hard();
  const auto killed_at = steady_clock::now();

  // The host ends that session with a peer-lost error ...
  ASSERT_TRUE(host.process->wait_for_log("session ended: peer lost", kHeartbeatTimeout + seconds(4)))
      << "host log:\n" << host.process->log();
  const auto took = duration_cast<milliseconds>(steady_clock::now() - killed_at);
  EXPECT_LT(took, kHeartbeatTimeout + milliseconds(4000));
  ASSERT_TRUE(host.process->running()) << describe_wait_status(*host.process->wait_exit(0ms));

  // ... and serves the next frontend a device fresh from reset.
  auto dev = connect(host.endpoint);
  ASSERT_TRUE(dev) << "a new frontend after the lost one: " << dev.status().to_string();
  GuestMemory mem;
  (*dev)->attach(&mem);
  GuestDriver drv(**dev, mem);
  EXPECT_EQ(drv.readl(kMagic), 0u) << "MAGIC of the previous session survived";
  EXPECT_EQ(drv.readl(kStatus), 0u);
  EXPECT_EQ(drv.readl(kSize), 0u);
  EXPECT_TRUE(drv.bar_test(1));
  EXPECT_TRUE(drv.write_test(1 << 20));
  EXPECT_TRUE(drv.read_test(1 << 20));
  EXPECT_EQ(drv.first_error(), "");
}

INSTANTIATE_TEST_SUITE_P(Integration, FrontendKilled, ::testing::Values(Net::kIpc, Net::kTcp, Net::kUnix), param_name);

// ---- cosim-host asked to stop -------------------------------------------------------

// SIGTERM/SIGINT make cosim-host stop: main.cpp's handler sets a flag and asks
// the DeviceServer to stop, so the host says goodbye to its frontend and exits
// with status 0. The signal lands while the host sleeps in zmq_poll, which
// then fails with EINTR: that must wake the loop, not abort the process.
class HostSignals : public Faults {};

TEST_P(HostSignals, SigtermWhileIdleExitsCleanly) {
  Host host;
  HostOptions ho;
  ho.once = false;
  ASSERT_NO_FATAL_FAILURE(start_host(GetParam(), ho, host));
  Watchdog dog("SIGTERM to an idle host", seconds(30), log_dir_);
  std::this_thread::sleep_for(milliseconds(100));  // into its accept() wait
  ASSERT_EQ(::kill(host.process->pid(), SIGTERM), 0);
  const auto st = host.process->wait_exit(seconds(3));
  ASSERT_TRUE(st) << "cosim-host still runs 3 s after SIGTERM";
  EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0)
      << "cosim-host " << describe_wait_status(*st) << " on SIGTERM; its log:\n" << host.process->log();
}

TEST_P(HostSignals, SigtermDuringSessionSaysGoodbyeAndExitsCleanly) {
  Host host;
  HostOptions ho;
  ho.once = false;
  ASSERT_NO_FATAL_FAILURE(start_host(GetParam(), ho, host));
  Watchdog dog("SIGTERM to a host in a session", seconds(30), log_dir_);
  auto dev = connect(host.endpoint);
  ASSERT_TRUE(dev) << dev.status().to_string();
  RemoteDevice& d = **dev;
  uint64_t v = 1;
  ASSERT_TRUE(d.bar_read(0, kMagic, 4, v).is_ok());
  std::this_thread::sleep_for(milliseconds(100));  // the host waits for the next request
  ASSERT_EQ(::kill(host.process->pid(), SIGTERM), 0);
  const auto deadline = steady_clock::now() + seconds(3);
  while (d.alive() && steady_clock::now() < deadline) {
    d.poll();
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_FALSE(d.alive()) << "the frontend did not notice the host stopping within 3 s";
  EXPECT_EQ(d.failure().code(), ErrorCode::kPeerLost);
  EXPECT_NE(d.failure().message().find("host stopping"), std::string::npos)
      << "expected the host's goodbye, got: " << d.failure().to_string();
  const auto st = host.process->wait_exit(seconds(3));
  ASSERT_TRUE(st) << "cosim-host still runs 3 s after SIGTERM";
  EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0)
      << "cosim-host " << describe_wait_status(*st) << " on SIGTERM; its log:\n" << host.process->log();
}

INSTANTIATE_TEST_SUITE_P(Integration, HostSignals, ::testing::Values(Net::kIpc, Net::kTcp, Net::kUnix), param_name);

// ---- a second frontend while one is connected ---------------------------------------

class SecondFrontend : public Faults {};

TEST_P(SecondFrontend, IsRefusedBusyNamingTheHost) {
  Host host;
  HostOptions ho;
  ho.once = false;
  ho.name = "busy-test-host";
  ASSERT_NO_FATAL_FAILURE(start_host(GetParam(), ho, host));
  Watchdog dog("second frontend", seconds(30), log_dir_);
  auto first = connect(host.endpoint);
  ASSERT_TRUE(first) << first.status().to_string();
  EXPECT_EQ((*first)->peer().peer_name, "busy-test-host");

  auto second = connect(host.endpoint, {}, session_options("second-frontend"));
  ASSERT_FALSE(second) << "a second frontend was accepted";
  EXPECT_EQ(second.status().code(), ErrorCode::kBusy) << second.status().to_string();
  EXPECT_NE(second.status().message().find("'busy-test-host'"), std::string::npos) << second.status().to_string();

  // The first session is undisturbed ...
  GuestMemory mem;
  (*first)->attach(&mem);
  GuestDriver drv(**first, mem);
  EXPECT_TRUE(drv.bar_test(2));
  EXPECT_TRUE(drv.write_test(1025));
  // ... and once it ends, the host takes the next frontend.
  (*first)->close("making room");
  auto third = connect(host.endpoint, {}, session_options("third-frontend"));
  ASSERT_TRUE(third) << "after the first frontend left: " << third.status().to_string();
  uint64_t magic = 1;
  EXPECT_TRUE((*third)->bar_read(0, kMagic, 4, magic).is_ok());
  EXPECT_EQ(magic, 0u);
}

INSTANTIATE_TEST_SUITE_P(Integration, SecondFrontend, ::testing::Values(Net::kIpc, Net::kTcp, Net::kUnix), param_name);

// ---- a frontend speaking another protocol major --------------------------------------

class VersionMismatch : public Faults {};

TEST_P(VersionMismatch, RawHelloV2IsRefusedNamingBothVersions) {
  Host host;
  HostOptions ho;
  ho.once = false;
  ASSERT_NO_FATAL_FAILURE(start_host(GetParam(), ho, host));
  Watchdog dog("version mismatch", seconds(30), log_dir_);
  {
    RawClient raw(host.endpoint);
    proto::Hello hello;
    hello.major = 2;
    hello.minor = 0;
    hello.peer_name = "frontend-from-the-future";
    const uint64_t seq = raw.send(hello);
    auto m = raw.recv();
    ASSERT_TRUE(m) << m.status().to_string();
    auto* e = std::get_if<proto::Error>(&m->body);
    ASSERT_NE(e, nullptr) << "a v2 Hello got " << proto::body_name(m->body);
    EXPECT_EQ(m->reply_to, seq);
    EXPECT_EQ(e->code, ErrorCode::kVersionMismatch) << e->text;
    EXPECT_NE(e->text.find(version(2, 0)), std::string::npos) << e->text;
    EXPECT_NE(e->text.find(version(proto::kProtocolMajor, proto::kProtocolMinor)), std::string::npos) << e->text;
  }
  EXPECT_TRUE(host.process->wait_for_log("session ended: version mismatch", seconds(5))) << host.process->log();
  // The refusal did not take the host down.
  auto dev = connect(host.endpoint);
  ASSERT_TRUE(dev) << "a v1 frontend after the refused one: " << dev.status().to_string();
  uint64_t v = 0;
  EXPECT_TRUE((*dev)->bar_read(0, kMagic, 4, v).is_ok());
}

INSTANTIATE_TEST_SUITE_P(Integration, VersionMismatch, ::testing::Values(Net::kIpc, Net::kTcp, Net::kUnix), param_name);

// ---- malformed frames --------------------------------------------------------------

class MalformedFrames : public Faults {
 protected:
  // Sends `frame`; expects Error(code) whose text contains `says`, then a working host.
  void expect_refused(RawClient& raw, Bytes frame, ErrorCode code, const std::string& says, const char* what) {
    SCOPED_TRACE(what);
    raw.send_bytes(std::move(frame));
    auto m = raw.recv();
    ASSERT_TRUE(m) << "no answer: " << m.status().to_string();
    auto* e = std::get_if<proto::Error>(&m->body);
    ASSERT_NE(e, nullptr) << "answered with " << proto::body_name(m->body);
    EXPECT_EQ(e->code, code) << "got " << to_string(e->code) << ": " << e->text;
    EXPECT_NE(e->text.find(says), std::string::npos) << e->text;
    EXPECT_TRUE(raw.still_serves());
  }
};

TEST_P(MalformedFrames, AreAnsweredWithErrorAndHostKeepsWorking) {
  Host host;
  ASSERT_NO_FATAL_FAILURE(start_host(GetParam(), HostOptions{}, host));
  Watchdog dog("malformed frames", seconds(30), log_dir_);
  RawClient raw(host.endpoint);
  ASSERT_TRUE(raw.handshake());

  // Someone points an HTTP client at the port: "GET " read as a header length
  // is far beyond the limit. The codec classes a length out of its limits as
  // kBadSize (codec.h; tests/unit/bridge/codec_test.cpp), the rest as kMalformed.
  const std::string http = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  expect_refused(raw, Bytes(http.begin(), http.end()), ErrorCode::kBadSize, "header length", "HTTP request");
  // A plausible header length in front of bytes that are no Envelope.
  expect_refused(raw, Bytes{8, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, ErrorCode::kMalformed,
                 "Envelope", "header that does not parse");
  // Shorter than the length word itself.
  expect_refused(raw, Bytes{1, 0}, ErrorCode::kMalformed, "shorter", "two-byte frame");
  // A valid BarWrite frame cut short.
  auto whole = proto::encode(proto::Message{100, 0, 0, proto::BarWrite{0, kMagic, 4, 0x55}});
  ASSERT_TRUE(whole);
  Bytes cut(whole->begin(), whole->end() - 3);
  expect_refused(raw, cut, ErrorCode::kMalformed, "truncated", "truncated frame");
  // A header length far beyond the limit in a 20-byte frame.
  expect_refused(raw, Bytes{0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
                 ErrorCode::kBadSize, "header length 2147483647 exceeds the limit", "oversized header length");
  // A whole frame beyond the protocol's limit is a size error, not a malformed one.
  Bytes huge(proto::kMaxFrameBytes + 1, 0);
  huge[0] = 2;
  expect_refused(raw, huge, ErrorCode::kBadSize, "exceeds the limit", "frame over kMaxFrameBytes");
  // A payload on a message that cannot carry one.
  Bytes padded = *whole;
  padded.push_back(0);
  expect_refused(raw, padded, ErrorCode::kMalformed, "payload", "payload on a BarWrite");

  // The truncated BarWrite never reached the device; MAGIC is untouched.
  const uint64_t seq = raw.send(proto::BarRead{0, kMagic, 4});
  auto m = raw.recv();
  ASSERT_TRUE(m);
  auto* r = std::get_if<proto::BarReadReply>(&m->body);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(m->reply_to, seq);
  EXPECT_EQ(r->data, 0u);
  // An orderly end: the --once host exits 0, the bad frames did not end the session.
  raw.send(proto::Goodbye{"done"});
  auto st = host.process->wait_exit(seconds(5));
  ASSERT_TRUE(st) << "host still running after goodbye";
  EXPECT_EQ(*st, 0) << describe_wait_status(*st) << "\n" << host.process->log();
  EXPECT_NE(host.process->log().find("received a bad frame"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Integration, MalformedFrames, ::testing::Values(Net::kIpc, Net::kTcp, Net::kUnix), param_name);

}  // namespace
}  // namespace cosim::integration
