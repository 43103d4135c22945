// The epf-test RTL (rtl/epf_test.sv, Verilated) as a TLM-2.0 model: what the
// SystemC host binds exactly as it binds the TLM model (cosim::sc::TlmModel).
//
//   BAR sockets (tlm::tlm_target_socket<32>, one per BAR)
//     -> TlmToAxiLite (32-bit AXI4-Lite, WSTRB from the payload) -> s<n>_* pins
//   m_* pins (AXI4 master, 64-bit data) -> AxiToTlm -> dma socket
//     (tlm::tlm_initiator_socket<32>: one b_transport per burst, any length)
//   intx pin -> IrqMonitor -> `intx` (sc_out<bool>)
//   irq_req_* (valid/ready, MSI or MSI-X, 0-based vector) -> `msi` port
//     (sc_port<cosim::sc::InterruptIf>)
//   clock: ClockReset, gated by the RTL's busy pin and by BAR accesses in
//     flight, so an idle device leaves the kernel without pending events.
//
// BAR accesses and reset() wait for clock edges: call them from an SC_THREAD
// (the host's bridge thread does). The annotated delay of a BAR access is
// waited out first. Waveforms: `waves_*` options (waves.h); BAR writes are
// reported to the recorder automatically, transactions by on_transaction().
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "cosim/bridge/log.h"
#include "cosim/model_params.h"
#include "cosim/rtl/axi_checker.h"
#include "cosim/rtl/axi_tlm.h"
#include "cosim/rtl/clock_reset.h"
#include "cosim/rtl/irq_monitor.h"
#include "cosim/rtl/pins.h"
#include "cosim/rtl/tlm_axi_lite.h"
#include "cosim/rtl/waves.h"
#include "cosim/sc/tlm_model.h"
#include "params.h"

class Vepf_test;

namespace cosim::rtl {

struct EpfTestRtlOptions {
  uint64_t clock_period_ps = 10'000;  // (clock) 100 MHz
  bool check_axi = false;             // (check_axi) attach the AXI checkers; violations are logged
  uint64_t bus_timeout_cycles = 1'000'000;  // (bus_timeout) a BAR access not answered by then fails
  WaveOptions waves;                  // (waves_*) see waves.h
};
inline constexpr const char* kEpfTestRtlKeys = "clock, check_axi, bus_timeout, waves, waves_*, quantum, access_timeout";

// Removes the RTL wrapper's keys from `params` (a bad value is a kConfig error
// naming the key).
Result<EpfTestRtlOptions> take_epf_test_rtl_options(ModelParams& params);

// The `rtl:epf-test` factory: wrapper options, then the device configuration
// (epf_test::parse_epf_test_params) from what is left. BAR sizes above what the
// RTL was built with (kRtlBarBytes) are a kConfig error.
Result<std::unique_ptr<sc::TlmModel>> make_epf_test_rtl(ModelParams params, const LogSink& log);

class EpfTestRtl final : public sc::TlmModel, private IrqSink {
 public:
  // BAR memory the Verilated RTL has (its BARn_SIZE parameters, set in
  // rtl_wrappers/epf_test/CMakeLists.txt): the spec's default sizes.
  static constexpr std::array<uint64_t, kNumBars> kRtlBarBytes = {512, 512, 1024, 16384, 131072, 1048576};

  using BarSignals = AxiLiteSignals<32, 32>;
  using DmaSignals = Axi4Signals<64, 64>;

  SC_HAS_PROCESS(EpfTestRtl);
  // `config` must pass epf_test::check_config() and check_rtl_config().
  EpfTestRtl(const sc_core::sc_module_name& name, const epf_test::EpfTestConfig& config,
             EpfTestRtlOptions options = {}, LogSink log = {});
  ~EpfTestRtl() override;
  // BAR sizes within kRtlBarBytes (BAR0 before the MSI-X table, which QEMU
  // emulates), clock period a whole, even number of picoseconds.
  static Status check_rtl_config(const epf_test::EpfTestConfig& config, const EpfTestRtlOptions& options);

  sc_core::sc_out<bool> intx;
  sc_core::sc_port<sc::InterruptIf> msi;

