// Modes and the synchronisation policy (sync.h).
#include "cosim/timescale/sync.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace cosim::timescale {

std::optional<Mode> parse_mode(std::string_view s) {
  if (s == "off") return Mode::kOff;
  if (s == "freeze") return Mode::kFreeze;
  if (s == "lockstep") return Mode::kLockstep;
  return std::nullopt;
}

const char* to_string(Mode mode) {
  switch (mode) {
    case Mode::kOff: return "off";
    case Mode::kFreeze: return "freeze";
    case Mode::kLockstep: return "lockstep";
  }
  return "?";
}

std::optional<Mode> mode_from_wire(uint32_t v) {
  if (v > static_cast<uint32_t>(Mode::kLockstep)) return std::nullopt;
  return static_cast<Mode>(v);
}

std::optional<uint64_t> SyncPolicy::next_sync_ps(const SyncState& s) const {
  if (!enabled()) return std::nullopt;
  auto plus_quantum = [&](uint64_t t) { return t > UINT64_MAX - quantum_ps_ ? UINT64_MAX : t + quantum_ps_; };
  std::optional<uint64_t> at;
  // Posted writes: the device has work the guest may wait for; sync a quantum
  // after the first (not at once, so a burst of writes shares one round trip).
  if (s.outstanding_since_ps) at = plus_quantum(*s.outstanding_since_ps);
  // A busy device: a quantum after the time it reached, or at its next event
  // when that is further away (lookahead: a long DMA or a timer costs one
  // round trip, not one per quantum). Never sooner than a quantum: a device
  // whose next event is always near (an RTL clock edge) would otherwise cost
  // a round trip per edge.
  if (s.device_next_ps) {
    const uint64_t t = std::max(*s.device_next_ps, plus_quantum(s.device_ps));
    at = at ? std::min(*at, t) : t;
  }
  return at;
}

uint64_t SyncPolicy::grant_ps(const SyncState& s) const { return std::max(s.guest_ps, s.device_ps); }

std::string format_stats(Mode mode, const Stats& st) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "time: mode %s, wall %s, guest %s, device %s, frozen %s (%" PRIu64
                " freezes), %" PRIu64 " syncs",
                to_string(mode), format_seconds(st.wall_ps).c_str(), format_seconds(st.guest_ps).c_str(),
                format_seconds(st.device_ps).c_str(), format_seconds(st.frozen_ps).c_str(), st.freezes, st.syncs);
  return buf;
}

}  // namespace cosim::timescale
