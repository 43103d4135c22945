// Picks the transport for an endpoint by its scheme: unix:// is the direct
// Unix-socket transport, ipc://, tcp:// and inproc:// are ZeroMQ.
#include "transports.h"

namespace cosim {
namespace {

enum class Kind { kUnix, kZmq };

Kind kind_of(const std::string& endpoint) {
  auto starts = [&](const char* scheme) { return endpoint.rfind(scheme, 0) == 0; };
  if (starts("unix://")) return Kind::kUnix;
  if (starts("ipc://") || starts("tcp://") || starts("inproc://")) return Kind::kZmq;
  throw BridgeError(ErrorCode::kConfig,
                    "endpoint '" + endpoint + "' must start with unix://, ipc://, tcp:// or inproc://");
}

}  // namespace

std::unique_ptr<Transport> connect_transport(const std::string& endpoint, const TransportOptions& options) {
  return kind_of(endpoint) == Kind::kUnix ? detail::connect_unix(endpoint, options)
                                          : detail::connect_zmq(endpoint, options);
}

std::unique_ptr<Listener> listen_transport(const std::string& endpoint, const TransportOptions& options) {
  return kind_of(endpoint) == Kind::kUnix ? detail::listen_unix(endpoint, options)
                                          : detail::listen_zmq(endpoint, options);
}

}  // namespace cosim
