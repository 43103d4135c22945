// Violation recording and the VALID/READY rules shared by the AXI checkers.
#include "cosim/rtl/axi_checker.h"

#include <sstream>

namespace cosim::rtl {
namespace {
constexpr size_t kMaxStored = 1000;
}

ProtocolChecker::ProtocolChecker(const sc_core::sc_module_name& name)
    : sc_core::sc_module(name), clk("clk"), resetn("resetn") {}

void ProtocolChecker::begin_edge() {
  ++edges_;
  prev_reset_ = in_reset_;
  in_reset_ = !resetn.read();
}

bool ProtocolChecker::check_channel(Channel& c, bool valid, bool ready, std::vector<uint64_t> payload) {
  const std::string ch = c.name;
  if (in_reset_) {
    // The first edge of a reset may still see the old VALID; from the second on it must be low.
    if (prev_reset_ && valid) violation(ch + ".valid_in_reset", ch + "VALID high during reset");
    c.prev_valid = false;
    c.prev_ready = false;
    c.prev_payload.clear();
    return false;
  }
  if (c.prev_valid && !c.prev_ready) {
    if (!valid) {
      violation(ch + ".valid_dropped", ch + "VALID fell before the handshake");
    } else if (payload != c.prev_payload) {
      std::ostringstream d;
      d << ch << " payload changed while " << ch << "VALID high and " << ch << "READY low:";
      for (size_t i = 0; i < payload.size(); ++i)
        if (payload[i] != c.prev_payload[i])
          d << " field " << i << " 0x" << std::hex << c.prev_payload[i] << " -> 0x" << payload[i] << std::dec;
      violation(ch + ".payload_changed", d.str());
    }
  }
  c.prev_valid = valid;
  c.prev_ready = ready;
  c.prev_payload = std::move(payload);
  return valid && ready;
}

void ProtocolChecker::violation(const std::string& rule, const std::string& detail) {
  ++count_;
  ProtocolViolation v{sc_core::sc_time_stamp(), rule, detail};
  if (report_) SC_REPORT_WARNING(name(), (rule + ": " + detail + " at " + v.time.to_string()).c_str());
  if (callback_) callback_(v);
  if (violations_.size() < kMaxStored) violations_.push_back(std::move(v));
}

std::string ProtocolChecker::summary() const {
  std::ostringstream s;
  for (const auto& v : violations_) s << name() << " " << v.time << " " << v.rule << ": " << v.detail << "\n";
  if (count_ > violations_.size()) s << "... and " << count_ - violations_.size() << " more\n";
  return s.str();
}

}  // namespace cosim::rtl
