// Waveform capture: option parsing, then one run of a Verilated peripheral
// recorded by several recorders at once - the whole run, a time window, a
// window around the N-th transaction (with a stretch before it), BAR-write
// triggers written as VCD, and a whole run under a small size cap - with the
// files checked through fstapi: names, time ranges, values, segments gone.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "Vaxil_regfile.h"
#include "cosim/rtl/clock_reset.h"
#include "cosim/rtl/fst_tools.h"
#include "cosim/rtl/tlm_axi_lite.h"
#include "cosim/rtl/waves.h"
#include "sc_harness.h"

namespace cosim::rtl::test {
namespace {

namespace fs = std::filesystem;
using sc_core::SC_NS;
using sc_core::SC_US;
using sc_core::sc_time;

TEST(RtlWaveOptions, ParsesEveryKey) {
  std::map<std::string, std::string> p = {
      {"waves", "vcd"},          {"waves_dir", "/tmp/w"},      {"waves_test", "pcitest"},
      {"waves_window", "10us-20us,1ms-2ms"},                   {"waves_txn", "42,7"},
      {"waves_trigger", "bar0:0x4,bar3:16"},                   {"waves_pre", "2us"},
      {"waves_post", "500ns"},   {"waves_segment", "250ns"},   {"waves_cap", "64M"},
      {"waves_depth", "3"},      {"waves_triggers", "0"},      {"other", "kept"}};
  auto o = take_wave_options(p);
  ASSERT_TRUE(o.is_ok()) << o.status().to_string();
  EXPECT_TRUE(o->enabled);
  EXPECT_EQ(o->format, WaveFormat::kVcd);
  EXPECT_EQ(o->dir, "/tmp/w");
  EXPECT_EQ(o->test, "pcitest");
  ASSERT_EQ(o->time_windows.size(), 2u);
  EXPECT_EQ(o->time_windows[0].from_ps, 10'000'000u);
  EXPECT_EQ(o->time_windows[1].to_ps, 2'000'000'000u);
  EXPECT_EQ(o->transactions, (std::vector<uint64_t>{42, 7}));
  ASSERT_EQ(o->bar_triggers.size(), 2u);
  EXPECT_EQ(o->bar_triggers[1].bar, 3u);
  EXPECT_EQ(o->bar_triggers[1].offset, 16u);
  EXPECT_EQ(o->pre_ps, 2'000'000u);
  EXPECT_EQ(o->post_ps, 500'000u);
  EXPECT_EQ(o->segment_ps, 250'000u);
  EXPECT_EQ(o->cap_bytes, 64ull << 20);
  EXPECT_EQ(o->depth, 3);
  EXPECT_EQ(o->max_triggers, 0u);
  EXPECT_FALSE(o->whole_run());
  EXPECT_EQ(p.size(), 1u) << "only unknown keys stay";

  std::map<std::string, std::string> off = {{"waves", "off"}};
  EXPECT_FALSE(take_wave_options(off)->enabled);
  std::map<std::string, std::string> fst = {{"waves", "fst"}};
  EXPECT_TRUE(take_wave_options(fst)->whole_run());
}

TEST(RtlWaveOptions, RejectsBadValuesNamingTheKey) {
  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"waves", "gif"}, {"waves_window", "20us-10us"}, {"waves_window", "10us"}, {"waves_txn", "x"},
           {"waves_trigger", "bar6:0"}, {"waves_trigger", "0x4"}, {"waves_pre", "5"}, {"waves_segment", "0ns"},
           {"waves_cap", "lots"}, {"waves_depth", "0"}}) {
    std::map<std::string, std::string> p = {{k, v}};
    auto o = take_wave_options(p);
    ASSERT_FALSE(o.is_ok()) << k << "=" << v;
    EXPECT_EQ(o.status().code(), ErrorCode::kConfig);
    EXPECT_NE(o.status().message().find(k), std::string::npos) << o.status().message();
  }
}

const fs::path& out_dir() {
  static const fs::path dir = fs::temp_directory_path() / ("cosim_waves_test_" + std::to_string(::getpid()));
  return dir;
}

// The files stay when a test fails (to look at them), else they are removed.
class CleanUp : public ::testing::Environment {
 public:
  void TearDown() override {
    if (!::testing::UnitTest::GetInstance()->Passed()) {
      std::fprintf(stderr, "waveform files kept in %s\n", out_dir().c_str());
      return;
    }
    std::error_code ec;
    fs::remove_all(out_dir(), ec);
  }
};
[[maybe_unused]] ::testing::Environment* const kCleanUp = ::testing::AddGlobalTestEnvironment(new CleanUp);

WaveOptions opts(const std::string& sub) {
  WaveOptions o;
  o.enabled = true;
  o.dir = (out_dir() / sub).string();
  o.test = "t";
  o.segment_ps = 2'000'000;  // 2 us
  o.cap_bytes = 0;
  return o;
}

// One recorder per model instance: Verilator tracks value changes per model
// and clears them after each dump, so two trace files on one model would
// share (and lose) the changes. Each lane is a peripheral with its adapter,
// its recorder and the same traffic.
struct Lane {
  AxiLiteSignals<32, 32> sig;
  TlmToAxiLite<32, 32> adapter;
  WaveRecorder rec;  // before the model: it turns tracing on
  Vaxil_regfile dut;
  BusMaster master;
  sc_time txn_at, trig1_at, trig2_at;
  std::vector<std::pair<uint64_t, uint32_t>> writes;  // (start time in ps, offset)
  Lane(const std::string& n, ClockReset& cr, WaveOptions o, const LogSink& log, const sc_core::sc_event* activity)
      : sig(n), adapter((n + "_adapter").c_str()), rec((n + "_rec").c_str(), std::move(o), log, activity),
        dut((n + "_dut").c_str()), master((n + "_master").c_str()) {
    adapter.clk(cr.clk);
    adapter.resetn(cr.resetn);
    adapter.bind(sig);
    dut.clk(cr.clk);
    dut.aresetn(cr.resetn);
    COSIM_RTL_BIND_AXIL_SLAVE(dut, s, sig);
    master.socket.bind(adapter.socket);
    rec.add_model([this](VerilatedFstC* t, int levels) { dut.trace(t, levels); });
  }
};

class WavesBench : public sc_core::sc_module {
 public:
  ClockReset cr;
  ClockReset gated_cr;  // stops between accesses, like the epf-test RTL's clock
  std::vector<std::string> log;
  Lane whole, window, txn, trig, capped, gated;
  Runner runner;

