// Error values shared by every layer of the bridge. Plain C++: no protobuf, no ZeroMQ.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace cosim {

// Kinds of failure, by who can act on them (style: errors by kind). The numeric
// values travel on the wire (docs/protocol.md, "Error codes"): never renumber.
enum class ErrorCode : uint32_t {
  kOk = 0,
  kMalformed = 1,        // a frame that does not decode
  kUnsupported = 2,      // a well-formed request the peer does not implement
  kVersionMismatch = 3,  // protocol major versions differ
  kBadBar = 4,           // BAR index out of range or not implemented
  kBadOffset = 5,        // access beyond the end of a BAR
  kBadSize = 6,          // access size not 1/2/4/8, or a length out of limits
  kDmaFault = 7,         // guest memory not reachable (outside RAM, IOMMU refused)
  kTimeout = 8,          // a reply did not come in time
  kPeerLost = 9,         // the peer disconnected or stopped answering
  kBusy = 10,            // the host already serves another frontend
  kProtocol = 11,        // a message that is valid alone but wrong here (sequence)
  kDeviceError = 12,     // the model reported an error (e.g. TLM response status)
  kConfig = 13,          // bad configuration (unknown model, bad option)
  kInternal = 14,
};

std::string_view to_string(ErrorCode code);

// Ok, or a code plus a message that names what was wrong.
class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status ok() { return {}; }

  bool is_ok() const { return code_ == ErrorCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "kind: message", for logs.
  std::string to_string() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// A value or the Status explaining why there is none (std::expected is C++23).
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)), has_value_(true) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}            // NOLINT
  bool is_ok() const { return has_value_; }
  explicit operator bool() const { return has_value_; }
  const T& value() const& { return value_; }
  T& value() & { return value_; }
  T&& value() && { return std::move(value_); }
  const T& operator*() const& { return value_; }
  T& operator*() & { return value_; }
  const T* operator->() const { return &value_; }
  T* operator->() { return &value_; }
  const Status& status() const { return status_; }

 private:
  T value_{};
  Status status_;
  bool has_value_ = false;
};

// Thrown only inside the bridge's transport/session code and converted to
// Status at the public boundary; never escapes to a caller of Device/Session.
class BridgeError : public std::exception {
 public:
  explicit BridgeError(Status status) : status_(std::move(status)), what_(status_.to_string()) {}
  BridgeError(ErrorCode code, std::string message) : BridgeError(Status(code, std::move(message))) {}
  const char* what() const noexcept override { return what_.c_str(); }
  const Status& status() const { return status_; }

 private:
  Status status_;
  std::string what_;
};

}  // namespace cosim
