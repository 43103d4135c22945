// Names of error codes and Status formatting.
#include "cosim/bridge/status.h"

namespace cosim {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kMalformed: return "malformed message";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kVersionMismatch: return "version mismatch";
    case ErrorCode::kBadBar: return "bad BAR";
    case ErrorCode::kBadOffset: return "bad offset";
    case ErrorCode::kBadSize: return "bad size";
    case ErrorCode::kDmaFault: return "DMA fault";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kPeerLost: return "peer lost";
    case ErrorCode::kBusy: return "busy";
    case ErrorCode::kProtocol: return "protocol error";
    case ErrorCode::kDeviceError: return "device error";
    case ErrorCode::kConfig: return "configuration error";
    case ErrorCode::kInternal: return "internal error";
  }
  return "unknown error";
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  std::string out(cosim::to_string(code_));
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

}  // namespace cosim
