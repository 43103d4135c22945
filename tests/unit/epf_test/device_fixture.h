// Test bench for the native epf-test model: a device attached to a FakeHost,
// register helpers in the driver's terms, and the log lines the device wrote.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "epf_test_regs.h"
#include "fake_host.h"
#include "native/epf_test_native.h"
#include "params.h"

namespace cosim::epf_test::testing {

class EpfDeviceBench : public ::testing::Test {
 protected:
  struct LogLine {
    LogLevel level;
    std::string message;
  };

  void SetUp() override { make({}); }

  void make(const EpfTestConfig& config) {
    dev = std::make_unique<NativeEpfTest>(config, [this](LogLevel level, const std::string& m) {
      logs.push_back({level, m});
    });
    dev->attach(&host);
  }

  uint32_t rd(uint32_t reg) {
    uint64_t v = 0;
    const Status s = dev->bar_read(0, reg, 4, v);
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    return static_cast<uint32_t>(v);
  }
  void wr(uint32_t reg, uint32_t value) {
    const Status s = dev->bar_write(0, reg, 4, value);
    EXPECT_TRUE(s.is_ok()) << s.to_string();
  }
  void set_src(uint64_t a) {
    wr(kSrcAddrLo, static_cast<uint32_t>(a));
    wr(kSrcAddrHi, static_cast<uint32_t>(a >> 32));
  }
  void set_dst(uint64_t a) {
    wr(kDstAddrLo, static_cast<uint32_t>(a));
    wr(kDstAddrHi, static_cast<uint32_t>(a >> 32));
  }
  // What the driver's interrupt handler does: read STATUS, write it back
  // with IRQ_RAISED cleared.
  uint32_t acknowledge() {
    const uint32_t st = rd(kStatus);
    wr(kStatus, st & ~kStIrqRaised);
    return st;
  }
  bool logged(const std::string& needle) const {
    for (const LogLine& l : logs)
      if (l.message.find(needle) != std::string::npos) return true;
    return false;
  }

  FakeHost host;
  std::unique_ptr<NativeEpfTest> dev;
  std::vector<LogLine> logs;
};

}  // namespace cosim::epf_test::testing
