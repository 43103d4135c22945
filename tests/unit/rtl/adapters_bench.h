// Testbench of the bus adapters: each adapter in front of (or behind) a small
// Verilated peripheral (periph/), all on one clock, protocol checkers on the
// AXI interfaces. One instance per process (SystemC elaborates once).
#pragma once

#include <algorithm>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../epf_test/fake_host.h"
#include "Vapb_regfile.h"
#include "Vaxi_burst_master.h"
#include "Vaxil_regfile.h"
#include "Vwb_regfile16.h"
#include "Vwb_regfile32.h"
#include "Vwb_regfile8.h"
#include "cosim/rtl/axi_checker.h"
#include "cosim/rtl/axi_tlm.h"
#include "cosim/rtl/clock_reset.h"
#include "cosim/rtl/irq_monitor.h"
#include "cosim/rtl/tlm_apb.h"
#include "cosim/rtl/tlm_axi_lite.h"
#include "cosim/rtl/tlm_wishbone.h"
#include "sc_harness.h"

namespace cosim::rtl::test {

using epf_test::testing::FakeHost;

// Guest memory behind the AXI master adapter.
inline constexpr uint64_t kMemBase = 0x8000'0000;
inline constexpr uint64_t kMemSize = 0x10000;
inline constexpr uint64_t kRefused = kMemBase + 0x8040;  // 16 refused bytes

template <unsigned DW>
struct WbPort {
  WishboneSignals<32, DW> sig;
  TlmToWishbone<32, DW> adapter;
  BusMaster master;
  explicit WbPort(const std::string& n)
      : sig("wb" + n), adapter(("wb" + n + "_adapter").c_str()), master(("wb" + n + "_master").c_str()) {
    adapter.bind(sig);
    master.socket.bind(adapter.socket);
  }
};

// Records what the IRQ monitor reports.
struct IrqLog : IrqSink {
  std::vector<bool> intx;
  std::vector<std::pair<bool, uint32_t>> msgs;  // (msix, vector)
  void on_intx(bool level) override { intx.push_back(level); }
  void on_msi(uint32_t v) override { msgs.emplace_back(false, v); }
  void on_msix(uint32_t v) override { msgs.emplace_back(true, v); }
};

// APB rules the adapter must keep (AMBA APB spec, "Operating states"),
// sampled at rising edges: PENABLE only with PSEL; an access phase follows a
// setup phase; address, direction, data and strobes hold from setup to the
// end of the access; PSTRB is zero for reads.
struct ApbMonitor : sc_core::sc_module {
  sc_core::sc_in<bool> clk;
  ApbSignals<32, 32>* s = nullptr;
  std::vector<std::string> violations;
  uint64_t transfers = 0;
  SC_HAS_PROCESS(ApbMonitor);
  explicit ApbMonitor(const sc_core::sc_module_name& n) : sc_core::sc_module(n), clk("clk") {
    SC_METHOD(check);
    sensitive << clk.pos();
    dont_initialize();
  }
  void check() {
    const bool sel = s->psel.read(), en = s->penable.read();
    const uint64_t key[] = {s->paddr.read(), s->pwrite.read(), s->pwdata.read(), s->pstrb.read()};
    if (en && !sel) violations.push_back("PENABLE without PSEL");
    if (sel && !s->pwrite.read() && s->pstrb.read() != 0) violations.push_back("PSTRB not zero for a read");
    if (sel && en) {
      if (!in_transfer_) violations.push_back("access phase without a setup phase");
      else if (!std::equal(std::begin(key), std::end(key), std::begin(held_))) violations.push_back("signals changed during a transfer");
    }
    if (sel && !en) {
      if (in_transfer_ && !ended_) violations.push_back("new setup phase before PREADY");
      std::copy(std::begin(key), std::end(key), std::begin(held_));
    }
    in_transfer_ = sel;
    ended_ = sel && en && s->pready.read();
    if (ended_) ++transfers;
  }
  bool in_transfer_ = false, ended_ = false;
  uint64_t held_[4] = {};
};

// Wishbone B4 classic rules (sampled at rising edges): STB only inside CYC;
// ADR, WE, SEL and (for writes) DAT hold while STB waits for ACK/ERR/RTY.
template <unsigned DW>
struct WbMonitor : sc_core::sc_module {
  sc_core::sc_in<bool> clk;
  WishboneSignals<32, DW>* s = nullptr;
  std::vector<std::string> violations;
  uint64_t acks = 0;
  SC_HAS_PROCESS(WbMonitor);
  explicit WbMonitor(const sc_core::sc_module_name& n) : sc_core::sc_module(n), clk("clk") {
    SC_METHOD(check);
    sensitive << clk.pos();
    dont_initialize();
  }
  void check() {
    const bool stb = s->stb.read();
    const bool term = s->ack.read() || s->err.read() || s->rty.read();
    const uint64_t key[] = {s->adr.read(), s->we.read(), static_cast<uint64_t>(s->sel.read()),
                            s->we.read() ? static_cast<uint64_t>(s->dat_w.read()) : 0};
    if (stb && !s->cyc.read()) violations.push_back("STB without CYC");
    if (waiting_ && !stb) violations.push_back("STB dropped before ACK/ERR/RTY");
    if (waiting_ && stb && !std::equal(std::begin(key), std::end(key), std::begin(held_)))
      violations.push_back("signals changed while STB waited");
    if (s->ack.read()) ++acks;
    waiting_ = stb && !term;
    std::copy(std::begin(key), std::end(key), std::begin(held_));
  }
  bool waiting_ = false;
  uint64_t held_[4] = {};
};

class AdapterBench : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(AdapterBench);
  explicit AdapterBench(const sc_core::sc_module_name& name);
  static AdapterBench& get();

