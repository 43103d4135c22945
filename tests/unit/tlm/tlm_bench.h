// Test bench for SystemC/TLM devices. SystemC elaborates once per process, so
// a test binary holds one TlmDevice, built on first use and destroyed before
// exit by a gtest environment; every test starts from a reset device attached
// to a fresh host. The binary runs the same whether ctest starts one process
// per test or all tests share one.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cosim/bridge/device.h"
#include "cosim/bridge/log.h"
#include "cosim/sc/tlm_device.h"
#include "fake_host.h"

namespace cosim::sc::testing {

using epf_test::testing::FakeHost;

struct LogLine {
  LogLevel level;
  std::string message;
};

// Every log line of the device and of SystemC since the test started.
inline std::vector<LogLine>& logs() {
  static std::vector<LogLine> lines;
  return lines;
}
inline LogSink log_sink() {
  return [](LogLevel level, const std::string& m) { logs().push_back({level, m}); };
}
inline bool logged(const std::string& needle) {
  for (const LogLine& l : logs())
    if (l.message.find(needle) != std::string::npos) return true;
  return false;
}
inline std::string all_logs() {
  std::string out;
  for (const LogLine& l : logs()) out += l.message + "\n";
  return out;
}

// The process's device; `make` builds it on first use (and must succeed).
inline std::unique_ptr<TlmDevice>& shared_device_slot() {
  static std::unique_ptr<TlmDevice> device;
  return device;
}
inline TlmDevice& shared_device(const std::function<Result<std::unique_ptr<TlmDevice>>()>& make) {
  auto& slot = shared_device_slot();
  if (!slot) {
    auto made = make();
    if (!made) {
      ADD_FAILURE() << "cannot elaborate the test device: " << made.status().to_string();
      std::abort();
    }
    slot = std::move(made).value();
  }
  return *slot;
}

// Destroys the device after the last test, before static destructors run.
class SharedDeviceEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { shared_device_slot().reset(); }
};
inline ::testing::Environment* const kSharedDeviceEnvironment =
    ::testing::AddGlobalTestEnvironment(new SharedDeviceEnvironment);

// A HostPort that forwards to a FakeHost and notes the Device time of every
// call, and lets a test hook the DMA path.
class TimedHost final : public HostPort {
 public:
  struct Event {
    IrqKind kind;
    uint32_t vector;  // 0-based; the level for INTx
    uint64_t time_ps;
  };
  explicit TimedHost(FakeHost& inner) : inner_(inner) {}

  Status dma_read(uint64_t address, std::span<uint8_t> out) override {
    dma_times.push_back(now());
    if (on_dma) on_dma();
    return inner_.dma_read(address, out);
  }
  Status dma_write(uint64_t address, std::span<const uint8_t> data) override {
    dma_times.push_back(now());
    if (on_dma) on_dma();
    return inner_.dma_write(address, data);
  }
  void set_intx(bool asserted) override {
    events.push_back({IrqKind::kIntx, asserted ? 1u : 0u, now()});
    inner_.set_intx(asserted);
  }
  void raise_msi(uint32_t vector) override {
    events.push_back({IrqKind::kMsi, vector, now()});
    inner_.raise_msi(vector);
  }
  void raise_msix(uint32_t vector) override {
    events.push_back({IrqKind::kMsix, vector, now()});
    inner_.raise_msix(vector);
  }

  const Device* device = nullptr;  // whose now_ps() stamps the records
  std::vector<Event> events;
  std::vector<uint64_t> dma_times;
  std::function<void()> on_dma;

 private:
  uint64_t now() const { return device ? device->now_ps() : 0; }
  FakeHost& inner_;
};

// Runs a device as DeviceServer does between messages: while it has a next
// event, advance to max(next event, now + run quantum). Stops after
// `limit_ps` of Device time; false if the device was still busy then.
inline bool run_until_idle(Device& dev, uint64_t limit_ps = 1'000'000'000'000, uint64_t run_quantum_ps = 1'000'000) {
  while (auto next = dev.next_event_ps()) {
    if (dev.now_ps() > limit_ps) return false;
    dev.advance_to(std::max(*next, dev.now_ps() + run_quantum_ps));
  }
  return true;
}

}  // namespace cosim::sc::testing
