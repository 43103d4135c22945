// Testbench of the epf-test RTL without QEMU or the bridge: the TLM wrapper
// (EpfTestRtl, AXI checkers on) with a BAR master per BAR, guest memory behind
// the DMA master (a FakeHost, as in the native model's tests), an MSI/MSI-X
// recorder and the INTx line. One instance per process (SystemC elaborates
// once); tests start with reset() and run their steps through run().
#pragma once

#include <array>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../epf_test/fake_host.h"
#include "cosim/rtl/epf_test_rtl.h"
#include "epf_test_regs.h"
#include "params.h"
#include "sc_harness.h"

namespace cosim::rtl::test {

using epf_test::testing::FakeHost;

// Guest memory of the bench.
inline constexpr uint64_t kLowBase = 0x0010'0000;       // 4 MiB below 4 GiB
inline constexpr uint64_t kHighBase = 0x1'8000'0000;    // 4 MiB above 4 GiB
inline constexpr uint64_t kRegionSize = 4 << 20;
inline constexpr uint64_t kRefusedBase = 0x0030'0000;   // 4 KiB inside LOW that refuses DMA
inline constexpr uint64_t kRefusedSize = 0x1000;

class IrqRecorder : public sc_core::sc_module, public sc::InterruptIf {
 public:
  struct Event {
    bool msix;
    uint32_t vector;
    sc_core::sc_time time;
  };
  explicit IrqRecorder(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {}
  void raise_msi(uint32_t vector) override { note(false, vector); }
  void raise_msix(uint32_t vector) override { note(true, vector); }
  std::vector<Event> events;
  std::function<void(const Event&)> on_event;  // e.g. check memory at interrupt time

 private:
  void note(bool msix, uint32_t vector) {
    events.push_back({msix, vector, sc_core::sc_time_stamp()});
    if (on_event) on_event(events.back());
  }
};

inline epf_test::EpfTestConfig bench_config() {
  epf_test::EpfTestConfig c;  // the spec's defaults: BARs 512 B .. 1 MiB, 32 MSI, 2048 MSI-X, INTA
  c.write_seed = 0x1234'5678'9abc'def0ull;
  return c;
}

inline EpfTestRtlOptions bench_options() {
  EpfTestRtlOptions o;
  o.check_axi = true;
  o.bus_timeout_cycles = 10'000;
  // COSIM_RTL_TEST_WAVES=<dir>: record the whole run there (FST), for debugging.
  if (const char* dir = std::getenv("COSIM_RTL_TEST_WAVES")) {
    o.waves.enabled = true;
    o.waves.dir = dir;
    o.waves.test = ::testing::UnitTest::GetInstance()->current_test_info()
                       ? ::testing::UnitTest::GetInstance()->current_test_info()->name()
                       : "epf-test-rtl";
  }
  return o;
}

class EpfBench : public sc_core::sc_module {
 public:
  FakeHost host;
  EpfTestRtl dut;
  HostMemory mem;
  IrqRecorder irq;
  sc_core::sc_signal<bool> intx_line;
  std::array<std::unique_ptr<BusMaster>, kNumBars> bar;
  Runner runner;
  std::vector<std::string> log_lines;

  explicit EpfBench(const sc_core::sc_module_name& name)
      : sc_core::sc_module(name),
        dut("dut", bench_config(), bench_options(), [this](LogLevel, const std::string& m) { log_lines.push_back(m); }),
        mem("mem", host), irq("irq"), intx_line("intx_line"), runner("runner") {
    host.add_region(kLowBase, kRegionSize);
    host.add_region(kHighBase, kRegionSize);
    host.make_invalid(kRefusedBase, kRefusedSize);
    dut.dma_socket()->bind(mem.socket);
    dut.intx(intx_line);
    dut.msi(irq);
    for (unsigned i = 0; i < kNumBars; ++i) {
      bar[i] = std::make_unique<BusMaster>(("bar" + std::to_string(i)).c_str());
      bar[i]->socket.bind(*dut.bar_socket(i));
    }
  }

  static EpfBench& get() {
    static EpfBench* b = new EpfBench("tb");  // lives until exit, as the kernel does
    return *b;
  }

  // Runs `job` in a thread; fails the test if it does not finish in `limit`.
  void run(std::function<void()> job, sc_core::sc_time limit = sc_core::sc_time(50, sc_core::SC_MS)) {
    ASSERT_TRUE(runner.run(std::move(job), limit)) << "testbench job did not finish within " << limit;
  }

  // ---- In simulation context ----
  void reset() {
    dut.reset(ResetKind::kSystem);
    irq.events.clear();
    irq.on_event = nullptr;
    host.clear_records();
    mem.accesses.clear();
  }
  void wr(uint32_t off, uint32_t v) {
    EXPECT_EQ(bar[0]->write(off, v, 4), tlm::TLM_OK_RESPONSE) << "BAR0 write at 0x" << std::hex << off;
  }
  uint32_t rd(uint32_t off) {
    uint64_t v = 0;
    EXPECT_EQ(bar[0]->read(off, v, 4), tlm::TLM_OK_RESPONSE) << "BAR0 read at 0x" << std::hex << off;
    return static_cast<uint32_t>(v);
  }
  // Waits until the RTL has no command pending or running (its clock may stop
  // then, so this waits for the busy pin, not for clock edges).
  void wait_idle() {
    if (dut.busy()) sc_core::wait(dut.idle_event());
    // The INTx level reaches intx_line through the interrupt monitor one
    // delta cycle after the RTL's pins change.
    sc_core::wait(sc_core::SC_ZERO_TIME);
  }
  // Programs a transfer and runs it to completion (the interrupt included).
  void command(uint32_t cmd, uint64_t src, uint64_t dst, uint32_t size, uint32_t irq_type = epf_test::kIrqMsi,
               uint32_t irq_number = 1) {
    using namespace epf_test;
    wr(kSrcAddrLo, static_cast<uint32_t>(src));
    wr(kSrcAddrHi, static_cast<uint32_t>(src >> 32));
    wr(kDstAddrLo, static_cast<uint32_t>(dst));
    wr(kDstAddrHi, static_cast<uint32_t>(dst >> 32));
    wr(kSize, size);
    wr(kIrqType, irq_type);
    wr(kIrqNumber, irq_number);
    wr(kCommand, cmd);
    wait_idle();
  }
};

// The RTL's WRITE data (rtl/epf_test_pkg.sv): xorshift64 (13, 7, 17) words,
// started from seed ^ {count, count} ^ salt; byte q is byte q % 8 of word q / 8.
inline std::vector<uint8_t> rtl_write_pattern(uint64_t seed, uint32_t count, uint32_t size) {
  constexpr uint64_t kSalt = 0x9E3779B97F4A7C15ull;
  uint64_t s = seed ^ (uint64_t{count} << 32 | count) ^ kSalt;
  if (s == 0) s = kSalt;
  std::vector<uint8_t> out(size);
  for (uint32_t q = 0; q < size; q += 8) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    for (uint32_t i = 0; i < 8 && q + i < size; ++i) out[q + i] = static_cast<uint8_t>(s >> (8 * i));
  }
  return out;
}

}  // namespace cosim::rtl::test
