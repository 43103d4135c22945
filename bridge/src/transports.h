// The transports behind connect_transport()/listen_transport(), chosen by the
// endpoint's scheme in transport.cpp. Internal to the bridge.
#pragma once

#include <memory>
#include <string>

#include "cosim/bridge/transport.h"

namespace cosim::detail {

// ZeroMQ (zmq_transport.cpp): ipc://, tcp://, inproc://.
std::unique_ptr<Transport> connect_zmq(const std::string& endpoint, const TransportOptions& options);
std::unique_ptr<Listener> listen_zmq(const std::string& endpoint, const TransportOptions& options);

// Direct Unix-domain sockets (unix_transport.cpp): unix:///path.
std::unique_ptr<Transport> connect_unix(const std::string& endpoint, const TransportOptions& options);
std::unique_ptr<Listener> listen_unix(const std::string& endpoint, const TransportOptions& options);

}  // namespace cosim::detail
