// Waveform capture: segments on disk, windows merged from them, a size cap.
// See waves.h for the scheme.
#include "cosim/rtl/waves.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "cosim/model_params.h"
#include "cosim/rtl/fst_tools.h"
#include "verilated.h"
#include "verilated_fst_sc.h"

namespace cosim::rtl {
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kForever = std::numeric_limits<uint64_t>::max();

// "10us", "250ns", "1500ps": exact, compact, for file names.
std::string compact_duration(uint64_t ps) {
  static constexpr struct {
    const char* name;
    uint64_t ps;
  } kUnits[] = {{"s", 1'000'000'000'000}, {"ms", 1'000'000'000}, {"us", 1'000'000}, {"ns", 1'000}};
  for (const auto& u : kUnits)
    if (ps >= u.ps && ps % u.ps == 0) return std::to_string(ps / u.ps) + u.name;
  return std::to_string(ps) + "ps";
}

// Letters, digits, '-', '_', '+' and '.'; anything else becomes '_'.
std::string file_safe(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '+' || c == '.')) c = '_';
  return out.empty() ? "run" : out;
}

// Lists take ',' or '+' between items: model parameter strings use ',' as a
// separator of their own ("k=v,k=v"), so "waves_txn=10+20" survives them.
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep || c == '+') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::optional<uint64_t> parse_bytes(std::string s) {
  uint64_t mult = 1;
  if (!s.empty()) {
    switch (s.back()) {
      case 'k': case 'K': mult = 1ull << 10; break;
      case 'm': case 'M': mult = 1ull << 20; break;
      case 'g': case 'G': mult = 1ull << 30; break;
      default: break;
    }
    if (mult != 1) s.pop_back();
  }
  auto v = parse_uint(s);
  if (!v || *v > UINT64_MAX / mult) return std::nullopt;
  return *v * mult;
}

Status bad(const std::string& key, const std::string& value, const std::string& rule) {
  return {ErrorCode::kConfig, "waveform option " + key + "='" + value + "': " + rule};
}

uint64_t file_bytes(const std::string& path) {
  std::error_code ec;
  const auto n = fs::file_size(path, ec);
  return ec ? 0 : static_cast<uint64_t>(n);
}

void remove_file(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
}

// Picoseconds per kernel tick, and back (the FST files count kernel ticks).
double ps_per_tick() { return sc_core::sc_get_time_resolution().to_seconds() * 1e12; }
uint64_t ticks_of(uint64_t ps) {
  if (ps == kForever) return kForever;
  return static_cast<uint64_t>(std::llround(static_cast<double>(ps) / ps_per_tick()));
}

}  // namespace