  // TlmModel
  const DeviceDescription& description() const override { return desc_; }
  sc::BarTargetSocket* bar_socket(unsigned bar) override;
  sc::DmaInitiatorSocket* dma_socket() override { return &dma_.socket; }
  sc_core::sc_out<bool>* intx_port() override { return &intx; }
  sc_core::sc_port<sc::InterruptIf>* msi_port() override { return &msi; }
  // Synchronous reset of the RTL (BAR memories keep their contents, as RAMs
  // would). Simulation context (a thread).
  void reset(ResetKind kind) override;

  // Waveforms: the bridge calls this per BAR access it forwards (n from 1).
  void on_transaction(uint64_t n) override { waves_.on_transaction(n); }
  WaveRecorder& waves() { return waves_; }

  const EpfTestRtlOptions& options() const { return opt_; }
  ClockReset& clock() { return cr_; }
  uint64_t cycles() const { return cr_.cycles(); }
  bool busy() const { return busy_.read(); }
  // Fires when busy() falls (the clock may stop right after: wait for this,
  // not for clock edges, to see the device go idle).
  const sc_core::sc_event& idle_event() const { return busy_.negedge_event(); }
  // The RTL's signals, for testbenches and monitors.
  BarSignals& bar_signals(unsigned bar) { return *bar_sig_[bar]; }
  DmaSignals& dma_signals() { return dma_sig_; }
  AxiToTlm<64, 64, 32>& dma_adapter() { return dma_; }
  // Clock cycles and wall time spent while the RTL was busy (a command in
  // progress): the RTL's speed where it matters, in whatever surrounds it (a
  // testbench, or the host with the guest behind the bridge). Logged at
  // destruction when non-zero.
  struct BusyStats {
    uint64_t periods = 0;
    uint64_t cycles = 0;
    double wall_s = 0;
    double cycles_per_s() const { return wall_s > 0 ? static_cast<double>(cycles) / wall_s : 0; }
  };
  const BusyStats& busy_stats() const { return busy_stats_; }
  // AXI protocol violations seen so far (check_axi), one line each.
  uint64_t axi_violations() const;
  std::string axi_violation_summary() const;

 private:
  void bar_transport(int bar, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  void on_busy_change();
  // IrqSink
  void on_intx(bool level) override;
  void on_msi(uint32_t vector) override;
  void on_msix(uint32_t vector) override;
  void log(LogLevel level, const std::string& msg) const;

  epf_test::EpfTestConfig config_;
  EpfTestRtlOptions opt_;
  DeviceDescription desc_;
  LogSink log_;

  ClockReset cr_;
  WaveRecorder waves_;  // before the model: it turns tracing on; after cr_: it ticks on its clock
  std::unique_ptr<Vepf_test> top_;

  sc_core::sc_signal<bool> cfg_intx_en_;
  sc_core::sc_signal<uint32_t> cfg_msi_vectors_, cfg_msix_vectors_;
  sc_core::sc_signal<uint64_t> cfg_write_seed_;
  sc_core::sc_signal<bool> busy_;
  sc_core::sc_signal<bool> intx_sig_, irq_valid_, irq_ready_, irq_msix_;
  sc_core::sc_signal<uint32_t> irq_vector_;

  std::array<std::unique_ptr<BarSignals>, kNumBars> bar_sig_;
  std::array<std::unique_ptr<TlmToAxiLite<32, 32>>, kNumBars> bar_adapter_;
  std::array<std::unique_ptr<tlm_utils::simple_target_socket_tagged<EpfTestRtl, 32>>, kNumBars> bar_socket_;
  std::array<std::unique_ptr<tlm_utils::simple_initiator_socket_tagged<EpfTestRtl, 32>>, kNumBars> bar_fwd_;
  DmaSignals dma_sig_;
  AxiToTlm<64, 64, 32> dma_;
  IrqMonitor irq_;
  std::array<std::unique_ptr<AxiLiteChecker<32, 32>>, kNumBars> bar_check_;
  std::unique_ptr<Axi4Checker<64, 64>> dma_check_;
  BusyStats busy_stats_;
  uint64_t busy_start_cycles_ = 0;
  std::chrono::steady_clock::time_point busy_start_wall_;
};

}  // namespace cosim::rtl
