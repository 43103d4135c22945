// A device that takes longer in wall-clock terms than the one it wraps: the
// problem virtual time solves (docs/time.md), produced on demand with any
// model. Simulated behaviour and simulated time are unchanged.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "cosim/bridge/device.h"

namespace cosim {

struct SlowOptions {
  std::chrono::nanoseconds per_sim_us{0};  // wall time per simulated microsecond the device advances
  std::chrono::nanoseconds per_access{0};  // wall time per BAR access
  std::chrono::nanoseconds per_irq{0};     // wall time before each interrupt the device raises
  bool any() const { return per_sim_us.count() || per_access.count() || per_irq.count(); }
  std::string to_string() const;
};

// "per-sim-us=1ms,per-access=10us,per-irq=2s"; an error names the bad item.
Result<SlowOptions> parse_slow_options(std::string_view text);

class SlowDevice final : public Device, private HostPort {
 public:
  SlowDevice(Device& inner, SlowOptions options) : inner_(inner), options_(options) {}
  const DeviceDescription& description() const override { return inner_.description(); }
  void attach(HostPort* host) override;
  Status bar_read(unsigned bar, uint64_t offset, unsigned size, uint64_t& value) override;
  Status bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) override;
  void reset(ResetKind kind) override;
  void advance_to(uint64_t time_ps) override;
  uint64_t now_ps() const override { return inner_.now_ps(); }
  std::optional<uint64_t> next_event_ps() const override { return inner_.next_event_ps(); }
  // Wall time added so far.
  std::chrono::nanoseconds added() const { return added_; }

 private:
  // HostPort towards the wrapped device: interrupts are delayed, DMA passes.
  Status dma_read(uint64_t address, std::span<uint8_t> out) override;
  Status dma_write(uint64_t address, std::span<const uint8_t> data) override;
  void set_intx(bool asserted) override;
  void raise_msi(uint32_t vector) override;
  void raise_msix(uint32_t vector) override;

  void wait(std::chrono::nanoseconds d);
  // Charges the simulated time the device advanced during a call.
  template <typename F>
  auto charged(F&& f);

  Device& inner_;
  SlowOptions options_;
  HostPort* host_ = nullptr;
  std::chrono::nanoseconds added_{0};
  long double owed_ns_ = 0;  // fractions of a sleep not yet taken
};

}  // namespace cosim
