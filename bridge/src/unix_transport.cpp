// Direct Unix-domain transport for one machine (unix:///path). Frames travel
// over a SOCK_STREAM connection as [u32 LE length][frame], written and read by
// the caller's own thread: no I/O thread on the data path, so a round trip
// costs what a bare socket ping-pong costs. Liveness runs on a second,
// heartbeat-only connection that a small thread serves on each side, so a peer
// busy inside a long simulation step still answers, while a killed one is seen
// at once (EOF) and a frozen one (SIGSTOP) after heartbeat_timeout.
// docs/protocol.md ("Transports") describes the wire format.
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "transports.h"

namespace cosim {
namespace {

using namespace std::chrono;
using Clock = steady_clock;

// ---------------------------------------------------------------- wire format

// Each connection opens with a preamble from the client, answered by the magic.
constexpr char kMagic[8] = {'C', 'O', 'S', 'I', 'M', 'U', 'X', '1'};
constexpr uint32_t kKindData = 1;       // carries frames
constexpr uint32_t kKindHeartbeat = 2;  // carries heartbeat bytes only
constexpr size_t kPreambleBytes = 24;   // magic, u32 kind, u32 reserved, u64 token
// Heartbeat bytes: each side pings every heartbeat_interval, the other's
// heartbeat thread answers at once; anything heard counts as alive.
constexpr uint8_t kPing = 'p';
constexpr uint8_t kPong = 'P';
// Like ZeroMQ's maxmsgsize (zmq_transport.cpp): a larger length prefix is a
// corrupt stream, and the connection is dropped.
constexpr uint32_t kMaxFrame = 8u << 20;
// Small frames are read through a staging buffer (several per syscall);
// larger ones straight into their own buffer, after at most this much of
// them was staged.
constexpr size_t kStageBytes = 16 * 1024;
// The socket buffer a sender may fill before it waits for the reader: room for
// a few DMA chunks (the kernel caps it at net.core.wmem_max).
constexpr int kSendBuffer = 2 << 20;

void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t get_u32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
void put_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint64_t get_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

std::string errno_text(int e) { return std::strerror(e); }

// Milliseconds for poll(): until `deadline`, rounded up, -1 for "forever".
int poll_ms(Clock::time_point deadline) {
  if (deadline == Clock::time_point::max()) return -1;
  const auto left = deadline - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  const auto ms = duration_cast<milliseconds>(left + milliseconds(1) - nanoseconds(1)).count();
  return static_cast<int>(std::min<int64_t>(ms, 24 * 3600 * 1000));
}

Clock::time_point deadline_after(milliseconds timeout) {
  return timeout.count() < 0 ? Clock::time_point::max() : Clock::now() + timeout;
}

uint64_t random_token() {
  uint64_t token = 0;
  if (getrandom(&token, sizeof token, 0) != static_cast<ssize_t>(sizeof token))
    token = static_cast<uint64_t>(Clock::now().time_since_epoch().count()) ^ (uint64_t(getpid()) << 32);
  return token | 1;  // never 0: 0 means "no session"
}

// A thread that takes no signals: process-directed signals (SIGTERM of a
// host, QEMU's own) stay with the threads that handle them.
std::thread quiet_thread(std::function<void()> body) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  std::thread t(std::move(body));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return t;
}

// An eventfd that wakes a poll() in another thread.
class Waker {
 public:
  Waker() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) throw BridgeError(ErrorCode::kInternal, "eventfd: " + errno_text(errno));
  }
  ~Waker() { ::close(fd_); }
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;
  void wake() {
    uint64_t one = 1;
    (void)!::write(fd_, &one, sizeof one);
  }
  void drain() {
    uint64_t v;
    (void)!::read(fd_, &v, sizeof v);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

// ---------------------------------------------------------------- endpoint

// The socket address of `endpoint` (unix://PATH), or kConfig naming what is wrong.
sockaddr_un parse_endpoint(const std::string& endpoint, std::string& path) {
  path = endpoint.substr(std::strlen("unix://"));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty())
    throw BridgeError(ErrorCode::kConfig, "endpoint '" + endpoint + "' names no socket path (use unix:///path)");
  if (path.find('\0') != std::string::npos)
    throw BridgeError(ErrorCode::kConfig, "endpoint '" + endpoint + "' has a NUL byte in its path");
  if (path.size() >= sizeof addr.sun_path)
    throw BridgeError(ErrorCode::kConfig,
                      "socket path of endpoint '" + endpoint + "' is " + std::to_string(path.size()) +
                          " bytes; a Unix socket path holds at most " + std::to_string(sizeof addr.sun_path - 1) +
                          " (sun_path is 108 bytes): choose a shorter one");
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}

int stream_socket() {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) throw BridgeError(ErrorCode::kInternal, "socket(AF_UNIX): " + errno_text(errno));
  return fd;
}

