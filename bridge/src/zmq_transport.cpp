// ZeroMQ transport. The frontend side is a DEALER, the host side a ROUTER that
// serves one peer at a time. Liveness comes from ZMTP heartbeats run by
// ZeroMQ's own I/O thread (so a host busy inside a long simulation step still
// answers them) plus a socket monitor that reports disconnects; a vanished peer
// surfaces as BridgeError(kPeerLost) within heartbeat_timeout.
#include <zmq.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <unistd.h>

#include <zmq.hpp>

#include "cosim/bridge/transport.h"
#include "transports.h"

namespace cosim {
namespace {

using namespace std::chrono;

zmq::context_t& context() {
  // Never destroyed: terminating a context while another static's socket is
  // open would block process exit.
  static zmq::context_t* ctx = new zmq::context_t(1);
  return *ctx;
}

std::string monitor_address() {
  static std::atomic<unsigned> counter{0};
  return "inproc://cosim-monitor-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

// zmq::poll that treats a signal (EINTR) as "nothing ready": a host stopping
// on SIGTERM must leave its loop normally, not through an exception.
int poll_items(zmq::pollitem_t* items, int n, std::chrono::milliseconds timeout) {
  try {
    return zmq::poll(items, static_cast<size_t>(n), timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return 0;
    throw BridgeError(ErrorCode::kInternal, std::string("zmq_poll failed: ") + e.what());
  }
}

bool is_inproc(const std::string& endpoint) { return endpoint.rfind("inproc://", 0) == 0; }

// The scheme is known (transport.cpp dispatched on it); TCP must stay on loopback.
void check_endpoint(const std::string& endpoint, bool binding) {
  if (binding && endpoint.rfind("tcp://", 0) == 0) {
    std::string host = endpoint.substr(6, endpoint.rfind(':') - 6);
    if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
    const bool loopback = host.rfind("127.", 0) == 0 || host == "localhost" || host == "::1";
    if (!loopback)
      throw BridgeError(ErrorCode::kConfig,
                        "refusing to listen on '" + endpoint +
                            "': TCP beyond loopback would accept unauthenticated peers; bind to "
                            "127.0.0.1 and tunnel (e.g. ssh -L) to reach another machine");
  }
}

void set_common_options(zmq::socket_t& s, const TransportOptions& o) {
  s.set(zmq::sockopt::linger, 0);
  // No high-water mark: a dropped or refused frame would corrupt a transaction.
  s.set(zmq::sockopt::sndhwm, 0);
  s.set(zmq::sockopt::rcvhwm, 0);
  s.set(zmq::sockopt::heartbeat_ivl, static_cast<int>(o.heartbeat_interval.count()));
  s.set(zmq::sockopt::heartbeat_timeout, static_cast<int>(o.heartbeat_timeout.count()));
  s.set(zmq::sockopt::heartbeat_ttl, static_cast<int>(o.heartbeat_timeout.count()));
  s.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(8) << 20);
}

Bytes to_bytes(const zmq::message_t& m) {
  const auto* p = static_cast<const uint8_t*>(m.data());
  return Bytes(p, p + m.size());
}

// A message that hands the buffer to ZeroMQ without copying; it frees it once sent.
zmq::message_t owned_message(Bytes&& frame) {
  auto* owned = new Bytes(std::move(frame));
  return zmq::message_t(owned->data(), owned->size(), [](void*, void* hint) { delete static_cast<Bytes*>(hint); },
                        owned);
}

void send_owned(zmq::socket_t& s, Bytes&& frame, zmq::send_flags flags) {
  zmq::message_t msg = owned_message(std::move(frame));
  s.send(msg, flags);
}

// Reads one monitor event: returns the event id (multipart: id+value, address).
int read_monitor_event(zmq::socket_t& mon) {
  zmq::message_t head, addr;
  if (!mon.recv(head, zmq::recv_flags::dontwait)) return 0;
  if (head.more()) (void)mon.recv(addr, zmq::recv_flags::dontwait);
  uint16_t event = 0;
  if (head.size() >= 2) std::memcpy(&event, head.data(), 2);
  return event;
}

class MonitoredSocket {
 public:
  MonitoredSocket(zmq::socket_type type, const std::string& endpoint, const TransportOptions& options)
      : socket_(context(), type), endpoint_(endpoint), options_(options) {
    set_common_options(socket_, options);
    if (!is_inproc(endpoint)) {
      const std::string mon_addr = monitor_address();
      if (zmq_socket_monitor(socket_.handle(), mon_addr.c_str(),
                             ZMQ_EVENT_CONNECTED | ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0)
        throw BridgeError(ErrorCode::kInternal, "zmq_socket_monitor failed: " + std::string(zmq_strerror(errno)));
      monitor_.emplace(context(), zmq::socket_type::pair);
      monitor_->set(zmq::sockopt::linger, 0);
      monitor_->connect(mon_addr);
    }
  }
  ~MonitoredSocket() {
    if (monitor_) zmq_socket_monitor(socket_.handle(), nullptr, 0);
  }

  // Drains monitor events; counts connections and disconnections.
  void pump_monitor() {
    if (!monitor_) return;
    while (int ev = read_monitor_event(*monitor_)) {
      if (ev == ZMQ_EVENT_CONNECTED || ev == ZMQ_EVENT_ACCEPTED) ++connects_;
      if (ev == ZMQ_EVENT_DISCONNECTED) ++disconnects_;
    }
  }

  // Polls the data socket and the monitor; true if the data socket is readable.
  bool wait_readable(milliseconds timeout) {
    zmq::pollitem_t items[2] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}, {nullptr, 0, ZMQ_POLLIN, 0}};
    int n = 1;
    if (monitor_) {
      items[1].socket = monitor_->handle();
      n = 2;
    }
    poll_items(items, n, timeout);
    if (n == 2 && (items[1].revents & ZMQ_POLLIN)) pump_monitor();
    return items[0].revents & ZMQ_POLLIN;
  }

  bool readable_now() { return socket_.get(zmq::sockopt::events) & ZMQ_POLLIN; }

  zmq::socket_t socket_;
  std::optional<zmq::socket_t> monitor_;
  std::string endpoint_;
  TransportOptions options_;
  unsigned connects_ = 0;
  unsigned disconnects_ = 0;
};

// ---------------------------------------------------------------- client

class ZmqClient final : public Transport {
 public:
  ZmqClient(const std::string& endpoint, const TransportOptions& options)
      : s_(zmq::socket_type::dealer, endpoint, options) {
    // Queue only on completed connections, so nothing waits in a void.
    s_.socket_.set(zmq::sockopt::immediate, 1);
    try {
      s_.socket_.connect(endpoint);
    } catch (const zmq::error_t& e) {
      throw BridgeError(ErrorCode::kConfig, "cannot connect to '" + endpoint + "': " + e.what());
    }
    if (s_.monitor_) {
      const auto deadline = steady_clock::now() + options.connect_timeout;
      while (s_.connects_ == 0) {
        const auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
        if (left.count() <= 0)
          throw BridgeError(ErrorCode::kTimeout, "no host listening at '" + endpoint + "' (waited " +
                                                     std::to_string(options.connect_timeout.count()) + " ms)");
        zmq::pollitem_t item{s_.monitor_->handle(), 0, ZMQ_POLLIN, 0};
        poll_items(&item, 1, left);
        s_.pump_monitor();
      }
    }
  }