Result<WaveOptions> take_wave_options(std::map<std::string, std::string>& params, WaveOptions o) {
  if (auto v = take_param(params, "waves")) {
    if (*v == "off" || *v == "0") {
      o.enabled = false;
    } else if (*v == "fst" || *v == "1" || *v == "on") {
      o.enabled = true;
      o.format = WaveFormat::kFst;
    } else if (*v == "vcd") {
      o.enabled = true;
      o.format = WaveFormat::kVcd;
    } else {
      return bad("waves", *v, "must be fst, vcd or off");
    }
  }
  if (auto v = take_param(params, "waves_dir")) {
    if (v->empty()) return bad("waves_dir", *v, "must name a folder");
    o.dir = *v;
  }
  if (auto v = take_param(params, "waves_test")) {
    if (v->empty()) return bad("waves_test", *v, "must not be empty");
    o.test = *v;
  }
  if (auto v = take_param(params, "waves_window")) {
    for (const std::string& w : split(*v, ',')) {
      const auto dash = w.find('-');
      auto from = dash == std::string::npos ? std::nullopt : parse_duration_ps(w.substr(0, dash));
      auto to = dash == std::string::npos ? std::nullopt : parse_duration_ps(w.substr(dash + 1));
      if (!from || !to || *to <= *from)
        return bad("waves_window", *v, "must be <from>-<to>[+...] with durations and from < to, e.g. 10us-20us");
      o.time_windows.push_back({*from, *to});
    }
  }
  if (auto v = take_param(params, "waves_txn")) {
    for (const std::string& t : split(*v, ',')) {
      auto n = parse_uint(t);
      if (!n) return bad("waves_txn", *v, "must be transaction numbers, e.g. 42 or 10+20");
      o.transactions.push_back(*n);
    }
  }
  if (auto v = take_param(params, "waves_trigger")) {
    for (const std::string& t : split(*v, ',')) {
      const auto colon = t.find(':');
      std::optional<uint64_t> bar, off;
      if (t.rfind("bar", 0) == 0 && colon != std::string::npos) {
        bar = parse_uint(t.substr(3, colon - 3));
        off = parse_uint(t.substr(colon + 1));
      }
      if (!bar || !off || *bar > 5) return bad("waves_trigger", *v, "must be bar<0..5>:<offset>[+...], e.g. bar0:0x4");
      o.bar_triggers.push_back({static_cast<unsigned>(*bar), *off});
    }
  }
  auto duration = [&](const char* key, uint64_t& field, bool allow_zero) -> Status {
    if (auto v = take_param(params, key)) {
      auto d = parse_duration_ps(*v);
      if (!d || (!allow_zero && *d == 0)) return bad(key, *v, "must be a duration such as 2us or 500ns");
      field = *d;
    }
    return {};
  };
  if (Status s = duration("waves_pre", o.pre_ps, true); !s) return s;
  if (Status s = duration("waves_post", o.post_ps, true); !s) return s;
  if (Status s = duration("waves_segment", o.segment_ps, false); !s) return s;
  if (auto v = take_param(params, "waves_triggers")) {
    auto n = parse_uint(*v);
    if (!n || *n > 1'000'000) return bad("waves_triggers", *v, "must be a count (0 = no limit)");
    o.max_triggers = static_cast<unsigned>(*n);
  }
  if (auto v = take_param(params, "waves_cap")) {
    auto n = parse_bytes(*v);
    if (!n) return bad("waves_cap", *v, "must be a size in bytes with optional k/M/G (0 = no limit)");
    o.cap_bytes = *n;
  }
  if (auto v = take_param(params, "waves_depth")) {
    auto n = parse_uint(*v);
    if (!n || *n == 0 || *n > 1000) return bad("waves_depth", *v, "must be 1..1000 hierarchy levels");
    o.depth = static_cast<int>(*n);
  }
  std::sort(o.time_windows.begin(), o.time_windows.end(),
            [](const auto& a, const auto& b) { return a.from_ps < b.from_ps; });
  return o;
}

void WaveRecorder::FstDeleter::operator()(VerilatedFstSc* t) const {
  if (!t) return;
  if (t->isOpen()) t->close();
  // Not deleted: the kernel keeps every trace file in its list and calls it at
  // each time step (a closed one does nothing), and VerilatedFstSc hides the
  // sc_trace_file base that would let us unregister it. It stays reachable
  // from the kernel, and the kernel outlives this recorder.
}

WaveRecorder::WaveRecorder(const sc_core::sc_module_name& name, WaveOptions options, LogSink log,
                           const sc_core::sc_event* activity)
    : sc_core::sc_module(name), opt_(std::move(options)), log_(std::move(log)), activity_(activity) {
  if (!opt_.enabled) return;
  Verilated::traceEverOn(true);
  tfp_.reset(new VerilatedFstSc);
  base_ = (fs::path(opt_.dir) / file_safe(opt_.test)).string();
  seg_dir_ = base_ + ".segments";
  SC_METHOD(tick);  // also at time 0
  if (activity_)
    sensitive << *activity_;
  else
    sensitive << wake_;
}

WaveRecorder::~WaveRecorder() { finish(); }

void WaveRecorder::add_model(TraceFn fn) { models_.push_back(std::move(fn)); }

void WaveRecorder::start_of_simulation() {
  if (!opt_.enabled) return;
  std::error_code ec;
  fs::create_directories(seg_dir_, ec);
  if (ec) {
    log(LogLevel::kError, "cannot create " + seg_dir_ + ": " + ec.message() + "; waveforms are off");
    opt_.enabled = false;
    return;
  }
  for (auto& fn : models_) fn(tfp_.get(), opt_.depth);
}

void WaveRecorder::end_of_simulation() { finish(); }

uint64_t WaveRecorder::now_ps() const {
  return static_cast<uint64_t>(std::llround(static_cast<double>(sc_core::sc_time_stamp().value()) * ps_per_tick()));
}

void WaveRecorder::log(LogLevel level, const std::string& msg) const {
  if (log_) log_(level, std::string("waves: ") + msg);
}

