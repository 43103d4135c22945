// Moving frames between the two sides. ZeroMQ stays behind this interface.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cosim/bridge/status.h"

namespace cosim {

using Bytes = std::vector<uint8_t>;

// One side of a point-to-point, ordered, reliable channel of frames. A transport
// is used by one thread at a time. Errors are thrown as BridgeError (kPeerLost
// when the peer vanished, kConfig for a bad endpoint) and turned into Status by
// the session.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void send(Bytes frame) = 0;
  // Waits up to `timeout` (negative: forever) for a frame; nullopt on timeout.
  virtual std::optional<Bytes> recv(std::chrono::milliseconds timeout) = 0;
  // A descriptor that becomes readable when frames may be waiting. It is
  // edge-like: after it fires, drain with recv(0ms) until nullopt, and after any
  // send/recv check has_pending() because the edge may have been consumed.
  virtual int notify_fd() const = 0;
  virtual bool has_pending() = 0;
  // Whether the peer is known to be gone (connection closed or heartbeat lost).
  virtual bool peer_lost() = 0;
  virtual std::string endpoint() const = 0;
};

struct TransportOptions {
  // Liveness: the connection is declared lost when nothing (not even the
  // transport's own heartbeat) arrived for this long.
  std::chrono::milliseconds heartbeat_interval{500};
  std::chrono::milliseconds heartbeat_timeout{5000};
  // Client side: how long connect() waits for the peer to accept.
  std::chrono::milliseconds connect_timeout{2000};
};

// Client (frontend) side: connects to `endpoint` (inproc://, ipc://, tcp://)
// and waits until connected or connect_timeout (kTimeout, message names the
// endpoint).
std::unique_ptr<Transport> connect_transport(const std::string& endpoint,
                                             const TransportOptions& options = {});

// Server (host) side: binds `endpoint` and serves one peer at a time. Refuses a
// tcp:// address beyond loopback (no authentication yet) with kConfig.
class Listener {
 public:
  virtual ~Listener() = default;
  // Waits for a new peer's first frame. Returns a transport bound to that peer,
  // or nullptr on timeout. While that transport lives, other peers are
  // answered with the busy reply; destroying it ends the session.
  virtual std::unique_ptr<Transport> accept(std::chrono::milliseconds timeout) = 0;
  virtual std::string endpoint() const = 0;
  // Frame sent to any other peer that talks while a session is active
  // (the session layer's busy_frame()).
  virtual void set_busy_reply(Bytes frame) = 0;
};

std::unique_ptr<Listener> listen_transport(const std::string& endpoint,
                                           const TransportOptions& options = {});

// In-process pair for tests: frames sent on one end arrive on the other.
// Each end may be used from a different thread.
std::pair<std::unique_ptr<Transport>, std::unique_ptr<Transport>> make_loopback_pair();

}  // namespace cosim
