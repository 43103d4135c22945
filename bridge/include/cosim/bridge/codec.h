// Frames <-> messages. The only part of the bridge that sees protobuf.
#pragma once

#include <cstddef>
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

// A frame whose DMA payload the caller writes in place after encoding, so the
// data goes straight into the outgoing frame (guest memory read into a
// DmaReadReply, a device buffer into a DmaWrite) without a vector in between.
struct PayloadFrame {
  Frame frame;
  size_t payload_offset = 0;  // the payload is frame[payload_offset, frame.size())
  std::span<uint8_t> payload() { return {frame.data() + payload_offset, frame.size() - payload_offset}; }
};

// Encodes `message`, a DmaReadReply or DmaWrite whose own data is empty, with
// room for `payload_length` bytes of payload (left zeroed). Fails like encode()
// for a payload above kMaxPayloadBytes, and with kInternal for any other body.
Result<PayloadFrame> encode_with_payload(const Message& message, size_t payload_length);

// Decodes a frame. A truncated, oversized or malformed frame, an unknown message
// type or an out-of-range field yields a kMalformed/kBadSize Status naming what
// was wrong; it never throws or crashes. A DMA payload is copied out of `frame`.
Result<Message> decode(std::span<const uint8_t> frame);

// Same checks and results, but the decoder keeps the frame: a DMA payload
// shares its buffer instead of being copied (the receive path of the sessions).
Result<Message> decode(Frame&& frame);

}  // namespace cosim::proto
