// Time units of the co-simulation: integer picoseconds on the device timeline,
// nanoseconds on QEMU's clocks, the parsing and printing of durations, and the
// guest <-> device scale. Header-only and dependency-free, so model plug-ins
// (cosim/model_params.h) parse durations exactly as the tools do.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cosim::timescale {

inline constexpr uint64_t kPsPerNs = 1'000;
inline constexpr uint64_t kPsPerUs = 1'000'000;
inline constexpr uint64_t kPsPerMs = 1'000'000'000;
inline constexpr uint64_t kPsPerS = 1'000'000'000'000;

// Nanoseconds -> picoseconds, saturating at UINT64_MAX.
constexpr uint64_t ns_to_ps(uint64_t ns) { return ns > UINT64_MAX / kPsPerNs ? UINT64_MAX : ns * kPsPerNs; }
// Picoseconds -> nanoseconds, rounded down or up.
constexpr uint64_t ps_to_ns_floor(uint64_t ps) { return ps / kPsPerNs; }
constexpr uint64_t ps_to_ns_ceil(uint64_t ps) { return ps / kPsPerNs + (ps % kPsPerNs != 0); }

// A duration in picoseconds from a decimal number and a unit: "10ns", "1.5us",
// "250ps", "2ms", "1s" (no space). Values that are not a whole number of
// picoseconds, or beyond 2^64 ps (213 days), are refused.
inline std::optional<uint64_t> parse_duration_ps(std::string_view s) {
  static constexpr struct {
    std::string_view suffix;
    uint64_t ps;
  } kUnits[] = {{"ps", 1}, {"ns", kPsPerNs}, {"us", kPsPerUs}, {"ms", kPsPerMs}, {"s", kPsPerS}};
  for (const auto& u : kUnits) {
    if (!s.ends_with(u.suffix)) continue;
    std::string_view num = s.substr(0, s.size() - u.suffix.size());
    // "1ms" also ends in "s": a unit only counts if what precedes it is a number.
    if (num.empty() || !(num.back() >= '0' && num.back() <= '9')) continue;
    std::string_view frac;
    if (const size_t dot = num.find('.'); dot != std::string_view::npos) {
      frac = num.substr(dot + 1);
      num = num.substr(0, dot);
      if (frac.empty()) return std::nullopt;
    }
    uint64_t whole = 0;
    if (num.empty()) return std::nullopt;
    auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), whole);
    if (ec != std::errc() || end != num.data() + num.size()) return std::nullopt;
    if (whole > UINT64_MAX / u.ps) return std::nullopt;
    uint64_t ps = whole * u.ps;
    uint64_t scale = u.ps;
    for (char c : frac) {
      if (c < '0' || c > '9') return std::nullopt;
      const uint64_t digit = static_cast<uint64_t>(c - '0');
      if (scale % 10 != 0) {
        if (digit != 0) return std::nullopt;  // finer than a picosecond
        continue;
      }
      scale /= 10;
      if (ps > UINT64_MAX - digit * scale) return std::nullopt;
      ps += digit * scale;
    }
    return ps;
  }
  return std::nullopt;
}

// "1 us", "1500 ns", "250 ps": a duration for messages, in the largest unit that keeps it exact.
inline std::string format_duration(uint64_t ps) {
  static constexpr struct {
    const char* name;
    uint64_t ps;
  } kUnits[] = {{"s", kPsPerS}, {"ms", kPsPerMs}, {"us", kPsPerUs}, {"ns", kPsPerNs}};
  for (const auto& u : kUnits)
    if (ps >= u.ps && ps % u.ps == 0) return std::to_string(ps / u.ps) + " " + u.name;
  return std::to_string(ps) + " ps";
}

// "12.345 s", "3.200 ms": a measured duration for reports, three decimals.
inline std::string format_seconds(uint64_t ps) {
  char buf[48];
  if (ps >= kPsPerS)
    std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(ps) / kPsPerS);
  else if (ps >= kPsPerMs)
    std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(ps) / kPsPerMs);
  else
    std::snprintf(buf, sizeof buf, "%.3f us", static_cast<double>(ps) / kPsPerUs);
  return buf;
}

// The dilation between the two timelines: guest_time = K * device_time. K = 1
// unless a user wants the device to look faster (K < 1) or slower (K > 1) to
// the guest. Conversions round so that a guest deadline computed from a device
// time is never before it, and a device grant computed from a guest time never
// beyond it: the device is never granted time the guest has not reached.
class Scale {
 public:
  Scale() = default;
  // K must be finite and > 0 (parse_scale checks user input).
  explicit Scale(double k) : k_(k) {}
  double k() const { return k_; }
  bool identity() const { return k_ == 1.0; }

  // Device picoseconds granted when the guest clock reads `guest_ns`.
  uint64_t guest_ns_to_device_ps(uint64_t guest_ns) const {
    if (identity()) return ns_to_ps(guest_ns);
    return saturate(std::floor(static_cast<long double>(guest_ns) * kPsPerNs / k_));
  }
  // Guest nanoseconds at which device time `device_ps` is due.
  uint64_t device_ps_to_guest_ns(uint64_t device_ps) const {
    if (identity()) return ps_to_ns_ceil(device_ps);
    return saturate(std::ceil(static_cast<long double>(device_ps) * k_ / kPsPerNs));
  }
  // A device duration as the guest sees it, in picoseconds.
  uint64_t device_to_guest_ps(uint64_t device_ps) const {
    return identity() ? device_ps : saturate(std::llround(static_cast<long double>(device_ps) * k_));
  }

 private:
  static uint64_t saturate(long double v) {
    if (!(v > 0)) return 0;
    if (v >= static_cast<long double>(UINT64_MAX)) return UINT64_MAX;
    return static_cast<uint64_t>(v);
  }
  double k_ = 1.0;
};

// "1", "0.5", "10": a scale factor K > 0 (at most 1e6 either way).
inline std::optional<Scale> parse_scale(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v) || !(v >= 1e-6) || v > 1e6)
    return std::nullopt;
  return Scale(v);
}

}  // namespace cosim::timescale