void tune_data_socket(int fd) {
  (void)::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kSendBuffer, sizeof kSendBuffer);
}

// Writes all of `data` to a fresh non-blocking connection (a preamble, the
// magic, one heartbeat byte: small enough for an empty socket buffer).
bool write_small(int fd, const void* data, size_t n) {
  return ::send(fd, data, n, MSG_NOSIGNAL | MSG_DONTWAIT) == static_cast<ssize_t>(n);
}

// ---------------------------------------------------------------- data path

// One data connection: length-prefixed frames in both directions, read and
// written by the thread that uses the transport. `who` names the peer for
// errors ("host at 'unix:///x'"); the `heartbeat_failure` callbacks report
// what the heartbeat side found (empty while the peer is alive).
class FrameStream {
 public:
  FrameStream(int fd, std::string who) : fd_(fd), who_(std::move(who)), stage_(kStageBytes) {}
  FrameStream(const FrameStream&) = delete;
  FrameStream& operator=(const FrameStream&) = delete;

  int fd() const { return fd_; }

  void send(const Bytes& frame, const std::function<std::string()>& heartbeat_failure) {
    if (broken()) throw lost(heartbeat_failure);
    if (frame.size() > kMaxFrame)
      throw BridgeError(ErrorCode::kBadSize, "frame of " + std::to_string(frame.size()) + " bytes for " + who_ +
                                                 " exceeds the transport's limit of " + std::to_string(kMaxFrame));
    uint8_t prefix[4];
    put_u32(prefix, static_cast<uint32_t>(frame.size()));
    iovec iov[2] = {{prefix, sizeof prefix}, {const_cast<uint8_t*>(frame.data()), frame.size()}};
    size_t first = 0;  // first iovec not fully written
    for (;;) {
      msghdr msg{};
      msg.msg_iov = iov + first;
      msg.msg_iovlen = 2 - first;
      const ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) {
        size_t left = static_cast<size_t>(n);
        while (first < 2 && left >= iov[first].iov_len) left -= iov[first++].iov_len;
        if (first == 2) return;
        iov[first].iov_base = static_cast<uint8_t*>(iov[first].iov_base) + left;
        iov[first].iov_len -= left;
        continue;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        error_ = "send failed: " + errno_text(errno);
        throw lost(heartbeat_failure);
      }
      // The socket is full. Keep reading while waiting for room: the peer may
      // itself be blocked sending to us, and with both sides only sending, two
      // full buffers would deadlock. What arrives is queued for recv().
      pollfd p{fd_, POLLIN | POLLOUT, 0};
      if (::poll(&p, 1, -1) < 0 && errno != EINTR)
        throw BridgeError(ErrorCode::kInternal, "poll: " + errno_text(errno));
      if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
        pump(Until::kDrained);
        if (eof_ || !error_.empty()) throw lost(heartbeat_failure);
      }
    }
  }

  // A frame, waiting up to `timeout` (negative: forever); nullopt on timeout.
  // Frames that arrived before the peer went away are delivered first.
  std::optional<Bytes> recv(milliseconds timeout, const std::function<std::string()>& heartbeat_failure) {
    const auto deadline = deadline_after(timeout);
    for (;;) {
      if (auto f = pop()) return f;
      if (broken()) throw lost(heartbeat_failure);
      pollfd p{fd_, POLLIN, 0};
      const int r = ::poll(&p, 1, poll_ms(deadline));
      if (r > 0) {
        pump(Until::kOneFrame);
        continue;
      }
      if (r < 0 && errno != EINTR) throw BridgeError(ErrorCode::kInternal, "poll: " + errno_text(errno));
      // A signal (a host stopping on SIGTERM) or the timeout: give up only at the deadline.
      if (Clock::now() >= deadline) return std::nullopt;
    }
  }

  // Reads what is waiting (without blocking) and says whether a frame, or the
  // news that the peer is gone, is there for recv().
  bool has_pending() {
    if (!ready_.empty() || broken()) return true;
    if (readable_now()) pump(Until::kOneFrame);
    return !ready_.empty() || broken();
  }

  bool peer_gone() {
    if (!broken() && ready_.empty() && readable_now()) pump(Until::kOneFrame);
    return broken();
  }

  BridgeError lost(const std::function<std::string()>& heartbeat_failure) const {
    std::string why = heartbeat_failure ? heartbeat_failure() : std::string();
    if (why.empty()) why = error_.empty() ? "disconnected" : error_;
    return BridgeError(ErrorCode::kPeerLost, who_ + " " + why);
  }

 private:
  bool broken() const { return eof_ || !error_.empty(); }

  bool readable_now() const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }

  std::optional<Bytes> pop() {
    if (ready_.empty()) return std::nullopt;
    Bytes f = std::move(ready_.front());
    ready_.pop_front();
    return f;
  }

  // Reads what the socket holds into complete frames: all of it (while a send
  // waits for room), or until one frame is ready. Stopping there leaves later
  // DMA chunks in the socket until they are wanted, so a receiver holds one
  // chunk's buffer at a time and malloc reuses it instead of returning pages
  // to the kernel and faulting them in again for the next one.
  enum class Until { kOneFrame, kDrained };
  void pump(Until until) {
    while (!broken() && (until == Until::kDrained || ready_.empty())) {
      uint8_t* dst;
      size_t room;
      if (big_) {
        dst = big_->data() + big_have_;
        room = big_->size() - big_have_;
      } else {
        if (stage_begin_ > 0) {  // keep a partial frame at the front
          std::memmove(stage_.data(), stage_.data() + stage_begin_, stage_end_ - stage_begin_);
          stage_end_ -= stage_begin_;
          stage_begin_ = 0;
        }
        dst = stage_.data() + stage_end_;
        room = stage_.size() - stage_end_;
      }
      const ssize_t n = ::recv(fd_, dst, room, MSG_DONTWAIT);
      if (n == 0) {
        eof_ = true;
        return;
      }
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        error_ = "connection failed: " + errno_text(errno);
        return;
      }
      if (big_) {
        big_have_ += static_cast<size_t>(n);
        if (big_have_ == big_->size()) {
          ready_.push_back(std::move(*big_));
          big_.reset();
        }
      } else {
        stage_end_ += static_cast<size_t>(n);
        parse_stage();
      }
      // A short read emptied the socket: spare the syscall that says so.
      if (static_cast<size_t>(n) < room) return;
    }
  }

  void parse_stage() {
    while (stage_end_ - stage_begin_ >= 4) {
      const uint32_t len = get_u32(stage_.data() + stage_begin_);
      if (len > kMaxFrame) {
        error_ = "sent a frame of " + std::to_string(len) + " bytes, above the transport's limit of " +
                 std::to_string(kMaxFrame) + "; connection dropped";
        ::shutdown(fd_, SHUT_RDWR);
        return;
      }
      const size_t have = stage_end_ - stage_begin_ - 4;
      const uint8_t* body = stage_.data() + stage_begin_ + 4;
      if (have >= len) {
        if (len > 0) ready_.emplace_back(body, body + len);  // empty frames carry nothing
        stage_begin_ += 4 + len;
        continue;
      }
      if (4 + size_t{len} > stage_.size()) {
        // Too big for the stage: the rest is read straight into its own buffer.
        big_.emplace(len);
        std::memcpy(big_->data(), body, have);
        big_have_ = have;
        stage_begin_ = stage_end_ = 0;
      }
      break;
    }
    if (stage_begin_ == stage_end_) stage_begin_ = stage_end_ = 0;
  }

  int fd_;
  std::string who_;
  std::vector<uint8_t> stage_;
  size_t stage_begin_ = 0, stage_end_ = 0;
  std::optional<Bytes> big_;  // a large frame being read
  size_t big_have_ = 0;
  std::deque<Bytes> ready_;
  bool eof_ = false;
  std::string error_;
};