  void send(Bytes frame) override {
    check_alive_for_send();
    zmq::message_t msg = owned_message(std::move(frame));
    try {
      // With ZMQ_IMMEDIATE a send blocks while no connection is up -- forever,
      // if the host died after the last look at the monitor. Wait in slices,
      // watching the monitor, so a lost host is reported instead.
      while (!s_.socket_.send(msg, zmq::send_flags::dontwait)) {
        zmq::pollitem_t items[2] = {{s_.socket_.handle(), 0, ZMQ_POLLOUT, 0}, {nullptr, 0, ZMQ_POLLIN, 0}};
        int n = 1;
        if (s_.monitor_) {
          items[1].socket = s_.monitor_->handle();
          n = 2;
        }
        poll_items(items, n, s_.options_.heartbeat_interval);
        check_alive_for_send();
      }
    } catch (const zmq::error_t& e) {
      throw BridgeError(ErrorCode::kPeerLost, "send to '" + s_.endpoint_ + "' failed: " + e.what());
    }
  }

  std::optional<Bytes> recv(milliseconds timeout) override {
    const auto deadline = timeout.count() < 0 ? steady_clock::time_point::max() : steady_clock::now() + timeout;
    for (;;) {
      zmq::message_t msg;
      if (s_.socket_.recv(msg, zmq::recv_flags::dontwait)) {
        if (msg.size() == 0) continue;  // liveness probe from the host
        return to_bytes(msg);
      }
      s_.pump_monitor();
      if (lost()) throw BridgeError(ErrorCode::kPeerLost, "host at '" + s_.endpoint_ + "' disconnected");
      auto now = steady_clock::now();
      if (now >= deadline) return std::nullopt;
      // Wake at least every heartbeat interval to notice a lost peer.
      auto slice = std::min<steady_clock::duration>(deadline - now, s_.options_.heartbeat_interval);
      s_.wait_readable(duration_cast<milliseconds>(slice) + milliseconds(1));
    }
  }

