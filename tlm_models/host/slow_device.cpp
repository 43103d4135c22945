// SlowDevice: wall-clock delays around a device (slow_device.h).
#include "slow_device.h"

#include <thread>

#include "cosim/timescale/units.h"

namespace cosim {

namespace {
std::string dur(std::chrono::nanoseconds d) { return timescale::format_duration(timescale::ns_to_ps(d.count())); }
}  // namespace

std::string SlowOptions::to_string() const {
  std::string s;
  auto add = [&](const char* k, std::chrono::nanoseconds d) {
    if (!d.count()) return;
    if (!s.empty()) s += ", ";
    s += std::string(k) + "=" + dur(d);
  };
  add("per-sim-us", per_sim_us);
  add("per-access", per_access);
  add("per-irq", per_irq);
  return s.empty() ? "none" : s;
}

Result<SlowOptions> parse_slow_options(std::string_view text) {
  SlowOptions o;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const size_t eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
    std::chrono::nanoseconds* field = key == "per-sim-us" ? &o.per_sim_us
                                      : key == "per-access" ? &o.per_access
                                      : key == "per-irq"    ? &o.per_irq
                                                            : nullptr;
    if (!field)
      return Status{ErrorCode::kConfig, "'" + std::string(item) + "': expected per-sim-us=D, per-access=D or per-irq=D"};
    const std::optional<uint64_t> ps = timescale::parse_duration_ps(value);
    if (eq == std::string_view::npos || !ps.has_value() || ps.value() % timescale::kPsPerNs != 0)
      return Status{ErrorCode::kConfig,
                    "'" + std::string(item) + "': the value must be a duration of whole nanoseconds, e.g. 2s, 10us"};
    *field = std::chrono::nanoseconds(ps.value() / timescale::kPsPerNs);
  }
  return o;
}

void SlowDevice::wait(std::chrono::nanoseconds d) {
  if (d.count() <= 0) return;
  added_ += d;
  std::this_thread::sleep_for(d);
}

template <typename F>
auto SlowDevice::charged(F&& f) {
  const uint64_t before = inner_.now_ps();
  auto r = f();
  const uint64_t after = inner_.now_ps();
  if (options_.per_sim_us.count() && after > before) {
    owed_ns_ += static_cast<long double>(after - before) / timescale::kPsPerUs * options_.per_sim_us.count();
    const auto whole = static_cast<int64_t>(owed_ns_);
    owed_ns_ -= whole;
    wait(std::chrono::nanoseconds(whole));
  }
  return r;
}

void SlowDevice::attach(HostPort* host) {
  host_ = host;
  inner_.attach(host ? static_cast<HostPort*>(this) : nullptr);
}

Status SlowDevice::bar_read(unsigned bar, uint64_t offset, unsigned size, uint64_t& value) {
  wait(options_.per_access);
  return charged([&] { return inner_.bar_read(bar, offset, size, value); });
}

Status SlowDevice::bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) {
  wait(options_.per_access);
  return charged([&] { return inner_.bar_write(bar, offset, size, value); });
}

void SlowDevice::reset(ResetKind kind) {
  inner_.reset(kind);
  owed_ns_ = 0;
}

void SlowDevice::advance_to(uint64_t time_ps) {
  charged([&] {
    inner_.advance_to(time_ps);
    return 0;
  });
}

Status SlowDevice::dma_read(uint64_t address, std::span<uint8_t> out) {
  return host_ ? host_->dma_read(address, out) : Status{ErrorCode::kPeerLost, "no frontend"};
}
Status SlowDevice::dma_write(uint64_t address, std::span<const uint8_t> data) {
  return host_ ? host_->dma_write(address, data) : Status{ErrorCode::kPeerLost, "no frontend"};
}
void SlowDevice::set_intx(bool asserted) {
  if (asserted) wait(options_.per_irq);  // deasserting is not an interrupt
  if (host_) host_->set_intx(asserted);
}
void SlowDevice::raise_msi(uint32_t vector) {
  wait(options_.per_irq);
  if (host_) host_->raise_msi(vector);
}
void SlowDevice::raise_msix(uint32_t vector) {
  wait(options_.per_irq);
  if (host_) host_->raise_msix(vector);
}

}  // namespace cosim
