// Gateable clock and synchronous reset generation.
#include "cosim/rtl/clock_reset.h"

#include <algorithm>

namespace cosim::rtl {

ClockReset::ClockReset(const sc_core::sc_module_name& name, const sc_core::sc_time& period, unsigned reset_cycles)
    : sc_core::sc_module(name), clk("clk", false), resetn("resetn", false), period_(period), half_(period / 2),
      initial_cycles_(std::max(1u, reset_cycles)) {
  SC_METHOD(toggle);  // runs at time 0: the first rising edge
  sensitive << run_;
  SC_THREAD(sequencer);
}

void ClockReset::toggle() {
  if (!running_) return;
  const bool rising = !clk.read();
  if (!rising && busy_ && holds_ == 0 && requested_ == completed_ && resetn.read() && !busy_()) {
    // Stop low after this falling edge; start() resumes on the period grid.
    clk.write(false);
    running_ = false;
    return;
  }
  clk.write(rising);
  if (rising) ++cycles_;
  next_trigger(half_);
}

void ClockReset::start() {
  if (running_) return;
  running_ = true;
  // Next rising edge on the grid k * period, strictly after now: whoever
  // restarts the clock drives its inputs now (a BAR access's VALID), and an
  // edge at this same instant would sample them with no time between - legal
  // in zero-delay simulation, but a waveform (one value per time step) would
  // show a handshake whose VALID never rose.
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const uint64_t p = period_.value();
  const uint64_t t = now.value();
  const uint64_t next = (t / p + 1) * p;
  run_.notify(sc_core::sc_time::from_value(next - t));
}

void ClockReset::hold() {
  ++holds_;
  start();
}

void ClockReset::release() {
  if (holds_ > 0) --holds_;
}

void ClockReset::reset(unsigned cycles) {
  request_reset(cycles);
  const uint64_t mine = requested_;
  while (completed_ < mine) sc_core::wait(done_);
}

void ClockReset::request_reset(unsigned cycles) {
  // Requests not yet started are served by one reset, the longest asked for.
  pending_cycles_ = requested_ == started_ ? std::max(1u, cycles) : std::max(pending_cycles_, cycles);
  ++requested_;
  start();
  request_.notify(sc_core::SC_ZERO_TIME);
}

// The only writer of resetn (a signal has one driver process). Requests that
// arrive during a reset are served by another full reset after it.
void ClockReset::sequencer() {
  // Power-on reset: low from time 0 (the signal's initial value).
  unsigned n = initial_cycles_;
  for (;;) {
    {
      Hold h(*this);
      for (unsigned i = 0; i < n; ++i) sc_core::wait(clk.posedge_event());
      resetn.write(true);
    }
    completed_ = started_;
    done_.notify(sc_core::SC_ZERO_TIME);
    while (requested_ == started_) sc_core::wait(request_);
    started_ = requested_;
    n = pending_cycles_;
    // Asserted just after a rising edge, held for n rising edges.
    Hold h(*this);
    sc_core::wait(clk.posedge_event());
    resetn.write(false);
  }
}

}  // namespace cosim::rtl