bool WaveRecorder::need_ring() const {
  return opt_.pre_ps > 0 && (!opt_.transactions.empty() || !opt_.bar_triggers.empty());
}

void WaveRecorder::tick() {
  if (!opt_.enabled || finished_) return;
  const uint64_t now = now_ps();
  if (activity_) {
    // Count one period at most for a gap: the rest was idle.
    if (ticked_ && now > last_tick_ps_) {
      const uint64_t gap = now - last_tick_ps_;
      min_gap_ps_ = std::min(min_gap_ps_, gap);
      seg_active_ps_ += std::min(gap, min_gap_ps_);
    }
    ticked_ = true;
    last_tick_ps_ = now;
  }
  const bool segment_full =
      activity_ ? seg_active_ps_ >= opt_.segment_ps : now >= current_.start_ps + opt_.segment_ps;
  if (open_ && segment_full) close_segment(now);
  if (window_active_ && now >= window_.end_ps) {
    if (open_) close_segment(now);
    emit_window(now);
  }
  const auto& tws = opt_.time_windows;
  while (next_time_window_ < tws.size() && tws[next_time_window_].from_ps <= now) {
    const auto& w = tws[next_time_window_++];
    if (w.to_ps > now) open_window("t" + compact_duration(w.from_ps) + "-" + compact_duration(w.to_ps), w.from_ps, w.to_ps);
  }
  if (opt_.whole_run() && !window_active_ && outputs_.empty() && now == 0) open_window("run", 0, kForever);
  const bool need = window_active_ || need_ring();
  if (!need && open_) close_segment(now);
  if (!window_active_) trim_ring(now);
  if (need && !open_) open_segment(now);
  enforce_cap();
  schedule(now);
}

void WaveRecorder::schedule(uint64_t now) {
  if (activity_) return;
  uint64_t next = kForever;
  if (open_) next = std::min(next, current_.start_ps + opt_.segment_ps);
  if (window_active_) next = std::min(next, window_.end_ps);
  if (next_time_window_ < opt_.time_windows.size())
    next = std::min(next, opt_.time_windows[next_time_window_].from_ps);
  if (next == kForever) return;
  wake_.notify(next > now ? sc_core::sc_time(static_cast<double>(next - now), sc_core::SC_PS) : sc_core::SC_ZERO_TIME);
}

void WaveRecorder::open_segment(uint64_t now) {
  current_ = Segment{seg_dir_ + "/seg" + std::to_string(seg_counter_++) + ".fst", now, now, 0};
  seg_active_ps_ = 0;
  tfp_->open(current_.path.c_str());
  open_ = tfp_->isOpen();
  if (!open_) log(LogLevel::kError, "cannot open " + current_.path);
}

void WaveRecorder::close_segment(uint64_t now) {
  tfp_->close();
  open_ = false;
  current_.end_ps = now;
  current_.bytes = file_bytes(current_.path);
  ring_.push_back(current_);
}

void WaveRecorder::open_window(const std::string& label, uint64_t start, uint64_t end) {
  if (window_active_) {
    // Overlapping windows become one file.
    window_.end_ps = std::max(window_.end_ps, end);
    window_.start_ps = std::min(window_.start_ps, start);
    if (window_.label.size() < 80) window_.label += "+" + label;
    return;
  }
  window_active_ = true;
  window_ = Window{label, start, end};
}

void WaveRecorder::emit_window(uint64_t now) {
  window_active_ = false;
  const uint64_t end = std::min(window_.end_ps, now);
  std::vector<std::string> inputs;
  uint64_t start = kForever;
  for (const Segment& s : ring_)
    if (s.end_ps > window_.start_ps && s.start_ps < end) {
      inputs.push_back(s.path);
      start = std::min(start, s.start_ps);
    }
  if (inputs.empty()) {
    log(LogLevel::kWarning, "window " + window_.label + " has no recorded segment left (size cap?)");
    return;
  }
  // Later than asked when the cap dropped the first segments.
  start = std::max(start, window_.start_ps);
  const std::string fst = base_ + "." + file_safe(window_.label) + ".fst";
  if (Status s = fst_merge(inputs, fst, ticks_of(start), ticks_of(end)); !s) {
    log(LogLevel::kError, "window " + window_.label + ": " + s.message());
    return;
  }
  std::string out = fst;
  if (opt_.format == WaveFormat::kVcd) {
    out = base_ + "." + file_safe(window_.label) + ".vcd";
    Status s = fst_to_vcd(fst, out);
    remove_file(fst);
    if (!s) {
      log(LogLevel::kError, "window " + window_.label + ": " + s.message());
      return;
    }
  }
  outputs_.push_back(Output{out, file_bytes(out)});
  log(LogLevel::kInfo, "wrote " + out);
}