// One end of a heartbeat connection, as a heartbeat thread sees it.
struct HeartbeatLink {
  int fd = -1;
  Clock::time_point last_heard;
  // Reads what arrived, answering pings. False when the connection ended.
  bool on_readable(Clock::time_point now) {
    uint8_t buf[256];
    for (;;) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n == 0) return false;
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      last_heard = now;
      if (std::find(buf, buf + n, kPing) != buf + n) (void)write_small(fd, &kPong, 1);
      if (static_cast<size_t>(n) < sizeof buf) return true;
    }
  }
  // A full socket buffer (the peer is frozen) is not an error here: the
  // timeout decides.
  void ping() { (void)write_small(fd, &kPing, 1); }
};

// A heartbeat thread that itself was not scheduled for a while (the machine
// or the process stalled: a loaded host, a paused VM) has heard nothing in
// that time because the peer -- stalled too, or not yet running again -- may
// not have sent anything: that is no news about the peer. A loop iteration
// that took far longer than its poll timeout allows (at most one heartbeat
// interval) counts as such a stall, and the peer gets two intervals from the
// wake-up to be heard before its silence counts.
struct StallGuard {
  Clock::time_point last_awake = Clock::now();
  // True when the thread was stalled since the previous call.
  bool woke_from_stall(Clock::time_point now, milliseconds interval) {
    const bool stalled = now - last_awake > 2 * interval + milliseconds(500);
    last_awake = now;
    return stalled;
  }
  // The latest `last heard` that still leaves the peer two intervals from now.
  static Clock::time_point grace(Clock::time_point now, milliseconds interval, milliseconds timeout) {
    return now - timeout + 2 * interval;
  }
};

std::string silence(milliseconds timeout) {
  return "stopped answering heartbeats (nothing heard for " + std::to_string(timeout.count()) + " ms)";
}

// ---------------------------------------------------------------- client