  static WaveOptions window_opts() {
    auto o = opts("window");
    o.time_windows = {{3'000'000, 5'000'000}};
    return o;
  }
  static WaveOptions txn_opts() {
    auto o = opts("txn");
    o.transactions = {3};
    o.pre_ps = 1'000'000;
    o.post_ps = 1'000'000;
    o.segment_ps = 500'000;
    return o;
  }
  static WaveOptions trig_opts() {
    auto o = opts("trig");
    o.format = WaveFormat::kVcd;
    o.bar_triggers = {{0, 0x8}};
    o.pre_ps = 2'000'000;
    o.post_ps = 1'000'000;
    o.max_triggers = 2;
    o.segment_ps = 1'000'000;
    return o;
  }
  // Whole run, segments of 500 ns: the clock runs about 40 ns per access and
  // stands still in between.
  static WaveOptions gated_opts() {
    auto o = opts("gated");
    o.segment_ps = 500'000;
    return o;
  }
  static WaveOptions capped_opts() {
    auto o = opts("capped");
    o.segment_ps = 500'000;
    o.cap_bytes = 6000;
    return o;
  }

  explicit WavesBench(const sc_core::sc_module_name& n)
      : sc_core::sc_module(n), cr("cr", sc_time(10, SC_NS)), gated_cr("gated_cr", sc_time(10, SC_NS)), whole("whole", cr, opts("whole"), logger(), nullptr),
        window("window", cr, window_opts(), logger(), nullptr),
        txn("txn", cr, txn_opts(), logger(), &cr.clk.posedge_event()),
        trig("trig", cr, trig_opts(), logger(), nullptr), capped("capped", cr, capped_opts(), logger(), nullptr),
        gated("gated", gated_cr, gated_opts(), logger(), &gated_cr.clk.posedge_event()), runner("runner") {
    gated_cr.set_busy_source([] { return false; });
  }
  LogSink logger() {
    return [this](LogLevel, const std::string& m) { log.push_back(m); };
  }
  std::vector<Lane*> lanes() { return {&whole, &window, &txn, &trig, &capped, &gated}; }
  static WavesBench& get() {
    static WavesBench* b = new WavesBench("tb");
    return *b;
  }
};

// One run, recorded by every lane; the tests below read the files.
struct Recorded {
  sc_time end_at;
  bool ok = false;
};

const Recorded& recorded() {
  static Recorded rec = [] {
    Recorded r;
    auto& tb = WavesBench::get();
    std::error_code ec;
    fs::remove_all(out_dir(), ec);
    r.ok = tb.runner.run(
        [&] {
          uint32_t n = 0;
          // A register write every 200 ns for 10 us; awaddr counts up.
          while (sc_core::sc_time_stamp() < sc_time(10, SC_US)) {
            const uint32_t off = 4 * (n % 16);
            ++n;
            for (Lane* l : tb.lanes()) {
              l->writes.emplace_back(sc_core::sc_time_stamp().value(), off);
              {
                // The gated lane's clock runs for its access only (as the
                // host's BAR accesses hold the RTL's clock).
                std::optional<ClockReset::Hold> hold;
                if (l == &tb.gated) hold.emplace(tb.gated_cr);
                l->master.write(off, n, 4);
              }
              l->rec.on_transaction(n);
              l->rec.on_bar_write(0, off);
              if (n == 3) l->txn_at = sc_core::sc_time_stamp();
              if (off == 0x8 && l->trig1_at == sc_core::SC_ZERO_TIME) l->trig1_at = sc_core::sc_time_stamp();
              else if (off == 0x8 && l->trig2_at == sc_core::SC_ZERO_TIME) l->trig2_at = sc_core::sc_time_stamp();
            }
            sc_core::wait(sc_time(200, SC_NS) - sc_time::from_value(sc_core::sc_time_stamp().value() % 200'000));
          }
          r.end_at = sc_core::sc_time_stamp();
          for (Lane* l : tb.lanes()) l->rec.finish();
        },
        sc_time(1, sc_core::SC_MS));
    return r;
  }();
  return rec;
}

uint64_t ps(const sc_time& t) { return t.value(); }  // resolution is 1 ps

std::string awaddr_name(const FstInfo& info) {
  for (const auto& n : info.var_names)
    if (n.size() >= 9 && n.compare(n.size() - 9, 9, ".s_awaddr") == 0) return n;
  return "";
}

TEST(RtlWaves, WholeRun) {
  const Recorded& r = recorded();
  ASSERT_TRUE(r.ok);
  auto& tb = WavesBench::get();
  const std::string f = (out_dir() / "whole" / "t.run.fst").string();
  EXPECT_EQ(tb.whole.rec.files(), std::vector<std::string>{f});
  auto info = fst_info(f);
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  EXPECT_EQ(info->start_time, 0u);
  EXPECT_GE(info->end_time, ps(r.end_at) - 20'000);
  EXPECT_EQ(info->timescale, -12);
  EXPECT_GT(info->vars, 10u);
  const std::string aw = awaddr_name(*info);
  ASSERT_FALSE(aw.empty());
  auto trace = fst_trace_of(f, aw);
  ASSERT_TRUE(trace.is_ok());
  // awaddr took every register offset in turn.
  std::set<std::string> values;
  for (const auto& [t, v] : *trace) values.insert(v);
  EXPECT_GE(values.size(), 16u);
  EXPECT_FALSE(fs::exists(out_dir() / "whole" / "t.segments")) << "segments are removed at finish";
}

// A clock that stops between accesses: a segment counts the time the clock
// ran, so idle stretches do not open a segment (and dump the hierarchy) at
// every access. 50 accesses of a few cycles each in 10 us: the clock runs
// about 1.5 us, 3 segments of 500 ns (measured), where counting simulated
// time opened 14.
TEST(RtlWaves, AGatedClockFillsSegmentsOnlyWhileItRuns) {
  const Recorded& r = recorded();
  ASSERT_TRUE(r.ok);
  auto& tb = WavesBench::get();
  EXPECT_FALSE(tb.gated_cr.running()) << "the gated clock should stand still after the run";
  EXPECT_GE(tb.gated.rec.segments_opened(), 2u) << "the clock ran for more than one segment";
  EXPECT_LE(tb.gated.rec.segments_opened(), 6u) << "idle time filled segments: " << tb.gated.rec.segments_opened();
  // Still the whole run, every access in it.
  const std::string f = (out_dir() / "gated" / "t.run.fst").string();
  auto info = fst_info(f);
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  auto trace = fst_trace_of(f, awaddr_name(*info));
  ASSERT_TRUE(trace.is_ok());
  std::set<std::string> values;
  for (const auto& [t, v] : *trace) values.insert(v);
  EXPECT_GE(values.size(), 16u);
}

TEST(RtlWaves, TimeWindowIsTrimmedAndStartsWithTheState) {
  const Recorded& r = recorded();
  ASSERT_TRUE(r.ok);
  const std::string f = (out_dir() / "window" / "t.t3us-5us.fst").string();
  auto info = fst_info(f);
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  EXPECT_EQ(info->start_time, 3'000'000u);
  EXPECT_LE(info->end_time, 5'000'000u);
  // The value at 3 us is the address of the last write started by then.
  const std::string aw = awaddr_name(*info);
  ASSERT_FALSE(aw.empty());
  auto win = fst_trace_of(f, aw);
  ASSERT_TRUE(win.is_ok()) << win.status().to_string();
  ASSERT_FALSE(win->empty());
  EXPECT_EQ(win->front().first, 3'000'000u);
  uint32_t at3 = 0;
  for (const auto& [t, off] : WavesBench::get().window.writes)
    if (t <= 3'000'000) at3 = off;
  std::string bits(32, '0');
  for (int i = 0; i < 32; ++i) bits[31 - i] = (at3 >> i) & 1 ? '1' : '0';
  EXPECT_EQ(win->front().second, bits);
  EXPECT_GT(win->size(), 5u) << "the writes between 3 and 5 us";
  for (const auto& [t, v] : *win) EXPECT_TRUE(t >= 3'000'000 && t <= 5'000'000) << t;
}

TEST(RtlWaves, AroundTheNthTransactionWithAStretchBefore) {
  const Recorded& r = recorded();
  ASSERT_TRUE(r.ok);
  const std::string f = (out_dir() / "txn" / "t.txn3.fst").string();
  auto info = fst_info(f);
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  // Transaction 3 came at ~400 ns, so the stretch before is cut at time 0.
  const Lane& l = WavesBench::get().txn;
  EXPECT_EQ(info->start_time, ps(l.txn_at) > 1'000'000 ? ps(l.txn_at) - 1'000'000 : 0u);
  EXPECT_LE(info->end_time, ps(l.txn_at) + 1'000'000);
  EXPECT_GE(info->end_time, ps(l.txn_at) + 1'000'000 - 20'000);
  EXPECT_EQ(l.rec.files().size(), 1u);
}

TEST(RtlWaves, BarWriteTriggersAsVcdWithPreTrigger) {
  const Recorded& r = recorded();
  ASSERT_TRUE(r.ok);
  auto& tb = WavesBench::get();
  ASSERT_EQ(tb.trig.rec.files().size(), 2u) << "at most waves_triggers=2 windows";
  for (int k : {1, 2}) {
    const fs::path f = out_dir() / "trig" / ("t.bar0-0x8-" + std::to_string(k) + ".vcd");
    ASSERT_TRUE(fs::exists(f)) << f;
    std::ifstream in(f);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string vcd = ss.str();
    EXPECT_NE(vcd.find("$timescale"), std::string::npos);
    EXPECT_NE(vcd.find("$enddefinitions"), std::string::npos);
    EXPECT_NE(vcd.find("s_awaddr"), std::string::npos);
    // The first time stamp is the stretch before the trigger.
    const uint64_t at = ps(k == 1 ? tb.trig.trig1_at : tb.trig.trig2_at);
    const size_t hash = vcd.find("\n#");
    ASSERT_NE(hash, std::string::npos);
    EXPECT_EQ(std::stoull(vcd.substr(hash + 2)), at > 2'000'000 ? at - 2'000'000 : 0);
  }
  EXPECT_FALSE(fs::exists(out_dir() / "trig" / "t.bar0-0x8-1.fst")) << "the FST is converted, not kept";
}

TEST(RtlWaves, SizeCapDropsTheOldestSegments) {
  const Recorded& r = recorded();
  ASSERT_TRUE(r.ok);
  auto& tb = WavesBench::get();
  EXPECT_GT(tb.capped.rec.dropped_files(), 0u);
  ASSERT_EQ(tb.capped.rec.files().size(), 1u);
  auto info = fst_info(tb.capped.rec.files()[0]);
  ASSERT_TRUE(info.is_ok());
  EXPECT_GT(info->start_time, 0u) << "the oldest part was dropped";
  uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(out_dir() / "capped"))
    if (e.is_regular_file()) total += e.file_size();
  // Segments are bounded by the cap; the merged window is at most their size plus its header.
  EXPECT_LE(total, 6000u + 3000u);
  bool warned = false;
  for (const auto& l : tb.log) warned |= l.find("size cap") != std::string::npos;
  EXPECT_TRUE(warned);
}

// GTKWave's own reader opens every file (when GTKWave's tools are installed;
// they are not a build dependency).
TEST(RtlWaves, GtkwaveToolsReadTheFiles) {
  const Recorded& r = recorded();
  ASSERT_TRUE(r.ok);
  if (std::system("command -v fst2vcd >/dev/null 2>&1 && command -v vcd2fst >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "fst2vcd/vcd2fst (package gtkwave) not installed";
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(out_dir())) {
    if (!e.is_regular_file()) continue;
    const std::string p = e.path().string();
    const std::string tmp = (fs::temp_directory_path() / ("cosim_waves_check_" + std::to_string(::getpid()))).string();
    std::string cmd;
    if (e.path().extension() == ".fst") cmd = "fst2vcd '" + p + "' > '" + tmp + "' 2>/dev/null";
    else if (e.path().extension() == ".vcd") cmd = "vcd2fst '" + p + "' '" + tmp + "' >/dev/null 2>&1";
    else continue;
    ++files;
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    EXPECT_GT(fs::file_size(tmp), 100u) << cmd;
    fs::remove(tmp);
  }
  EXPECT_EQ(files, 7);  // whole, window, txn, 2 trig, capped, gated
}

}  // namespace
}  // namespace cosim::rtl::test