  int notify_fd() const override { return s_.socket_.get(zmq::sockopt::fd); }
  bool has_pending() override {
    s_.pump_monitor();
    return s_.readable_now() || lost();
  }
  bool peer_lost() override {
    s_.pump_monitor();
    return lost();
  }
  std::string endpoint() const override { return s_.endpoint_; }

 private:
  bool lost() const { return s_.disconnects_ > 0; }
  void check_alive_for_send() {
    s_.pump_monitor();
    if (lost()) throw BridgeError(ErrorCode::kPeerLost, "host at '" + s_.endpoint_ + "' disconnected");
  }
  MonitoredSocket s_;
};

// ---------------------------------------------------------------- server

class ZmqListener;

class ZmqPeer final : public Transport {
 public:
  ZmqPeer(ZmqListener& listener, Bytes id, Bytes first) : listener_(listener), id_(std::move(id)) {
    pending_.emplace(std::move(first));
  }
  ~ZmqPeer() override;
  void send(Bytes frame) override;
  std::optional<Bytes> recv(milliseconds timeout) override;
  int notify_fd() const override;
  bool has_pending() override;
  bool peer_lost() override;
  std::string endpoint() const override;

 private:
  bool probe();
  ZmqListener& listener_;
  Bytes id_;
  std::optional<Bytes> pending_;
  bool lost_ = false;
  unsigned seen_disconnects_ = 0;
  steady_clock::time_point probe_until_{};
};

class ZmqListener final : public Listener {
 public:
  ZmqListener(const std::string& endpoint, const TransportOptions& options)
      : s_(zmq::socket_type::router, endpoint, options) {
    s_.socket_.set(zmq::sockopt::router_mandatory, 1);
    try {
      s_.socket_.bind(endpoint);
    } catch (const zmq::error_t& e) {
      throw BridgeError(ErrorCode::kConfig, "cannot listen on '" + endpoint + "': " + e.what());
    }
  }

  std::unique_ptr<Transport> accept(milliseconds timeout) override {
    const auto deadline = timeout.count() < 0 ? steady_clock::time_point::max() : steady_clock::now() + timeout;
    for (;;) {
      Bytes id, data;
      if (recv_from(id, data)) {
        if (ended_.count(id) || data.empty()) continue;  // late frames of a finished session
        active_ = id;
        return std::make_unique<ZmqPeer>(*this, std::move(id), std::move(data));
      }
      auto now = steady_clock::now();
      if (now >= deadline) return nullptr;
      s_.wait_readable(duration_cast<milliseconds>(std::min<steady_clock::duration>(deadline - now, seconds(1))) +
                       milliseconds(1));
    }
  }

  std::string endpoint() const override { return s_.endpoint_; }

  // Receives one [id][data] pair without waiting; answers other peers while a
  // session is active with the busy frame.
  bool recv_from(Bytes& id, Bytes& data) {
    for (;;) {
      zmq::message_t idm, dm;
      if (!s_.socket_.recv(idm, zmq::recv_flags::dontwait)) return false;
      if (!idm.more()) continue;  // malformed envelope: no data part
      (void)s_.socket_.recv(dm, zmq::recv_flags::none);
      while (dm.more()) {  // ignore extra parts of a malformed multipart
        zmq::message_t extra;
        (void)s_.socket_.recv(extra, zmq::recv_flags::none);
        if (!extra.more()) break;
      }
      id = to_bytes(idm);
      if (active_ && id != *active_) {
        if (!ended_.count(id) && dm.size() > 0) reject(id);
        continue;
      }
      data = to_bytes(dm);
      return true;
    }
  }