class UnixClient final : public Transport {
 public:
  UnixClient(const std::string& endpoint, const TransportOptions& options)
      : endpoint_(endpoint), options_(options), token_(random_token()) {
    addr_ = parse_endpoint(endpoint, path_);
    const auto deadline = Clock::now() + options.connect_timeout;
    const int data = open(kKindData, deadline);
    int hb = -1;
    try {
      hb = open(kKindHeartbeat, deadline);
    } catch (...) {
      ::close(data);
      throw;
    }
    tune_data_socket(data);
    stream_.emplace(data, "host at '" + endpoint + "'");
    hb_.fd = hb;
    hb_.last_heard = Clock::now();
    thread_ = quiet_thread([this] { heartbeat_loop(); });
  }

  ~UnixClient() override {
    stop_ = true;
    waker_.wake();
    thread_.join();
    ::close(hb_.fd);
    ::close(stream_->fd());
  }

  void send(Bytes frame) override { stream_->send(frame, failure_fn()); }
  std::optional<Bytes> recv(milliseconds timeout) override { return stream_->recv(timeout, failure_fn()); }
  int notify_fd() const override { return stream_->fd(); }
  bool has_pending() override { return stream_->has_pending() || failed(); }
  bool peer_lost() override { return stream_->peer_gone() || failed(); }
  std::string endpoint() const override { return endpoint_; }

 private:
  // Connects one connection of kind `kind` and completes its preamble. The host
  // may not be up yet: a missing or refusing socket is retried until `deadline`.
  int open(uint32_t kind, Clock::time_point deadline) {
    for (;;) {
      const int fd = stream_socket();
      if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr_), sizeof addr_) == 0) {
        finish_preamble(fd, kind, deadline);
        return fd;
      }
      const int e = errno;
      ::close(fd);
      const bool not_yet = e == ENOENT || e == ECONNREFUSED || e == EAGAIN || e == EINTR;
      if (!not_yet) throw BridgeError(ErrorCode::kConfig, "cannot connect to '" + endpoint_ + "': " + errno_text(e));
      if (Clock::now() >= deadline)
        throw BridgeError(ErrorCode::kTimeout, "no host listening at '" + endpoint_ + "' (waited " +
                                                   std::to_string(options_.connect_timeout.count()) + " ms; " +
                                                   errno_text(e) + ")");
      std::this_thread::sleep_for(milliseconds(10));
    }
  }

  void finish_preamble(int fd, uint32_t kind, Clock::time_point deadline) {
    uint8_t pre[kPreambleBytes] = {};
    std::memcpy(pre, kMagic, sizeof kMagic);
    put_u32(pre + 8, kind);
    put_u64(pre + 16, token_);
    if (!write_small(fd, pre, sizeof pre)) {
      const int e = errno;
      ::close(fd);
      throw BridgeError(ErrorCode::kPeerLost, "host at '" + endpoint_ + "' dropped the connection: " + errno_text(e));
    }
    uint8_t got[sizeof kMagic];
    size_t have = 0;
    while (have < sizeof got) {
      pollfd p{fd, POLLIN, 0};
      const int r = ::poll(&p, 1, poll_ms(deadline));
      if (r == 0) {
        ::close(fd);
        throw BridgeError(ErrorCode::kTimeout, "host at '" + endpoint_ +
                                                   "' accepted the connection but did not answer within " +
                                                   std::to_string(options_.connect_timeout.count()) + " ms");
      }
      if (r < 0) continue;  // EINTR
      const ssize_t n = ::recv(fd, got + have, sizeof got - have, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) {
        ::close(fd);
        throw BridgeError(ErrorCode::kPeerLost, "host at '" + endpoint_ + "' closed the connection before answering");
      }
      have += static_cast<size_t>(n);
      if (std::memcmp(got, kMagic, have) != 0) {
        ::close(fd);
        throw BridgeError(ErrorCode::kConfig,
                          "'" + endpoint_ + "' is not a cosim unix:// listener" +
                              (got[0] == 0xff ? " (it answers like ZeroMQ: is the host listening on ipc:// instead?)"
                                              : ""));
      }
    }
  }

  // The heartbeat thread: pings, answers pings, and on silence or EOF records
  // the failure and shuts the data socket down, which wakes a recv() or send()
  // blocked on it (and QEMU's main loop through notify_fd).
  void heartbeat_loop() {
    auto next_ping = Clock::now();
    for (;;) {
      const auto give_up = hb_.last_heard + options_.heartbeat_timeout;
      pollfd p[2] = {{hb_.fd, POLLIN, 0}, {waker_.fd(), POLLIN, 0}};
      (void)::poll(p, 2, poll_ms(std::min(next_ping, give_up)));
      if (stop_) return;
      auto now = Clock::now();
      if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !hb_.on_readable(now)) return fail("disconnected");
      if (stall_.woke_from_stall(now, options_.heartbeat_interval)) {
        hb_.last_heard = std::max(hb_.last_heard,
                                  StallGuard::grace(now, options_.heartbeat_interval, options_.heartbeat_timeout));
        next_ping = now;  // and ask at once
      }
      if (now >= next_ping) {
        hb_.ping();
        next_ping = now + options_.heartbeat_interval;
      }
      if (now - hb_.last_heard > options_.heartbeat_timeout) return fail(silence(options_.heartbeat_timeout));
    }
  }

  void fail(const std::string& why) {
    {
      std::lock_guard lock(mu_);
      failure_ = why;
    }
    failed_ = true;
    ::shutdown(stream_->fd(), SHUT_RDWR);
  }

  bool failed() const { return failed_; }
  std::function<std::string()> failure_fn() {
    return [this] {
      std::lock_guard lock(mu_);
      return failure_;
    };
  }

  std::string endpoint_;
  std::string path_;
  sockaddr_un addr_{};
  TransportOptions options_;
  uint64_t token_;
  std::optional<FrameStream> stream_;
  HeartbeatLink hb_;
  StallGuard stall_;  // heartbeat thread only
  Waker waker_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  mutable std::mutex mu_;
  std::string failure_;  // guarded by mu_
  std::thread thread_;
};

