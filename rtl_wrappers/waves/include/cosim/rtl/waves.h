// Waveform capture for Verilated models in SystemC (Verilator's VerilatedFstSc
// underneath): off unless asked, chosen at run time, never by rebuilding.
//
// What is recorded: the whole run, or windows of it -
//  - a simulated-time window [from, to);
//  - around the N-th bridge transaction: the host calls on_transaction(n) for
//    each transaction it forwards, the window is [t - pre, t + post];
//  - triggered by a BAR write to a given offset (on_bar_write(bar, offset)),
//    the same [t - pre, t + post].
// Windows that overlap merge into one. Output files are
// <dir>/<test>.<window>.fst (or .vcd), e.g. "pcitest.txn42.fst",
// "pcitest.bar0-0x4-1.fst", "pcitest.t10us-20us.fst", "pcitest.run.fst".
//
// How (the "stretch before the trigger"): the trace is written in segments,
// one FST file per `segment` of simulated time, in <dir>/<test>.segments/.
// While a pre-stretch is needed and no window is open, only the segments
// covering the last `pre` are kept (a ring of files on disk); when a window
// closes, the segments it spans are merged into one file trimmed to the
// window (fst_merge) and converted to VCD if asked. Recording is on only while
// something needs it: always with a pre-stretch, else inside windows.
//
// One recorder per model instance: Verilator tracks a model's value changes
// once and clears them after each dump, so a second trace file on the same
// model would miss changes. A recorder may trace several models (add_model).
//
// Bounded on disk: when the output files plus the segments exceed `cap`
// bytes, the oldest files are deleted - finished windows first, then the
// oldest segments of the window in progress (which then starts later; a
// warning says so). The cap is checked at each segment boundary, so it can be
// exceeded by one segment and, while merging, by the window being written.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "cosim/bridge/log.h"
#include "cosim/bridge/status.h"

class VerilatedFstC;
class VerilatedFstSc;

namespace cosim::rtl {

enum class WaveFormat { kFst, kVcd };

struct WaveOptions {
  bool enabled = false;
  WaveFormat format = WaveFormat::kFst;
  std::string dir = "waves";
  std::string test = "run";  // first part of every file name
  // Windows; none of the three means the whole run.
  struct TimeWindow {
    uint64_t from_ps = 0;
    uint64_t to_ps = 0;
  };
  std::vector<TimeWindow> time_windows;
  std::vector<uint64_t> transactions;  // transaction numbers as on_transaction() receives them
  struct BarTrigger {
    unsigned bar = 0;
    uint64_t offset = 0;
  };
  std::vector<BarTrigger> bar_triggers;
  uint64_t pre_ps = 1'000'000;    // stretch before a transaction or trigger (1 us)
  uint64_t post_ps = 10'000'000;  // stretch after it (10 us)
  unsigned max_triggers = 16;     // BAR-write windows at most (0 = no limit)
  uint64_t segment_ps = 100'000'000;   // segment length (100 us: opening a segment costs a hierarchy dump)
  uint64_t cap_bytes = 256ull << 20;   // 0 = no limit
  int depth = 99;                      // hierarchy levels traced

  bool whole_run() const { return time_windows.empty() && transactions.empty() && bar_triggers.empty(); }
};

// Keys (all optional; `waves` alone turns capture on for the whole run):
//   waves=fst|vcd|off, waves_dir=<path>, waves_test=<name>,
//   waves_window=<from>-<to>[+...] (durations: 10us-20us),
//   waves_txn=<n>[+...], waves_trigger=bar<b>:<offset>[+...] (bar0:0x4);
//   list items are separated by '+' (or ',' where no parameter string splits on it),
//   waves_pre=<duration>, waves_post=<duration>, waves_triggers=<max>,
//   waves_segment=<duration>, waves_cap=<bytes, k/M/G suffix>, waves_depth=<n>.
// Removes the keys it knows from `params`; a bad value is a kConfig error
// naming the key.
Result<WaveOptions> take_wave_options(std::map<std::string, std::string>& params, WaveOptions defaults = {});
inline constexpr const char* kWaveOptionKeys =
    "waves, waves_dir, waves_test, waves_window, waves_txn, waves_trigger, waves_pre, waves_post, "
    "waves_triggers, waves_segment, waves_cap, waves_depth";

class WaveRecorder : public sc_core::sc_module {
 public:
  // How a model adds itself to the trace: e.g.
  //   [top](VerilatedFstC* t, int levels) { top->trace(t, levels); }
  using TraceFn = std::function<void(VerilatedFstC*, int levels)>;