  void reject(const Bytes& id) {
    if (busy_frame_.empty()) return;
    try {
      send_to(id, Bytes(busy_frame_));
    } catch (const zmq::error_t&) {
      // The rejected peer is already gone: nothing to tell it.
    }
  }

  void send_to(const Bytes& id, Bytes frame) {
    s_.socket_.send(zmq::buffer(id), zmq::send_flags::sndmore);
    send_owned(s_.socket_, std::move(frame), zmq::send_flags::none);
  }

  void end_session(const Bytes& id) {
    ended_.insert(id);
    active_.reset();
  }

  void set_busy_reply(Bytes frame) override { busy_frame_ = std::move(frame); }

  MonitoredSocket s_;
  std::optional<Bytes> active_;
  std::set<Bytes> ended_;
  Bytes busy_frame_;
};

ZmqPeer::~ZmqPeer() { listener_.end_session(id_); }

void ZmqPeer::send(Bytes frame) {
  if (lost_) throw BridgeError(ErrorCode::kPeerLost, "frontend on '" + endpoint() + "' disconnected");
  try {
    listener_.send_to(id_, std::move(frame));
  } catch (const zmq::error_t& e) {
    lost_ = true;
    throw BridgeError(ErrorCode::kPeerLost, "frontend on '" + endpoint() + "' is gone: " + e.what());
  }
}

bool ZmqPeer::probe() {
  // With ROUTER_MANDATORY a send to a disconnected peer fails: an empty frame
  // (ignored by the frontend) tells whether ours is still there.
  try {
    listener_.send_to(id_, Bytes{});
    return true;
  } catch (const zmq::error_t&) {
    lost_ = true;
    return false;
  }
}

std::optional<Bytes> ZmqPeer::recv(milliseconds timeout) {
  if (pending_) {
    auto out = std::move(*pending_);
    pending_.reset();
    return out;
  }
  const auto deadline = timeout.count() < 0 ? steady_clock::time_point::max() : steady_clock::now() + timeout;
  auto& s = listener_.s_;
  for (;;) {
    Bytes id, data;
    if (listener_.recv_from(id, data)) {
      if (data.empty()) continue;
      return data;
    }
    s.pump_monitor();
    if (s.disconnects_ != seen_disconnects_) {
      // Some connection dropped; the monitor does not say whose. Ours?
      seen_disconnects_ = s.disconnects_;
      probe_until_ = steady_clock::now() + milliseconds(500);
    }
    if (steady_clock::now() < probe_until_ && !probe()) lost_ = true;
    if (lost_) throw BridgeError(ErrorCode::kPeerLost, "frontend on '" + endpoint() + "' disconnected");
    auto now = steady_clock::now();
    if (now >= deadline) return std::nullopt;
    auto slice = std::min<steady_clock::duration>(deadline - now, probe_until_ > now ? milliseconds(20)
                                                                                     : s.options_.heartbeat_interval);
    s.wait_readable(duration_cast<milliseconds>(slice) + milliseconds(1));
  }
}

int ZmqPeer::notify_fd() const { return listener_.s_.socket_.get(zmq::sockopt::fd); }
bool ZmqPeer::has_pending() { return pending_.has_value() || listener_.s_.readable_now(); }
bool ZmqPeer::peer_lost() {
  listener_.s_.pump_monitor();
  if (listener_.s_.disconnects_ != seen_disconnects_) {
    seen_disconnects_ = listener_.s_.disconnects_;
    probe_until_ = steady_clock::now() + milliseconds(500);
  }
  if (!lost_ && steady_clock::now() < probe_until_) probe();
  return lost_;
}
std::string ZmqPeer::endpoint() const { return listener_.s_.endpoint_; }

}  // namespace

std::unique_ptr<Transport> detail::connect_zmq(const std::string& endpoint, const TransportOptions& options) {
  check_endpoint(endpoint, false);
  return std::make_unique<ZmqClient>(endpoint, options);
}

std::unique_ptr<Listener> detail::listen_zmq(const std::string& endpoint, const TransportOptions& options) {
  check_endpoint(endpoint, true);
  return std::make_unique<ZmqListener>(endpoint, options);
}

}  // namespace cosim
