// Model parameters ("key=value" from `--param`) and parsers for the value
// kinds models take: integers, durations, rates. Header-only, so a plug-in
// parses its options exactly as the built-in models do.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace cosim {

using ModelParams = std::map<std::string, std::string>;

// Removes `key` from `params` and returns its value, if it was there.
inline std::optional<std::string> take_param(ModelParams& params, const std::string& key) {
  auto it = params.find(key);
  if (it == params.end()) return std::nullopt;
  std::string value = std::move(it->second);
  params.erase(it);
  return value;
}

// Decimal or 0x-hex, the whole string, no sign or spaces.
inline std::optional<uint64_t> parse_uint(std::string_view s) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// A duration in picoseconds from a decimal number and a unit: "10ns", "1.5us",
// "250ps", "2ms", "1s" (no space). Values that are not a whole number of
// picoseconds, or beyond 2^64 ps (213 days), are refused.
inline std::optional<uint64_t> parse_duration_ps(std::string_view s) {
  static constexpr struct {
    std::string_view suffix;
    uint64_t ps;
  } kUnits[] = {{"ps", 1}, {"ns", 1'000}, {"us", 1'000'000}, {"ms", 1'000'000'000}, {"s", 1'000'000'000'000}};
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

// A positive decimal number such as "4", "0.5" or "12.25".
inline std::optional<double> parse_positive(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v) || !(v > 0)) return std::nullopt;
  return v;
}

// "1 us", "1500 ns", "250 ps": a duration for messages, in the largest unit that keeps it exact.
inline std::string format_duration(uint64_t ps) {
  static constexpr struct {
    const char* name;
    uint64_t ps;
  } kUnits[] = {{"s", 1'000'000'000'000}, {"ms", 1'000'000'000}, {"us", 1'000'000}, {"ns", 1'000}};
  for (const auto& u : kUnits)
    if (ps >= u.ps && ps % u.ps == 0) return std::to_string(ps / u.ps) + " " + u.name;
  return std::to_string(ps) + " ps";
}

}  // namespace cosim