// ---------------------------------------------------------------- server

// What the listener's thread and its sessions share.
struct ListenerCore {
  explicit ListenerCore(std::string ep, TransportOptions o) : endpoint(std::move(ep)), options(o) {}
  const std::string endpoint;
  const TransportOptions options;
  Waker waker;  // wakes the listener thread

  std::mutex mu;
  std::condition_variable cv;  // a candidate arrived
  // Guarded by mu:
  Bytes busy_frame;
  bool stopping = false;
  bool slot_taken = false;  // a candidate waits for accept() or a session is active
  struct Candidate {
    int fd;
    uint64_t token;
  };
  std::optional<Candidate> candidate;
  uint64_t active_token = 0;  // 0: no session
  int active_fd = -1;
  Clock::time_point active_heard;
  std::string active_failure;
  std::vector<uint64_t> ended;  // sessions whose heartbeat connections to close
};

class UnixPeer final : public Transport {
 public:
  UnixPeer(std::shared_ptr<ListenerCore> core, int fd, uint64_t token)
      : core_(std::move(core)), token_(token), stream_(fd, "frontend on '" + core_->endpoint + "'") {}

  ~UnixPeer() override {
    {
      std::lock_guard lock(core_->mu);
      core_->active_token = 0;
      core_->active_fd = -1;
      core_->active_failure.clear();
      core_->slot_taken = false;
      core_->ended.push_back(token_);
    }
    core_->waker.wake();
    // Closed only now: the listener thread shuts the active socket down under
    // the lock, never a descriptor number that was reused since.
    ::close(stream_.fd());
  }

  void send(Bytes frame) override { stream_.send(frame, failure_fn()); }
  std::optional<Bytes> recv(milliseconds timeout) override { return stream_.recv(timeout, failure_fn()); }
  int notify_fd() const override { return stream_.fd(); }
  bool has_pending() override { return stream_.has_pending() || !failure_fn()().empty(); }
  bool peer_lost() override { return stream_.peer_gone() || !failure_fn()().empty(); }
  std::string endpoint() const override { return core_->endpoint; }

 private:
  std::function<std::string()> failure_fn() {
    return [this] {
      std::lock_guard lock(core_->mu);
      return core_->active_failure;
    };
  }
  std::shared_ptr<ListenerCore> core_;
  uint64_t token_;
  FrameStream stream_;
};

class UnixListener final : public Listener {
 public:
  UnixListener(const std::string& endpoint, const TransportOptions& options)
      : core_(std::make_shared<ListenerCore>(endpoint, options)) {
    const sockaddr_un addr = parse_endpoint(endpoint, path_);
    fd_ = stream_socket();
    try {
      bind_or_replace_stale(addr);
    } catch (...) {
      ::close(fd_);
      throw;
    }
    if (::listen(fd_, 16) != 0) {
      const int e = errno;
      ::close(fd_);
      ::unlink(path_.c_str());  // bound just now: a file nobody will listen on
      throw BridgeError(ErrorCode::kConfig, "cannot listen on '" + endpoint + "': " + errno_text(e));
    }
    struct stat st{};
    if (::lstat(path_.c_str(), &st) == 0) bound_ = {st.st_dev, st.st_ino};
    thread_ = quiet_thread([core = core_, fd = fd_] { ListenerThread(core, fd).run(); });
  }

  ~UnixListener() override {
    {
      std::lock_guard lock(core_->mu);
      core_->stopping = true;
      if (core_->candidate) ::close(core_->candidate->fd);
      core_->candidate.reset();
    }
    core_->waker.wake();
    thread_.join();
    ::close(fd_);
    // Remove the socket file if it is still ours (not replaced by a newer host).
    struct stat st{};
    if (bound_ && ::lstat(path_.c_str(), &st) == 0 && st.st_dev == bound_->first && st.st_ino == bound_->second)
      ::unlink(path_.c_str());
  }