  // Runs `job` in a thread once the power-on reset is over (a test may be
  // the first thing the process runs).
  void run(std::function<void()> job, sc_core::sc_time limit = sc_core::sc_time(50, sc_core::SC_MS)) {
    ASSERT_TRUE(runner.run(
        [&] {
          if (!cr.resetn.read()) sc_core::wait(cr.resetn.posedge_event());
          cycles(1);
          job();
        },
        limit))
        << "testbench job did not finish within " << limit;
  }
  void cycles(unsigned n) {
    for (unsigned i = 0; i < n; ++i) sc_core::wait(cr.clk.posedge_event());
  }

  ClockReset cr;  // free running

  // TLM -> AXI4-Lite -> axil_regfile
  AxiLiteSignals<32, 32> axil_sig;
  TlmToAxiLite<32, 32> axil;
  Vaxil_regfile axil_dut;
  AxiLiteChecker<32, 32> axil_check;
  BusMaster axil_m;
  // TLM -> AXI4-Lite with no slave at all (timeouts)
  AxiLiteSignals<32, 32> dead_sig;
  TlmToAxiLite<32, 32> dead;
  BusMaster dead_m;

  // TLM -> APB -> apb_regfile
  ApbSignals<32, 32> apb_sig;
  TlmToApb<32, 32> apb;
  Vapb_regfile apb_dut;
  BusMaster apb_m;
  ApbMonitor apb_mon;

  // TLM -> Wishbone -> wb_regfile, 8/16/32 bits
  WbPort<8> wb8;
  WbPort<16> wb16;
  WbPort<32> wb32;
  Vwb_regfile8 wb8_dut;
  Vwb_regfile16 wb16_dut;
  Vwb_regfile32 wb32_dut;
  WbMonitor<8> wb8_mon;
  WbMonitor<16> wb16_mon;
  WbMonitor<32> wb32_mon;

  // axi_burst_master -> AXI4 -> TLM -> memory
  FakeHost host;
  Axi4Signals<64, 64> axi_sig;
  Vaxi_burst_master axi_dut;
  AxiToTlm<64, 64, 32> axi2tlm;
  Axi4Checker<64, 64> axi_check;
  HostMemory mem;
  sc_core::sc_signal<bool> cmd_valid, cmd_ready, cmd_write, cmd_w_first, cmd_stall, done, rlast_ok;
  sc_core::sc_signal<uint64_t> cmd_addr, cmd_seed, rd_word;
  sc_core::sc_signal<uint32_t> cmd_len, cmd_size, cmd_burst, resp, beats, rd_index;

  // IRQ monitor, driven by the test
  sc_core::sc_signal<bool> irq_intx, irq_valid, irq_ready, irq_msix;
  sc_core::sc_signal<uint32_t> irq_vector;
  IrqLog irq_log;
  IrqMonitor irq;

  Runner runner;
};

}  // namespace cosim::rtl::test
