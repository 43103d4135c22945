// Moving frames between the two sides. ZeroMQ (ipc://, tcp://, inproc://) and
// the direct Unix-socket transport (unix://) stay behind this interface.
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
  // A descriptor that becomes readable when frames may be waiting. Callers
  // treat it as edge-like: after it fires, drain with recv(0ms) until nullopt,
  // and after any send/recv check has_pending(), because an edge may have been
  // consumed or a frame already read into the transport's buffer. (ZeroMQ's is
  // a notification descriptor that signals edges; unix:// hands out the data
  // socket itself, level-triggered, readable while bytes wait in it.)
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

// Client (frontend) side: connects to `endpoint` (unix://, ipc://, tcp://,
// inproc://) and waits until connected or connect_timeout (kTimeout, message
// names the endpoint). A host that is not up yet is retried until then.
std::unique_ptr<Transport> connect_transport(const std::string& endpoint,
                                             const TransportOptions& options = {});

// Server (host) side: binds `endpoint` and serves one peer at a time. Refuses a
// tcp:// address beyond loopback (no authentication yet) with kConfig. A
// unix:// path that is too long, in a missing or unwritable directory, not a
// socket, or already listened on is refused with kConfig naming the endpoint; a
// stale socket file nobody listens on is replaced. The listener must outlive
// the transports accept() returned.
class Listener {
 public:
  virtual ~Listener() = default;
  // Waits for a new peer. Returns a transport bound to that peer, or nullptr
  // on timeout. ZeroMQ returns once the peer's first frame is in; unix://
  // once its connection is established (its first frame follows). While that
  // transport lives, other peers are answered with the busy reply; destroying
  // it ends the session.
  virtual std::unique_ptr<Transport> accept(std::chrono::milliseconds timeout) = 0;
  virtual std::string endpoint() const = 0;
  // Frame sent to any other peer that talks while a session is active
  // (the session layer's busy_frame()). unix:// waits up to 200 ms for the
  // active session to end first, so a frontend that connects just as the
  // previous one says goodbye is served rather than refused.
  virtual void set_busy_reply(Bytes frame) = 0;
};

std::unique_ptr<Listener> listen_transport(const std::string& endpoint,
                                           const TransportOptions& options = {});

// In-process pair for tests: frames sent on one end arrive on the other.
// Each end may be used from a different thread.
std::pair<std::unique_ptr<Transport>, std::unique_ptr<Transport>> make_loopback_pair();

}  // namespace cosim