  // A peer whose connection is established: its first frame follows (the
  // session's handshake waits for it with its own timeout).
  std::unique_ptr<Transport> accept(milliseconds timeout) override {
    const auto deadline = deadline_after(timeout);
    std::unique_lock lock(core_->mu);
    auto ready = [&] { return core_->candidate.has_value(); };
    if (deadline == Clock::time_point::max())
      core_->cv.wait(lock, ready);
    else if (!core_->cv.wait_until(lock, deadline, ready))
      return nullptr;
    const ListenerCore::Candidate c = *core_->candidate;
    core_->candidate.reset();
    core_->active_token = c.token;
    core_->active_fd = c.fd;
    core_->active_heard = Clock::now();  // its heartbeat connection may still be on its way
    core_->active_failure.clear();
    lock.unlock();
    tune_data_socket(c.fd);
    return std::make_unique<UnixPeer>(core_, c.fd, c.token);
  }

  std::string endpoint() const override { return core_->endpoint; }

  void set_busy_reply(Bytes frame) override {
    std::lock_guard lock(core_->mu);
    core_->busy_frame = std::move(frame);
  }

 private:
  // Binds the path; a socket file nobody listens on (left by a killed host) is
  // replaced, anything else is refused with a message naming the endpoint.
  void bind_or_replace_stale(const sockaddr_un& addr) {
    const std::string& ep = core_->endpoint;
    auto try_bind = [&] { return ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0; };
    if (try_bind()) return;
    int e = errno;
    if (e == EADDRINUSE) {
      struct stat st{};
      if (::lstat(path_.c_str(), &st) == 0 && !S_ISSOCK(st.st_mode))
        throw BridgeError(ErrorCode::kConfig, "cannot listen on '" + ep + "': '" + path_ +
                                                  "' exists and is not a socket; refusing to replace it");
      const int probe = stream_socket();
      const int r = ::connect(probe, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
      const int pe = errno;
      ::close(probe);
      if (r == 0 || pe == EAGAIN)
        throw BridgeError(ErrorCode::kConfig,
                          "cannot listen on '" + ep + "': another process is already listening there");
      if (pe != ECONNREFUSED)
        throw BridgeError(ErrorCode::kConfig, "cannot listen on '" + ep + "': '" + path_ +
                                                  "' is in use and cannot be probed: " + errno_text(pe));
      // Nobody listens: a stale socket file.
      if (::unlink(path_.c_str()) != 0)
        throw BridgeError(ErrorCode::kConfig, "cannot listen on '" + ep + "': cannot remove the stale socket '" +
                                                  path_ + "': " + errno_text(errno));
      if (try_bind()) return;
      e = errno;
    }
    std::string hint;
    if (e == ENOENT || e == ENOTDIR) hint = " (the directory of '" + path_ + "' does not exist)";
    if (e == EACCES || e == EPERM || e == EROFS) hint = " (no permission to create '" + path_ + "')";
    throw BridgeError(ErrorCode::kConfig, "cannot listen on '" + ep + "': " + errno_text(e) + hint);
  }

  // The listener's thread: accepts connections, reads their preambles, hands
  // the first data connection to accept(), answers later ones with the busy
  // reply, and serves every heartbeat connection -- so a host whose own thread
  // is deep in a simulation step still answers heartbeats and busy peers.
  class ListenerThread {
   public:
    ListenerThread(std::shared_ptr<ListenerCore> core, int listen_fd) : core_(std::move(core)), listen_fd_(listen_fd) {}

    void run() {
      auto next_ping = Clock::now();
      const auto& o = core_->options;
      for (;;) {
        const bool accepting = Clock::now() >= accept_paused_until_;
        std::vector<pollfd> p = {{core_->waker.fd(), POLLIN, 0},
                                 {listen_fd_, static_cast<short>(accepting ? POLLIN : 0), 0}};
        auto wake_at = accepting ? next_ping : std::min(next_ping, accept_paused_until_);
        for (const Conn& c : conns_) {
          // A peer in its grace period has talked: only its hang-up matters now.
          p.push_back({c.fd, static_cast<short>(c.stage == Stage::kGrace ? 0 : POLLIN), 0});
          wake_at = std::min(wake_at,
                             c.stage == Stage::kHeartbeat ? c.hb.last_heard + o.heartbeat_timeout : c.deadline);
        }
        {
          std::lock_guard lock(core_->mu);
          if (core_->active_token && core_->active_failure.empty())
            wake_at = std::min(wake_at, core_->active_heard + o.heartbeat_timeout);
        }
        (void)::poll(p.data(), p.size(), poll_ms(wake_at));
        if (p[0].revents) core_->waker.drain();
        if (!on_wake()) return;
        if (p[1].revents & POLLIN) accept_all();
        const auto now = Clock::now();
        // conns_ may have grown in accept_all(); only the polled ones have results.
        for (size_t i = 0; i + 2 < p.size(); ++i)
          if (p[i + 2].revents & (POLLIN | POLLHUP | POLLERR)) on_readable(conns_[i], p[i + 2].revents, now);
        if (stall_.woke_from_stall(now, o.heartbeat_interval)) {
          const auto grace = StallGuard::grace(now, o.heartbeat_interval, o.heartbeat_timeout);
          for (Conn& c : conns_)
            if (c.stage == Stage::kHeartbeat) c.hb.last_heard = std::max(c.hb.last_heard, grace);
          std::lock_guard lock(core_->mu);
          if (core_->active_token) core_->active_heard = std::max(core_->active_heard, grace);
          next_ping = now;  // and ask at once
        }
        if (now >= next_ping) {
          for (Conn& c : conns_)
            if (c.stage == Stage::kHeartbeat && c.fd >= 0) c.hb.ping();
          next_ping = now + o.heartbeat_interval;
        }
        check_timeouts(now);
        promote_waiting_peer();
        conns_.erase(std::remove_if(conns_.begin(), conns_.end(), [](const Conn& c) { return c.fd < 0; }),
                     conns_.end());
      }
    }

    ~ListenerThread() {
      for (Conn& c : conns_) close_conn(c);
    }

   private:
    // How long a peer that talks while a session is active waits for it to
    // end before it gets the busy reply. A session ends a moment after its
    // frontend's Goodbye; a frontend connecting right then is served, not refused.
    static constexpr milliseconds kBusyGrace{200};

    enum class Stage {
      kPreamble,   // reading the preamble
      kWaiting,    // a data connection while the session slot is taken
      kGrace,      // ... which has sent its first bytes: busy reply at `deadline`
      kHeartbeat,  // a heartbeat connection, served here for as long as it lives
    };
    struct Conn {
      int fd = -1;
      Stage stage = Stage::kPreamble;
      uint64_t token = 0;
      Clock::time_point deadline;  // preamble, first bytes, or busy reply due
      std::vector<uint8_t> preamble;
      HeartbeatLink hb;
    };

    // Handles what the waker announced; false when the listener stops.
    bool on_wake() {
      std::vector<uint64_t> ended;
      {
        std::lock_guard lock(core_->mu);
        if (core_->stopping) return false;
        ended.swap(core_->ended);
      }
      // A finished session's heartbeat connections go with it.
      for (Conn& c : conns_)
        if (c.stage == Stage::kHeartbeat && std::find(ended.begin(), ended.end(), c.token) != ended.end())
          close_conn(c);
      return true;
    }

    void accept_all() {
      for (;;) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
          // Out of descriptors or memory: the backlog stays readable, so wait
          // a little instead of spinning on it.
          if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
            accept_paused_until_ = Clock::now() + milliseconds(100);
          return;  // EAGAIN, or a connection that died in the backlog
        }
        Conn c;
        c.fd = fd;
        c.deadline = Clock::now() + std::max<milliseconds>(core_->options.heartbeat_timeout, seconds(5));
        conns_.push_back(std::move(c));
      }
    }