  SC_HAS_PROCESS(WaveRecorder);
  // Construct during elaboration, before the models are constructed when
  // options.enabled (it calls Verilated::traceEverOn). Disabled: does nothing.
  // Segment and window boundaries are checked at timed wake-ups, or, with
  // `activity` (e.g. the clock's rising edge), only when it fires: then an
  // idle design with a stopped clock leaves no pending event behind, and a
  // boundary that passes while idle is handled at the next activity.
  WaveRecorder(const sc_core::sc_module_name& name, WaveOptions options, LogSink log = {},
               const sc_core::sc_event* activity = nullptr);
  ~WaveRecorder() override;

  // Before sc_start. The models are added to the trace at start of simulation.
  void add_model(TraceFn fn);

  // Calls from the host while the simulation runs (simulation context).
  void on_transaction(uint64_t n);
  void on_bar_write(unsigned bar, uint64_t offset);

  // Closes the recording and writes the window in progress (the whole run:
  // up to now). Idempotent; the destructor calls it.
  void finish();

  const WaveOptions& options() const { return opt_; }
  // Output files on disk now, oldest first.
  std::vector<std::string> files() const;
  // Output files plus live segments, in bytes.
  uint64_t bytes_on_disk() const;
  bool recording() const { return open_; }
  // Files dropped to honour the cap so far.
  uint64_t dropped_files() const { return dropped_; }
  // Segments opened so far (each costs a file and a hierarchy dump).
  uint64_t segments_opened() const { return seg_counter_; }

 private:
  struct Segment {
    std::string path;
    uint64_t start_ps = 0;
    uint64_t end_ps = 0;
    uint64_t bytes = 0;
  };
  struct Window {
    std::string label;
    uint64_t start_ps = 0;
    uint64_t end_ps = 0;
  };
  struct Output {
    std::string path;
    uint64_t bytes = 0;
  };

  void start_of_simulation() override;
  void end_of_simulation() override;
  void tick();
  void open_segment(uint64_t now);
  void close_segment(uint64_t now);
  void open_window(const std::string& label, uint64_t start, uint64_t end);
  void emit_window(uint64_t now);
  void trim_ring(uint64_t now);
  void enforce_cap();
  void schedule(uint64_t now);
  bool need_ring() const;
  uint64_t now_ps() const;
  void log(LogLevel level, const std::string& msg) const;

  WaveOptions opt_;
  LogSink log_;
  std::vector<TraceFn> models_;
  struct FstDeleter {
    void operator()(VerilatedFstSc* t) const;
  };
  std::unique_ptr<VerilatedFstSc, FstDeleter> tfp_;
  std::string seg_dir_;
  std::string base_;  // <dir>/<test>

  bool open_ = false;
  bool finished_ = false;
  Segment current_;
  uint64_t seg_counter_ = 0;
  std::deque<Segment> ring_;  // closed segments, oldest first
  bool window_active_ = false;
  Window window_;
  std::vector<Output> outputs_;
  size_t next_time_window_ = 0;  // into opt_.time_windows (sorted by start)
  unsigned triggers_ = 0;
  std::map<std::pair<unsigned, uint64_t>, unsigned> trigger_counts_;
  uint64_t dropped_ = 0;
  bool cap_warned_ = false;
  const sc_core::sc_event* activity_;
  sc_core::sc_event wake_;
  // With `activity`, a segment ends after segment_ps of time during which the
  // activity ran (the clock), not of simulated time: an idle stretch between
  // two BAR accesses (under freeze it can last the wall time of the guest's
  // own work) would otherwise close a segment, and open another with a
  // hierarchy dump, at almost every access.
  uint64_t seg_active_ps_ = 0;
  uint64_t last_tick_ps_ = 0;
  uint64_t min_gap_ps_ = UINT64_MAX;  // the activity's period, as seen
  bool ticked_ = false;
};

}  // namespace cosim::rtl
