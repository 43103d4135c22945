// Wire protocol v1 as plain C++ types. Only codec.cpp knows the protobuf schema
// (bridge/proto/cosim/v1/cosim.proto); docs/protocol.md describes both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "cosim/bridge/device.h"
#include "cosim/bridge/status.h"

namespace cosim::proto {

inline constexpr uint32_t kProtocolMajor = 1;
inline constexpr uint32_t kProtocolMinor = 1;  // 1.1: grant-based time sync, Hello.time_mode

// Hard limits enforced by the decoder. A frame is [u32 header length][header][payload].
inline constexpr uint32_t kMaxHeaderBytes = 64 * 1024;
inline constexpr uint32_t kMaxPayloadBytes = 1024 * 1024;
inline constexpr uint32_t kMaxFrameBytes = 4 + kMaxHeaderBytes + kMaxPayloadBytes;
// DMA transfers longer than this are split into several messages.
inline constexpr uint32_t kDefaultDmaChunk = 256 * 1024;

enum class Role : uint8_t { kFrontend = 1, kDevice = 2 };

// DMA data of a message (the frame's raw payload). Immutable and cheap to copy:
// it shares its bytes with whoever owns them. A message decoded from a frame the
// decoder may keep (decode(Frame&&)) shares that frame's buffer, so a 1 MiB DMA
// payload is not copied on the way in; one built from a vector owns the vector.
class Payload {
 public:
  Payload() = default;
  // Takes the vector (implicit, so `DmaWrite{address, bytes}` reads naturally).
  Payload(std::vector<uint8_t> bytes);  // NOLINT(google-explicit-constructor)
  // `bytes` inside a buffer that `owner` keeps alive for as long as any copy of
  // this Payload lives.
  Payload(std::shared_ptr<const void> owner, std::span<const uint8_t> bytes)
      : owner_(std::move(owner)), data_(bytes.data()), size_(bytes.size()) {}

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const uint8_t* begin() const { return data_; }
  const uint8_t* end() const { return data_ + size_; }
  std::span<const uint8_t> span() const { return {data_, size_}; }
  operator std::span<const uint8_t>() const { return span(); }  // NOLINT: a payload is a byte range
  std::vector<uint8_t> to_vector() const { return {begin(), end()}; }

  // Equal bytes, wherever they live.
  friend bool operator==(const Payload& a, const Payload& b);

 private:
  std::shared_ptr<const void> owner_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Capability bits announced in Hello.
enum Capability : uint64_t {
  kCapTimeSync = 1u << 0,   // understands TimeSync
  kCapLookahead = 1u << 1,  // TimeSync carries next-event lookahead
  // 1.1: a TimeSync from the frontend grants the device time up to now_ps and
  // is answered by a TimeSync (reply_to set) with the device's time and next
  // event; in freeze/lockstep the host runs the device only that far.
  kCapGrantSync = 1u << 2,
};

struct Hello {
  uint32_t major = kProtocolMajor;
  uint32_t minor = kProtocolMinor;
  Role role = Role::kFrontend;
  std::string peer_name;
  uint64_t capabilities = 0;
  uint32_t time_mode = 0;  // timescale::Mode on the wire: 0 off, 1 freeze, 2 lockstep
  friend bool operator==(const Hello&, const Hello&) = default;
};

// Device -> frontend, answering Hello: who the device is.
struct Describe {
  DeviceDescription description;
  friend bool operator==(const Describe&, const Describe&) = default;
};

struct BarRead {
  uint32_t bar = 0;
  uint64_t offset = 0;
  uint32_t size = 0;
  friend bool operator==(const BarRead&, const BarRead&) = default;
};

struct BarReadReply {
  ErrorCode status = ErrorCode::kOk;
  uint64_t data = 0;
  std::string error;
  friend bool operator==(const BarReadReply&, const BarReadReply&) = default;
};

// Posted: no reply unless it fails (then an Error with reply_to set).
struct BarWrite {
  uint32_t bar = 0;
  uint64_t offset = 0;
  uint32_t size = 0;
  uint64_t data = 0;
  friend bool operator==(const BarWrite&, const BarWrite&) = default;
};

struct DmaRead {
  uint64_t address = 0;
  uint32_t length = 0;
  friend bool operator==(const DmaRead&, const DmaRead&) = default;
};

struct DmaReadReply {
  ErrorCode status = ErrorCode::kOk;
  Payload data;  // carried as the frame's raw payload
  std::string error;
  friend bool operator==(const DmaReadReply&, const DmaReadReply&) = default;
};

struct DmaWrite {
  uint64_t address = 0;
  Payload data;  // carried as the frame's raw payload
  friend bool operator==(const DmaWrite&, const DmaWrite&) = default;
};

struct DmaWriteReply {
  ErrorCode status = ErrorCode::kOk;
  std::string error;
  friend bool operator==(const DmaWriteReply&, const DmaWriteReply&) = default;
};

struct Interrupt {
  IrqKind kind = IrqKind::kIntx;
  uint32_t vector = 0;  // 0-based, MSI/MSI-X
  bool level = false;   // INTx only: asserted
  friend bool operator==(const Interrupt&, const Interrupt&) = default;
};

// Time synchronisation, on the device timeline: the sender's current time and,
// with lookahead, the time of its next scheduled event (0 = none known). With
// kCapGrantSync, frontend -> host means "advance to now_ps" and the host answers
// with its own TimeSync (reply_to set) once the device got there.
struct TimeSync {
  uint64_t now_ps = 0;
  uint64_t next_event_ps = 0;
  friend bool operator==(const TimeSync&, const TimeSync&) = default;
};

struct Reset {
  ResetKind kind = ResetKind::kSystem;
  friend bool operator==(const Reset&, const Reset&) = default;
};

struct Goodbye {
  std::string reason;
  friend bool operator==(const Goodbye&, const Goodbye&) = default;
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string text;
  friend bool operator==(const Error&, const Error&) = default;
};

// Liveness probe / round-trip measurement; answered with Pong.
struct Ping {
  friend bool operator==(const Ping&, const Ping&) = default;
};
struct Pong {
  friend bool operator==(const Pong&, const Pong&) = default;
};

using Body = std::variant<Hello, Describe, BarRead, BarReadReply, BarWrite, DmaRead, DmaReadReply,
                          DmaWrite, DmaWriteReply, Interrupt, TimeSync, Reset, Goodbye, Error, Ping,
                          Pong>;

// Every message carries a sequence number (per sender, from 1), the sequence
// number of the request it answers (0 = none) and the sender's virtual time.
struct Message {
  uint64_t seq = 0;
  uint64_t reply_to = 0;
  uint64_t time_ps = 0;
  Body body;
  friend bool operator==(const Message&, const Message&) = default;
};

// Name of the body's type ("BarRead", ...), for error messages.
const char* body_name(const Body& body);

}  // namespace cosim::proto
