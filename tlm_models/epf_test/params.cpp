// Parsing and checking of epf-test options, and the description built from
// them. Configuration mistakes fail here, at start-up, naming the option.
#include "params.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <optional>
#include <string_view>

namespace cosim::epf_test {
namespace {

// What each option accepts, one place for both check_config and the parser.
constexpr const char* kBar0Rule = "must be a power of two from 64 (it holds the 0x30-byte register block) to 256M";
constexpr const char* kBarRule = "must be 0 (no BAR) or a power of two from 16 to 256M";
constexpr const char* kMsiRule = "must be 0 or a power of two up to 32";
constexpr const char* kMsixRule = "must be 0..2048";
constexpr const char* kIntxRule = "must be 0 (none) or 1..4 (INTA..INTD)";
constexpr const char* kClassRule = "must fit in 24 bits (base class, subclass, prog-if)";
constexpr const char* kIoRule = "an I/O BAR is BAR1..5 of 16 to 256 bytes (PCI's largest I/O BAR)";
constexpr const char* kKeys =
    "vendor, device, subsystem_vendor, subsystem, revision, class, bar0..bar5, bar1_kind..bar5_kind, msi, msix, "
    "intx, seed";

bool bar_size_ok(unsigned bar, uint64_t size) {
  if (size == 0) return bar != 0;
  const uint64_t min = bar == 0 ? 64 : 16;
  return std::has_single_bit(size) && size >= min && size <= kMaxBarSize;
}
bool msi_ok(uint64_t n) { return n == 0 || (n <= kMaxMsiVectors && std::has_single_bit(n)); }
bool msix_ok(uint64_t n) { return n <= kMaxMsixVectors; }
bool intx_ok(uint64_t n) { return n <= 4; }
bool class_ok(uint64_t n) { return n <= 0xffffff; }

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

// Decimal or 0x-hex, whole string, no sign or spaces.
std::optional<uint64_t> parse_number(std::string_view s) {
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

// A number with an optional k/K (KiB) or m/M (MiB) suffix.
std::optional<uint64_t> parse_size(std::string_view s) {
  uint64_t mult = 1;
  if (!s.empty()) {
    switch (s.back()) {
      case 'k': case 'K': mult = 1024; break;
      case 'm': case 'M': mult = 1024 * 1024; break;
      default: break;
    }
    if (mult != 1) s.remove_suffix(1);
  }
  auto v = parse_number(s);
  if (!v || *v > UINT64_MAX / mult) return std::nullopt;
  return *v * mult;
}

Status bad(const std::string& key, const std::string& value, const std::string& rule) {
  return {ErrorCode::kConfig, "epf-test option " + key + "='" + value + "': " + rule};
}

Status bad_field(const std::string& key, uint64_t value, const std::string& rule) {
  return {ErrorCode::kConfig, "epf-test " + key + " = " + std::to_string(value) + ": " + rule};
}

}  // namespace

Status check_config(const EpfTestConfig& c) {
  if (!class_ok(c.class_code)) return bad_field("class", c.class_code, kClassRule);
  for (unsigned i = 0; i < kNumBars; ++i)
    if (!bar_size_ok(i, c.bar_sizes[i]))
      return bad_field("bar" + std::to_string(i), c.bar_sizes[i], i == 0 ? kBar0Rule : kBarRule);
  for (unsigned i = 0; i < kNumBars; ++i)
    if (c.io_bars[i] && (i == 0 || c.bar_sizes[i] == 0 || c.bar_sizes[i] > 256))
      return bad_field("bar" + std::to_string(i), c.bar_sizes[i], kIoRule);
  if (!msi_ok(c.msi_vectors)) return bad_field("msi", c.msi_vectors, kMsiRule);
  if (!msix_ok(c.msix_vectors)) return bad_field("msix", c.msix_vectors, kMsixRule);
  if (!intx_ok(c.intx_pin)) return bad_field("intx", c.intx_pin, kIntxRule);
  // The field rules above imply a valid description; this keeps the two honest.
  if (Status s = validate(describe(c)); !s)
    return {ErrorCode::kConfig, "epf-test configuration gives an invalid description: " + s.message()};
  return {};
}

Result<EpfTestConfig> parse_epf_test_params(const std::map<std::string, std::string>& params, const char* more_keys) {
  EpfTestConfig c;
  bool subsystem_vendor_given = false;
  bool subsystem_given = false;

  for (const auto& [key, value] : params) {
    // A number in [0, max]; `what` describes the allowed values.
    auto number = [&](uint64_t max, const char* what) -> Result<uint64_t> {
      auto v = parse_number(value);
      if (!v || *v > max) return bad(key, value, what);
      return *v;
    };
    auto id16 = [&](uint16_t& field) -> Status {
      auto r = number(0xffff, "must be a 16-bit number, decimal or 0x-hex");
      if (!r) return r.status();
      field = static_cast<uint16_t>(*r);
      return {};
    };

    Status s;
    if (key == "vendor") {
      s = id16(c.vendor_id);
    } else if (key == "device") {
      s = id16(c.device_id);
    } else if (key == "subsystem_vendor") {
      s = id16(c.subsystem_vendor_id);
      subsystem_vendor_given = true;
    } else if (key == "subsystem") {
      s = id16(c.subsystem_id);
      subsystem_given = true;
    } else if (key == "revision") {
      auto r = number(0xff, "must be 0..255, decimal or 0x-hex");
      if (!r) return r.status();
      c.revision = static_cast<uint8_t>(*r);
    } else if (key == "class") {
      auto r = number(0xffffff, kClassRule);
      if (!r) return r.status();
      c.class_code = static_cast<uint32_t>(*r);
    } else if (key.size() == 4 && key.starts_with("bar") && key[3] >= '0' && key[3] <= '5') {
      const unsigned bar = static_cast<unsigned>(key[3] - '0');
      auto v = parse_size(value);
      if (!v || !bar_size_ok(bar, *v))
        return bad(key, value,
                   std::string(bar == 0 ? kBar0Rule : kBarRule) + " (decimal or 0x-hex, optional k/M suffix)");
      c.bar_sizes[bar] = *v;
    } else if (key.size() == 9 && key.starts_with("bar") && key.ends_with("_kind") && key[3] >= '1' &&
               key[3] <= '5') {
      if (value != "mem" && value != "io") return bad(key, value, std::string("must be mem or io; ") + kIoRule);
      c.io_bars[static_cast<unsigned>(key[3] - '0')] = value == "io";
    } else if (key == "msi") {
      auto v = parse_number(value);
      if (!v || !msi_ok(*v)) return bad(key, value, kMsiRule);
      c.msi_vectors = static_cast<uint32_t>(*v);
    } else if (key == "msix") {
      auto r = number(kMaxMsixVectors, kMsixRule);
      if (!r) return r.status();
      c.msix_vectors = static_cast<uint32_t>(*r);
    } else if (key == "intx") {
      auto r = number(4, kIntxRule);
      if (!r) return r.status();
      c.intx_pin = static_cast<uint8_t>(*r);
    } else if (key == "seed") {
      auto r = number(UINT64_MAX, "must be a 64-bit number, decimal or 0x-hex");
      if (!r) return r.status();
      c.write_seed = *r;
    } else {
      return Status(ErrorCode::kConfig,
                    "epf-test has no option '" + key + "' (given '" + value + "'); options are " + kKeys +
                        (more_keys ? std::string(", ") + more_keys : std::string()));
    }
    if (!s) return s;
  }

  if (!subsystem_vendor_given) c.subsystem_vendor_id = c.vendor_id;
  if (!subsystem_given) c.subsystem_id = c.device_id;
  if (Status s = check_config(c); !s) return s;
  return c;
}

MsixLayout msix_layout(const EpfTestConfig& c) {
  MsixLayout l;
  const uint64_t table = uint64_t{c.msix_vectors} * kMsixEntryBytes;
  const uint64_t pba = (uint64_t{c.msix_vectors} + 63) / 64 * 8;
  const uint64_t table_offset = align_up(std::max<uint64_t>(c.bar_sizes[0], kRegBlockBytes), kMsixTableAlign);
  const uint64_t pba_offset = table_offset + table;  // a multiple of 16: 8-byte aligned
  l.table_offset = static_cast<uint32_t>(table_offset);
  l.pba_offset = static_cast<uint32_t>(pba_offset);
  l.bar0_size = std::bit_ceil(pba_offset + pba);
  return l;
}

DeviceDescription describe(const EpfTestConfig& c) {
  DeviceDescription d;
  d.name = "epf-test";
  d.vendor_id = c.vendor_id;
  d.device_id = c.device_id;
  d.subsystem_vendor_id = c.subsystem_vendor_id;
  d.subsystem_id = c.subsystem_id;
  d.revision = c.revision;
  d.class_code = c.class_code;
  for (unsigned i = 0; i < kNumBars; ++i)
    if (c.bar_sizes[i] != 0) d.bars[i] = BarInfo{c.bar_sizes[i], c.io_bars[i] ? BarKind::kIo : BarKind::kMem32, false};
  d.intx_pin = c.intx_pin;
  d.msi_vectors = static_cast<uint16_t>(c.msi_vectors);
  d.msix_vectors = static_cast<uint16_t>(c.msix_vectors);
  if (c.msix_vectors != 0) {
    const MsixLayout l = msix_layout(c);
    d.bars[0].size = l.bar0_size;
    d.msix_table_bar = 0;
    d.msix_table_offset = l.table_offset;
    d.msix_pba_bar = 0;
    d.msix_pba_offset = l.pba_offset;
  }
  return d;
}

}  // namespace cosim::epf_test
