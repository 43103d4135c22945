// Clock and synchronous reset for an RTL testbench or wrapper.
//
// clk is a signal toggled by a method every half period (first rising edge at
// time 0), rather than an sc_clock, so that it can stop: with a busy source
// set (set_busy_source), the clock stops at a falling edge when the design
// says it is idle and nobody holds it (hold/release), and restarts on the
// next hold, on the period grid. A stopped clock leaves the kernel with no
// pending event, so a host that runs the device "while it has work" waits for
// the next message instead of clocking an idle design. Anything that waits for
// clock edges from outside the design (a bus transaction, a reset) must hold
// the clock meanwhile; without a busy source the clock never stops.
//
// resetn is active low and changes only just after a rising edge, so a design
// with synchronous reset sees it for whole cycles. It is asserted from time 0
// for `reset_cycles` rising edges.
#pragma once

#include <cstdint>
#include <functional>

#include <systemc>

namespace cosim::rtl {

class ClockReset : public sc_core::sc_module {
 public:
  sc_core::sc_signal<bool> clk;
  sc_core::sc_signal<bool> resetn;  // active low

  SC_HAS_PROCESS(ClockReset);
  ClockReset(const sc_core::sc_module_name& name, const sc_core::sc_time& period, unsigned reset_cycles = 4);

  const sc_core::sc_time& period() const { return period_; }
  // Rising edges since time 0.
  uint64_t cycles() const { return cycles_; }
  bool running() const { return running_; }

  // Gating: the clock may stop while busy() is false and no hold is taken.
  void set_busy_source(std::function<bool()> busy) { busy_ = std::move(busy); }
  // Keeps the clock running (nested); starts it if it had stopped.
  void hold();
  void release();
  // RAII hold.
  class Hold {
   public:
    explicit Hold(ClockReset& c) : c_(c) { c_.hold(); }
    ~Hold() { c_.release(); }
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

   private:
    ClockReset& c_;
  };

  // Asserts reset for `cycles` rising edges (at least 1) and returns just after
  // the edge where it is released. Call from an SC_THREAD.
  void reset(unsigned cycles);
  // Same, from outside a thread: the reset starts at the next rising edge.
  // done_event() fires when it is released. A request made during a reset
  // gets a full reset after it; requests waiting together share one reset of
  // the longest length asked for.
  void request_reset(unsigned cycles);
  const sc_core::sc_event& done_event() const { return done_; }
  bool in_reset() const { return !resetn.read() || requested_ != completed_; }

 private:
  void toggle();
  void sequencer();
  void start();

  sc_core::sc_time period_;
  sc_core::sc_time half_;
  unsigned initial_cycles_;
  uint64_t cycles_ = 0;
  bool running_ = true;
  unsigned holds_ = 0;
  std::function<bool()> busy_;
  unsigned pending_cycles_ = 1;  // length of the next reset
  uint64_t requested_ = 0;       // resets asked for
  uint64_t started_ = 0;         // resets begun (the sequencer caught up to requested_)
  uint64_t completed_ = 0;       // resets released
  sc_core::sc_event run_;
  sc_core::sc_event request_;
  sc_core::sc_event done_;
};

}  // namespace cosim::rtl
