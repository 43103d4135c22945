// Native (plain C++, untimed) model of the reference device `epf-test`
// (shared/specs/epf-test.md): commands run to completion inside the COMMAND write.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cosim/bridge/device.h"
#include "cosim/bridge/log.h"
#include "cosim/bridge/status.h"
#include "epf_test_logic.h"
#include "epf_test_regs.h"
#include "params.h"

namespace cosim::epf_test {

// Log sink for guest mistakes and command results.
using LogFn = LogSink;

class NativeEpfTest final : public Device {
 public:
  // DMA moves at most this much per HostPort call, through one bounce buffer.
  static constexpr uint32_t kDmaChunk = 1024 * 1024;

  // `config` must pass check_config(); create() checks it first.
  explicit NativeEpfTest(const EpfTestConfig& config = {}, LogFn log = {});
  static Result<std::unique_ptr<NativeEpfTest>> create(const EpfTestConfig& config, LogFn log = {});

  void set_log(LogFn log) { log_ = std::move(log); }
  const EpfTestConfig& config() const { return config_; }
  // For tests and debugging: the register file and the INTx level last driven.
  const EpfTestRegs& regs() const { return regs_; }
  bool intx_level() const { return intx_level_; }

  // Device
  const DeviceDescription& description() const override { return desc_; }
  // Re-drives an asserted INTx to the new host: it cannot know the level.
  void attach(HostPort* host) override;
  // On error the Status from check_bar_access() is returned and `value` is all-ones.
  Status bar_read(unsigned bar, uint64_t offset, unsigned size, uint64_t& value) override;
  Status bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) override;
  void reset(ResetKind kind) override;
  // Untimed: the device is always caught up with the time it is given.
  void advance_to(uint64_t time_ps) override;
  uint64_t now_ps() const override { return now_ps_; }

 private:
  // `mask` selects the bytes of `value` the access carries.
  void write_reg(uint32_t offset, uint32_t value, uint32_t mask);
  void run_command(uint32_t command);
  bool do_read();
  bool do_write();
  bool do_copy();
  bool size_ok(const char* what) const;
  bool range_ok(uint64_t address, const char* what, const char* which) const;
  bool fetch(uint64_t address, uint32_t n, const char* what);
  bool store(uint64_t address, uint32_t n, const char* what);
  void raise_irq(uint32_t type, uint32_t number, const char* what);
  void update_intx();
  [[gnu::format(printf, 3, 4)]] void logf(LogLevel level, const char* fmt, ...) const;

  EpfTestConfig config_;
  DeviceDescription desc_;
  LogFn log_;
  HostPort* host_ = nullptr;

  EpfTestRegs regs_;
  // Whether the IRQ_RAISED now in STATUS was set by an INTx: the INTx level is
  // exactly (STATUS.IRQ_RAISED && irq_from_intx_), so clearing the bit drops it.
  bool irq_from_intx_ = false;
  bool intx_level_ = false;   // the level last driven to the host
  uint64_t write_count_ = 0;  // WRITE commands since reset: varies the pattern
  uint64_t now_ps_ = 0;

  std::array<std::vector<uint8_t>, kNumBars> bar_mem_;  // BAR0: bytes past the registers
  std::vector<uint8_t> bounce_;                         // kDmaChunk bytes
};

}  // namespace cosim::epf_test