    void on_readable(Conn& c, short revents, Clock::time_point now) {
      if (c.fd < 0) return;
      const bool hung_up = revents & (POLLHUP | POLLERR);
      switch (c.stage) {
        case Stage::kHeartbeat:
          if (!c.hb.on_readable(now)) {
            session_lost(c.token, "disconnected");
            close_conn(c);
            return;
          }
          {
            std::lock_guard lock(core_->mu);
            if (core_->active_token == c.token) core_->active_heard = now;
          }
          return;
        case Stage::kPreamble:
          return read_preamble(c, now);
        case Stage::kWaiting:
          // Its first frame is here (the bytes stay unread: they are the
          // session's if the slot frees in time), or it hung up.
          if (hung_up || peer_closed(c.fd)) return close_conn(c);
          c.stage = Stage::kGrace;
          c.deadline = now + kBusyGrace;
          return;
        case Stage::kGrace:
          if (hung_up) close_conn(c);  // a peer that left cannot be served
          return;
      }
    }

    // Nothing beyond the preamble is read: a data connection may become the
    // session's, whose bytes are the session's to read.
    void read_preamble(Conn& c, Clock::time_point now) {
      uint8_t buf[kPreambleBytes];
      const ssize_t n = ::recv(c.fd, buf, kPreambleBytes - c.preamble.size(), MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
      if (n <= 0) return close_conn(c);
      c.preamble.insert(c.preamble.end(), buf, buf + n);
      // Not one of ours (a ZeroMQ ipc:// client, say): hang up at once, so it
      // hears about it now rather than at its handshake timeout.
      if (std::memcmp(c.preamble.data(), kMagic, std::min(c.preamble.size(), sizeof kMagic)) != 0)
        return close_conn(c);
      if (c.preamble.size() < kPreambleBytes) return;
      const uint32_t kind = get_u32(c.preamble.data() + 8);
      c.token = get_u64(c.preamble.data() + 16);
      if ((kind != kKindData && kind != kKindHeartbeat) || !write_small(c.fd, kMagic, sizeof kMagic))
        return close_conn(c);
      if (kind == kKindHeartbeat) {
        c.stage = Stage::kHeartbeat;
        c.hb.fd = c.fd;
        c.hb.last_heard = now;
        return;
      }
      c.stage = Stage::kWaiting;  // promote_waiting_peer() hands it over if the slot is free
    }

    // True if the peer closed its end (checked without consuming its data).
    static bool peer_closed(int fd) {
      uint8_t b;
      const ssize_t n = ::recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
      return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
    }

    // The oldest waiting data connection becomes the session candidate if no
    // session holds the slot.
    void promote_waiting_peer() {
      for (Conn& c : conns_) {
        if (c.fd < 0 || (c.stage != Stage::kWaiting && c.stage != Stage::kGrace)) continue;
        std::lock_guard lock(core_->mu);
        if (core_->slot_taken) return;
        // From here on only accept() and the session touch it.
        core_->slot_taken = true;
        core_->candidate = ListenerCore::Candidate{c.fd, c.token};
        c.fd = -1;
        core_->cv.notify_all();
        return;
      }
    }

    // A peer that talked while a session is active gets the busy reply and is
    // disconnected.
    void refuse_busy(Conn& c) {
      // Drop what it sent (unread data would make the close a reset), answer,
      // hang up: data written to a Unix socket is in the peer's queue at
      // once, so closing right away does not lose the reply.
      uint8_t scratch[4096];
      for (size_t total = 0; total < (size_t{1} << 20);) {
        const ssize_t n = ::recv(c.fd, scratch, sizeof scratch, MSG_DONTWAIT);
        if (n <= 0) break;
        total += static_cast<size_t>(n);
      }
      Bytes busy;
      {
        std::lock_guard lock(core_->mu);
        busy = core_->busy_frame;
      }
      if (!busy.empty()) {
        Bytes out(4 + busy.size());
        put_u32(out.data(), static_cast<uint32_t>(busy.size()));
        std::memcpy(out.data() + 4, busy.data(), busy.size());
        (void)write_small(c.fd, out.data(), out.size());
      }
      close_conn(c);
    }

    void check_timeouts(Clock::time_point now) {
      const auto timeout = core_->options.heartbeat_timeout;
      for (Conn& c : conns_) {
        if (c.fd < 0) continue;
        switch (c.stage) {
          case Stage::kHeartbeat:
            if (now - c.hb.last_heard > timeout) {
              session_lost(c.token, silence(timeout));
              close_conn(c);
            }
            break;
          case Stage::kGrace:
            if (now >= c.deadline && slot_taken()) refuse_busy(c);
            break;
          case Stage::kPreamble:
          case Stage::kWaiting:
            if (now >= c.deadline) close_conn(c);  // never finished its preamble / never talked
            break;
        }
      }
      std::lock_guard lock(core_->mu);
      if (core_->active_token && core_->active_failure.empty() && now - core_->active_heard > timeout)
        fail_active_locked(silence(timeout));
    }

    bool slot_taken() {
      std::lock_guard lock(core_->mu);
      return core_->slot_taken;
    }

    void session_lost(uint64_t token, const std::string& why) {
      std::lock_guard lock(core_->mu);
      if (core_->active_token == token && core_->active_failure.empty()) fail_active_locked(why);
    }

    // Records why the session's peer is lost and shuts its socket down, which
    // wakes the session's thread wherever it waits on it.
    void fail_active_locked(const std::string& why) {
      core_->active_failure = why;
      ::shutdown(core_->active_fd, SHUT_RDWR);
    }

    void close_conn(Conn& c) {
      if (c.fd >= 0) ::close(c.fd);
      c.fd = -1;
      c.hb.fd = -1;
    }

    std::shared_ptr<ListenerCore> core_;
    int listen_fd_;
    StallGuard stall_;
    std::vector<Conn> conns_;
    Clock::time_point accept_paused_until_{};
  };

  std::shared_ptr<ListenerCore> core_;
  std::string path_;
  int fd_ = -1;
  std::optional<std::pair<dev_t, ino_t>> bound_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Transport> detail::connect_unix(const std::string& endpoint, const TransportOptions& options) {
  return std::make_unique<UnixClient>(endpoint, options);
}

std::unique_ptr<Listener> detail::listen_unix(const std::string& endpoint, const TransportOptions& options) {
  return std::make_unique<UnixListener>(endpoint, options);
}

}  // namespace cosim
