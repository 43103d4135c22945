// cosim-host's --slow: wall-clock delays around a device, simulated behaviour unchanged.
#include <gtest/gtest.h>

#include <chrono>

#include "slow_device.h"

namespace cosim {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

// Raises MSI 0 on any write; its clock follows advance_to.
class Dev final : public Device {
 public:
  Dev() {
    desc_.name = "dev";
    desc_.bars[0] = {64, BarKind::kMem32, false};
    desc_.msi_vectors = 1;
  }
  const DeviceDescription& description() const override { return desc_; }
  void attach(HostPort* h) override { host = h; }
  Status bar_read(unsigned, uint64_t, unsigned, uint64_t& v) override {
    v = 7;
    return {};
  }
  Status bar_write(unsigned, uint64_t, unsigned, uint64_t) override {
    host->raise_msi(0);
    return {};
  }
  void reset(ResetKind) override {}
  void advance_to(uint64_t t) override { now = std::max(now, t); }
  uint64_t now_ps() const override { return now; }
  HostPort* host = nullptr;
  uint64_t now = 0;

 private:
  DeviceDescription desc_;
};

class Port final : public HostPort {
 public:
  Status dma_read(uint64_t, std::span<uint8_t>) override { return {}; }
  Status dma_write(uint64_t, std::span<const uint8_t>) override { return {}; }
  void set_intx(bool) override {}
  void raise_msi(uint32_t v) override { msis.push_back(v); }
  void raise_msix(uint32_t) override {}
  std::vector<uint32_t> msis;
};

template <typename F>
milliseconds timed(F&& f) {
  const auto t0 = steady_clock::now();
  f();
  return duration_cast<milliseconds>(steady_clock::now() - t0);
}

TEST(SlowDevice, ParsesItsOptions) {
  auto o = parse_slow_options("per-irq=2s,per-sim-us=1ms,per-access=10us");
  ASSERT_TRUE(o) << o.status().to_string();
  EXPECT_EQ(o->per_irq, 2s);
  EXPECT_EQ(o->per_sim_us, 1ms);
  EXPECT_EQ(o->per_access, 10us);
  EXPECT_EQ(o->to_string(), "per-sim-us=1 ms, per-access=10 us, per-irq=2 s");
  EXPECT_FALSE(parse_slow_options("per-irq"));
  EXPECT_FALSE(parse_slow_options("per-irq=2"));
  EXPECT_FALSE(parse_slow_options("per-irq=1ps"));
  auto bad = parse_slow_options("per-byte=1ms");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("'per-byte=1ms'"), std::string::npos);
}

TEST(SlowDevice, InterruptsTakeTheirWallTime) {
  Dev dev;
  Port port;
  SlowDevice slow(dev, *parse_slow_options("per-irq=150ms"));
  slow.attach(&port);
  uint64_t v = 0;
  EXPECT_LT(timed([&] { ASSERT_TRUE(slow.bar_read(0, 0, 4, v)); }), 100ms);
  EXPECT_EQ(v, 7u);
  EXPECT_GE(timed([&] { ASSERT_TRUE(slow.bar_write(0, 0, 4, 1)); }), 150ms);
  EXPECT_EQ(port.msis, std::vector<uint32_t>{0});
  EXPECT_GE(slow.added(), 150ms);
}

TEST(SlowDevice, SimulatedTimeCostsWallTime) {
  Dev dev;
  Port port;
  SlowDevice slow(dev, *parse_slow_options("per-sim-us=10ms"));
  slow.attach(&port);
  // 20 simulated microseconds: 200 ms of wall time; simulated time is exact.
  EXPECT_GE(timed([&] { slow.advance_to(20'000'000); }), 200ms);
  EXPECT_EQ(slow.now_ps(), 20'000'000u);
  // Fractions add up rather than being lost: 10 x 0.1 us = 1 us = 10 ms.
  const auto before = slow.added();
  for (int i = 1; i <= 10; ++i) slow.advance_to(20'000'000 + i * 100'000);
  EXPECT_EQ(duration_cast<milliseconds>(slow.added() - before), 10ms);
}

}  // namespace
}  // namespace cosim
