// Frames <-> messages. The only part of the bridge that sees protobuf.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cosim/bridge/protocol.h"
#include "cosim/bridge/status.h"

namespace cosim::proto {

using Frame = std::vector<uint8_t>;

// Encodes a message. Fails (never throws) if a field is out of the protocol's
// limits, e.g. a DMA payload longer than kMaxPayloadBytes.
Result<Frame> encode(const Message& message);

// Decodes a frame. A truncated, oversized or malformed frame, an unknown message
// type or an out-of-range field yields a kMalformed/kBadSize Status naming what
// was wrong; it never throws or crashes.
Result<Message> decode(std::span<const uint8_t> frame);

}  // namespace cosim::proto
