// Virtual-time modes and the synchronisation policy between the guest clock
// and the device simulation (docs/time.md). Plain C++: the QEMU frontend and
// cosim-host both use it, and it is unit-tested without either.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cosim/timescale/units.h"

namespace cosim::timescale {

// off: guest time runs with the host clock; the host runs the device freely.
// freeze: guest time stops while the guest waits for the device; the device
//   only advances as far as the guest grants.
// lockstep: as freeze, with QEMU counting instructions (-icount), so guest time
//   is the instruction count and the two timelines never drift more than a quantum.
enum class Mode : uint8_t { kOff = 0, kFreeze = 1, kLockstep = 2 };

std::optional<Mode> parse_mode(std::string_view s);
const char* to_string(Mode mode);
// Wire value (Hello.time_mode) <-> Mode; unknown values are refused.
std::optional<Mode> mode_from_wire(uint32_t v);
inline uint32_t to_wire(Mode m) { return static_cast<uint32_t>(m); }

inline constexpr uint64_t kDefaultQuantumPs = 100 * kPsPerUs;

// What the frontend knows at a decision point. All times are on the device
// timeline (picoseconds; the guest clock converted through the Scale).
struct SyncState {
  uint64_t guest_ps = 0;                   // guest clock now
  uint64_t device_ps = 0;                  // device time at the last answer
  std::optional<uint64_t> device_next_ps;  // its announced next event (lookahead), if busy
  // Guest time of the oldest posted write the device has not been synced past.
  std::optional<uint64_t> outstanding_since_ps;
};

// When to synchronise and how far to let the device run. The device is never
// granted time beyond the guest clock, so nothing the device does can be in
// the guest's future. A busy device is synced a quantum after the time it
// reached, or at its announced next event when that is further away, so it
// never lags the guest by more than one quantum: what it raises at time T
// reaches the guest by T + quantum (at T exactly when T is an announced next
// event at least a quantum away, such as the end of a long DMA).
// Posted writes are synced at most a quantum after the first of them. An idle
// device with nothing outstanding needs no sync at all.
class SyncPolicy {
 public:
  SyncPolicy(Mode mode, uint64_t quantum_ps) : mode_(mode), quantum_ps_(quantum_ps ? quantum_ps : 1) {}
  Mode mode() const { return mode_; }
  uint64_t quantum_ps() const { return quantum_ps_; }
  bool enabled() const { return mode_ != Mode::kOff; }

  // Device-timeline time of the next sync (possibly <= guest_ps: sync now), or
  // nullopt when none is needed.
  std::optional<uint64_t> next_sync_ps(const SyncState& s) const;
  // How far to grant the device at a sync taken at s.guest_ps.
  uint64_t grant_ps(const SyncState& s) const;

 private:
  Mode mode_;
  uint64_t quantum_ps_;
};

// Figures printed at the end of every run.
struct Stats {
  uint64_t wall_ps = 0;       // wall time the frontend existed
  uint64_t guest_ps = 0;      // guest virtual time elapsed meanwhile
  uint64_t device_ps = 0;     // device simulated time reached
  uint64_t frozen_ps = 0;     // wall time during which guest time was frozen
  uint64_t syncs = 0;         // grant round trips (timer or access driven)
  uint64_t freezes = 0;       // times guest time was frozen
};
// "time: mode freeze, wall 12.301 s, guest 10.100 s, device 10.000 s, frozen 2.100 s (41 freezes), 42 syncs"
std::string format_stats(Mode mode, const Stats& stats);

}  // namespace cosim::timescale
