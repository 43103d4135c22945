// EpfTestRtl with waveforms on, as the host would configure it through model
// parameters: the factory's option parsing, a BAR write to COMMAND triggering
// a window (the wrapper reports BAR writes to the recorder itself), and the
// idle device leaving no pending event behind (its clock stops).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "cosim/rtl/epf_test_rtl.h"
#include "cosim/rtl/fst_tools.h"
#include "epf_bench.h"

namespace cosim::rtl::test {
namespace {

namespace fs = std::filesystem;
using namespace epf_test;

TEST(RtlEpfFactory, RejectsBadOptionsNamingThem) {
  const std::vector<std::pair<ModelParams, std::string>> cases = {
      {{{"clock", "3ps"}}, "clock"},
      {{{"check_axi", "yes"}}, "check_axi"},
      {{{"bus_timeout", "0"}}, "bus_timeout"},
      {{{"waves", "png"}}, "waves"},
      {{{"bar5", "2M"}}, "bar5"},  // larger than the RTL's BAR5
      {{{"colour", "blue"}}, "colour"},
  };
  for (const auto& [params, key] : cases) {
    auto m = make_epf_test_rtl(params, {});
    ASSERT_FALSE(m.is_ok()) << key;
    EXPECT_EQ(m.status().code(), ErrorCode::kConfig);
    EXPECT_NE(m.status().message().find(key), std::string::npos) << m.status().message();
  }
}

const fs::path& dir() {
  static const fs::path d = fs::temp_directory_path() / ("cosim_epf_waves_" + std::to_string(::getpid()));
  return d;
}

TEST(RtlEpfWaves, CommandWriteTriggersAWindow) {
  std::error_code ec;
  fs::remove_all(dir(), ec);
  ModelParams params = {{"waves", "fst"},      {"waves_dir", dir().string()}, {"waves_test", "epf"},
                        {"waves_trigger", "bar0:0x4"}, {"waves_pre", "200ns"}, {"waves_post", "20us"},
                        {"check_axi", "1"},    {"bar5", "64k"}};
  std::vector<std::string> log;
  auto made = make_epf_test_rtl(params, [&](LogLevel, const std::string& m) { log.push_back(m); });
  ASSERT_TRUE(made.is_ok()) << made.status().to_string();
  auto* dut = dynamic_cast<EpfTestRtl*>(made->get());
  ASSERT_NE(dut, nullptr);
  EXPECT_EQ(dut->description().bars[5].size, 64u * 1024);

  FakeHost host;
  host.add_region(kLowBase, kRegionSize);
  HostMemory mem("mem", host);
  IrqRecorder irq("irq");
  sc_core::sc_signal<bool> intx("intx_line");
  std::vector<std::unique_ptr<BusMaster>> bars;
  for (unsigned i = 0; i < kNumBars; ++i) {
    bars.push_back(std::make_unique<BusMaster>(("bar" + std::to_string(i)).c_str()));
    bars.back()->socket.bind(*dut->bar_socket(i));
  }
  dut->dma_socket()->bind(mem.socket);
  dut->intx(intx);
  dut->msi(irq);
  Runner runner("runner");

  fill_random(host.bytes(kLowBase, 4096), 21);
  const uint32_t crc = crc32_le(~0u, host.bytes(kLowBase, 4096).data(), 4096);
  ASSERT_TRUE(runner.run([&] {
    auto& b0 = *bars[0];
    b0.write(kSrcAddrLo, static_cast<uint32_t>(kLowBase), 4);
    b0.write(kSize, 4096, 4);
    b0.write(kChecksum, crc, 4);
    b0.write(kIrqType, kIrqMsi, 4);
    b0.write(kIrqNumber, 1, 4);
    b0.write(kCommand, kCmdRead, 4);  // the trigger
    if (dut->busy()) sc_core::wait(dut->idle_event());
    EXPECT_EQ(b0.read32(kStatus), kStReadSuccess | kStIrqRaised);
    // Idle: the clock stops and nothing is left pending for the kernel.
    sc_core::wait(sc_core::sc_time(5, sc_core::SC_US));
    EXPECT_FALSE(dut->clock().running());
    EXPECT_FALSE(sc_core::sc_pending_activity());
    // A BAR access wakes the clock up again.
    EXPECT_EQ(b0.read32(kStatus), kStReadSuccess | kStIrqRaised);
    dut->waves().finish();
  }));
  EXPECT_EQ(irq.events.size(), 1u);
  EXPECT_EQ(dut->axi_violations(), 0u) << dut->axi_violation_summary();

  const fs::path f = dir() / "epf.bar0-0x4-1.fst";
  ASSERT_TRUE(fs::exists(f)) << "log: " << (log.empty() ? "" : log.back());
  auto info = fst_info(f.string());
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  std::string state;
  for (const auto& n : info->var_names)
    if (n.size() > 12 && n.compare(n.size() - 12, 12, ".u_dma.state") == 0) state = n;
  ASSERT_FALSE(state.empty());
  auto trace = fst_trace_of(f.string(), state);
  ASSERT_TRUE(trace.is_ok());
  // Idle, then two chunks of (size, address, beats), done, idle again.
  EXPECT_GE(trace->size(), 9u) << "the whole READ inside the window";
  fs::remove_all(dir(), ec);
}

}  // namespace
}  // namespace cosim::rtl::test
