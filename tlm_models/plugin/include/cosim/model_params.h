// Model parameters ("key=value" from `--param`) and parsers for the value
// kinds models take: integers, durations (from timescale/), rates. Header-only,
// so a plug-in parses its options exactly as the built-in models do.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "cosim/timescale/units.h"

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

// Durations ("10ns", "1.5us") parse as everywhere else: timescale/ owns units.
using timescale::format_duration;
using timescale::parse_duration_ps;

// A positive decimal number such as "4", "0.5" or "12.25".
inline std::optional<double> parse_positive(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v) || !(v > 0)) return std::nullopt;
  return v;
}

}  // namespace cosim
