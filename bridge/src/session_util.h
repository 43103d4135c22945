// Helpers shared by both session sides: message I/O with logging.
#pragma once

#include <cinttypes>
#include <cstdio>
#include <string>

#include "cosim/bridge/codec.h"
#include "cosim/bridge/session.h"

namespace cosim::detail {

template <typename... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <typename... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

inline std::string format(const char* fmt, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

// Sequence numbering and encoding for one side of a session.
class Endpoint {
 public:
  explicit Endpoint(const SessionOptions& options) : options_(options) {}

  void log(LogLevel level, const std::string& text) const {
    if (options_.log) options_.log(level, text);
  }

  // Encodes and sends; returns the sequence number used. Throws BridgeError.
  uint64_t send(Transport& t, proto::Body body, uint64_t reply_to = 0) {
    proto::Message m{++seq_, reply_to, time_ps_, std::move(body)};
    Result<proto::Frame> frame = proto::encode(m);
    if (!frame) throw BridgeError(frame.status());
    t.send(std::move(frame).value());
    return m.seq;
  }

  // Sends `body` (a DmaReadReply or DmaWrite with empty data) with a payload of
  // `length` bytes that `fill(std::span<uint8_t>)` writes straight into the
  // frame. If fill fails, nothing is sent and its Status is returned; else the
  // sequence number used. Throws BridgeError like send().
  template <typename Fill>
  Result<uint64_t> send_with_payload(Transport& t, proto::Body body, uint64_t reply_to, size_t length, Fill&& fill) {
    proto::Message m{seq_ + 1, reply_to, time_ps_, std::move(body)};
    Result<proto::PayloadFrame> frame = proto::encode_with_payload(m, length);
    if (!frame) throw BridgeError(frame.status());
    if (Status s = fill(frame->payload()); !s) return s;
    ++seq_;
    t.send(std::move(frame->frame));
    return m.seq;
  }

  // Receives and decodes one message. A frame that does not decode is answered
  // with Error(kMalformed) and logged; the caller sees nullopt as for a timeout
  // only when the wait expired, so it loops on `malformed`.
  enum class Got { kMessage, kTimeout, kMalformed };
  Got receive(Transport& t, std::chrono::milliseconds timeout, proto::Message& out) {
    std::optional<Bytes> frame = t.recv(timeout);
    if (!frame) return Got::kTimeout;
    // Decoding the owned frame lends a DMA payload out of it instead of copying.
    Result<proto::Message> m = proto::decode(std::move(*frame));
    if (!m) {
      log(LogLevel::kError, "received a bad frame from " + t.endpoint() + ": " + m.status().to_string());
      try {
        send(t, proto::Error{m.status().code(), "bad frame: " + m.status().message()});
      } catch (const BridgeError&) {
      }
      return Got::kMalformed;
    }
    out = std::move(m).value();
    return Got::kMessage;
  }

  void set_time(uint64_t ps) { time_ps_ = ps; }
  uint64_t time() const { return time_ps_; }
  const SessionOptions& options() const { return options_; }

 private:
  SessionOptions options_;
  uint64_t seq_ = 0;
  uint64_t time_ps_ = 0;
};

}  // namespace cosim::detail