void WaveRecorder::trim_ring(uint64_t now) {
  // Keep what the pre-stretch of a trigger at `now` would need.
  const uint64_t keep_from = (need_ring() && now > opt_.pre_ps) ? now - opt_.pre_ps : (need_ring() ? 0 : kForever);
  while (!ring_.empty() && (ring_.front().end_ps <= keep_from || keep_from == kForever)) {
    remove_file(ring_.front().path);
    ring_.pop_front();
  }
}

void WaveRecorder::enforce_cap() {
  if (opt_.cap_bytes == 0) return;
  auto total = [&] {
    uint64_t t = 0;
    for (const auto& o : outputs_) t += o.bytes;
    for (const auto& s : ring_) t += s.bytes;
    return t;
  };
  uint64_t bytes = total();
  // Oldest first: finished windows (all but the newest), then segments.
  while (bytes > opt_.cap_bytes && outputs_.size() > 1) {
    remove_file(outputs_.front().path);
    log(LogLevel::kWarning, "size cap " + std::to_string(opt_.cap_bytes) + " B: dropped " + outputs_.front().path);
    bytes -= outputs_.front().bytes;
    outputs_.erase(outputs_.begin());
    ++dropped_;
  }
  bool dropped_segment = false;
  while (bytes > opt_.cap_bytes && !ring_.empty()) {
    remove_file(ring_.front().path);
    bytes -= ring_.front().bytes;
    ring_.pop_front();
    ++dropped_;
    dropped_segment = true;
  }
  if (dropped_segment && window_active_ && !cap_warned_) {
    cap_warned_ = true;
    log(LogLevel::kWarning, "size cap " + std::to_string(opt_.cap_bytes) + " B: dropped the oldest segments of window " +
                                window_.label + ", which will start later than asked");
  }
}

void WaveRecorder::on_transaction(uint64_t n) {
  if (!opt_.enabled || finished_) return;
  if (std::find(opt_.transactions.begin(), opt_.transactions.end(), n) == opt_.transactions.end()) return;
  const uint64_t now = now_ps();
  open_window("txn" + std::to_string(n), now > opt_.pre_ps ? now - opt_.pre_ps : 0, now + opt_.post_ps);
  if (!open_) open_segment(now);
  schedule(now);
}

void WaveRecorder::on_bar_write(unsigned bar, uint64_t offset) {
  if (!opt_.enabled || finished_) return;
  const bool match = std::any_of(opt_.bar_triggers.begin(), opt_.bar_triggers.end(),
                                 [&](const auto& t) { return t.bar == bar && t.offset == offset; });
  if (!match || (opt_.max_triggers != 0 && triggers_ >= opt_.max_triggers)) return;
  ++triggers_;
  const unsigned k = ++trigger_counts_[{bar, offset}];
  std::ostringstream label;
  label << "bar" << bar << "-0x" << std::hex << offset << std::dec << "-" << k;
  const uint64_t now = now_ps();
  open_window(label.str(), now > opt_.pre_ps ? now - opt_.pre_ps : 0, now + opt_.post_ps);
  if (!open_) open_segment(now);
  schedule(now);
}

void WaveRecorder::finish() {
  if (!opt_.enabled || finished_) return;
  finished_ = true;
  const uint64_t now = now_ps();
  if (open_) close_segment(now);
  if (window_active_) emit_window(now);
  for (const Segment& s : ring_) remove_file(s.path);
  ring_.clear();
  std::error_code ec;
  fs::remove(seg_dir_, ec);  // only if empty
  enforce_cap();
}

std::vector<std::string> WaveRecorder::files() const {
  std::vector<std::string> out;
  for (const auto& o : outputs_) out.push_back(o.path);
  return out;
}

uint64_t WaveRecorder::bytes_on_disk() const {
  uint64_t t = 0;
  for (const auto& o : outputs_) t += o.bytes;
  for (const auto& s : ring_) t += s.bytes;
  if (open_) t += file_bytes(current_.path);
  return t;
}

}  // namespace cosim::rtl
