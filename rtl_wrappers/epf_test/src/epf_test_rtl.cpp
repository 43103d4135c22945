// epf-test RTL wrapper: the Verilated top between bus adapters, as a TlmModel.
#include "cosim/rtl/epf_test_rtl.h"

#include <cstdio>
#include <sstream>

#include "Vepf_test.h"
#include "verilated.h"

namespace cosim::rtl {

Result<EpfTestRtlOptions> take_epf_test_rtl_options(ModelParams& params) {
  EpfTestRtlOptions o;
  if (auto v = take_param(params, "clock")) {
    auto ps = parse_duration_ps(*v);
    if (!ps || *ps < 2 || *ps % 2 != 0)
      return Status(ErrorCode::kConfig, "rtl:epf-test option clock='" + *v +
                                            "': must be a clock period of an even number of picoseconds, e.g. 10ns");
    o.clock_period_ps = *ps;
  }
  if (auto v = take_param(params, "check_axi")) {
    if (*v != "0" && *v != "1")
      return Status(ErrorCode::kConfig, "rtl:epf-test option check_axi='" + *v + "': must be 0 or 1");
    o.check_axi = *v == "1";
  }
  if (auto v = take_param(params, "bus_timeout")) {
    auto n = parse_uint(*v);
    if (!n || *n == 0)
      return Status(ErrorCode::kConfig, "rtl:epf-test option bus_timeout='" + *v + "': must be a number of cycles > 0");
    o.bus_timeout_cycles = *n;
  }
  WaveOptions wdef;
  wdef.test = "epf-test-rtl";
  auto w = take_wave_options(params, wdef);
  if (!w) return w.status();
  o.waves = std::move(*w);
  return o;
}

Status EpfTestRtl::check_rtl_config(const epf_test::EpfTestConfig& config, const EpfTestRtlOptions& options) {
  if (Status s = epf_test::check_config(config); !s) return s;
  for (unsigned i = 0; i < kNumBars; ++i)
    if (config.bar_sizes[i] > kRtlBarBytes[i])
      return {ErrorCode::kConfig, "rtl:epf-test bar" + std::to_string(i) + " = " + std::to_string(config.bar_sizes[i]) +
                                      ": the RTL was built with " + std::to_string(kRtlBarBytes[i]) +
                                      " bytes for this BAR (its BAR" + std::to_string(i) + "_SIZE parameter)"};
  if (options.clock_period_ps < 2 || options.clock_period_ps % 2 != 0)
    return {ErrorCode::kConfig, "rtl:epf-test clock period " + std::to_string(options.clock_period_ps) +
                                    " ps: must be an even number of picoseconds"};
  return {};
}

Result<std::unique_ptr<sc::TlmModel>> make_epf_test_rtl(ModelParams params, const LogSink& log) {
  auto opts = take_epf_test_rtl_options(params);
  if (!opts) return opts.status();
  auto config = epf_test::parse_epf_test_params(params, kEpfTestRtlKeys);
  if (!config) return config.status();
  if (Status s = EpfTestRtl::check_rtl_config(*config, *opts); !s) return s;
  return std::unique_ptr<sc::TlmModel>(std::make_unique<EpfTestRtl>("epf_test_rtl", *config, *opts, log));
}

EpfTestRtl::EpfTestRtl(const sc_core::sc_module_name& name, const epf_test::EpfTestConfig& config,
                       EpfTestRtlOptions options, LogSink log)
    : sc::TlmModel(name), intx("intx"), msi("msi"), config_(config), opt_(std::move(options)),
      desc_(epf_test::describe(config)), log_(std::move(log)),
      cr_("clock", sc_core::sc_time(static_cast<double>(opt_.clock_period_ps), sc_core::SC_PS)),
      waves_("waves", opt_.waves, log_, &cr_.clk.posedge_event()),
      cfg_intx_en_("cfg_intx_en", desc_.intx_pin != 0), cfg_msi_vectors_("cfg_msi_vectors", desc_.msi_vectors),
      cfg_msix_vectors_("cfg_msix_vectors", desc_.msix_vectors), cfg_write_seed_("cfg_write_seed", config.write_seed),
      busy_("busy"), intx_sig_("intx_pin"), irq_valid_("irq_req_valid"), irq_ready_("irq_req_ready"),
      irq_msix_("irq_req_msix"), irq_vector_("irq_req_vector"), dma_sig_("m"), dma_("dma_adapter"),
      irq_("irq_monitor", this) {
  top_ = std::make_unique<Vepf_test>("rtl");
  Vepf_test& t = *top_;
  t.clk(cr_.clk);
  t.aresetn(cr_.resetn);
  t.cfg_intx_en(cfg_intx_en_);
  t.cfg_msi_vectors(cfg_msi_vectors_);
  t.cfg_msix_vectors(cfg_msix_vectors_);
  t.cfg_write_seed(cfg_write_seed_);
  for (unsigned i = 0; i < kNumBars; ++i) bar_sig_[i] = std::make_unique<BarSignals>("s" + std::to_string(i));
  COSIM_RTL_BIND_AXIL_SLAVE(t, s0, *bar_sig_[0]);
  COSIM_RTL_BIND_AXIL_SLAVE(t, s1, *bar_sig_[1]);
  COSIM_RTL_BIND_AXIL_SLAVE(t, s2, *bar_sig_[2]);
  COSIM_RTL_BIND_AXIL_SLAVE(t, s3, *bar_sig_[3]);
  COSIM_RTL_BIND_AXIL_SLAVE(t, s4, *bar_sig_[4]);
  COSIM_RTL_BIND_AXIL_SLAVE(t, s5, *bar_sig_[5]);
  COSIM_RTL_BIND_AXI4_MASTER(t, m, dma_sig_);
  t.busy(busy_);
  t.intx(intx_sig_);
  t.irq_req_valid(irq_valid_);
  t.irq_req_ready(irq_ready_);
  t.irq_req_msix(irq_msix_);
  t.irq_req_vector(irq_vector_);

  // BARs the description implements: socket -> (waves, clock hold) -> AXI4-Lite adapter.
  for (unsigned i = 0; i < kNumBars; ++i) {
    if (!desc_.bars[i].implemented()) continue;
    const std::string n = std::to_string(i);
    bar_adapter_[i] = std::make_unique<TlmToAxiLite<32, 32>>(("bar" + n + "_adapter").c_str());
    bar_adapter_[i]->clk(cr_.clk);
    bar_adapter_[i]->resetn(cr_.resetn);
    bar_adapter_[i]->bind(*bar_sig_[i]);
    bar_adapter_[i]->set_timeout_cycles(opt_.bus_timeout_cycles);
    bar_socket_[i] = std::make_unique<tlm_utils::simple_target_socket_tagged<EpfTestRtl, 32>>(("bar" + n).c_str());
    bar_socket_[i]->register_b_transport(this, &EpfTestRtl::bar_transport, static_cast<int>(i));
    bar_fwd_[i] = std::make_unique<tlm_utils::simple_initiator_socket_tagged<EpfTestRtl, 32>>(("bar" + n + "_fwd").c_str());
    bar_fwd_[i]->bind(bar_adapter_[i]->socket);
  }

  dma_.clk(cr_.clk);
  dma_.resetn(cr_.resetn);
  dma_.bind(dma_sig_);

  irq_.clk(cr_.clk);
  irq_.intx(intx_sig_);
  irq_.req_valid(irq_valid_);
  irq_.req_ready(irq_ready_);
  irq_.req_msix(irq_msix_);
  irq_.req_vector(irq_vector_);

  if (opt_.check_axi) {
    auto report = [this](const ProtocolViolation& v) {
      this->log(LogLevel::kError, "AXI protocol violation " + v.rule + " at " + v.time.to_string() + ": " + v.detail);
    };
    for (unsigned i = 0; i < kNumBars; ++i) {
      bar_check_[i] = std::make_unique<AxiLiteChecker<32, 32>>(("bar" + std::to_string(i) + "_check").c_str());
      bar_check_[i]->clk(cr_.clk);
      bar_check_[i]->resetn(cr_.resetn);
      bar_check_[i]->bind(*bar_sig_[i]);
      bar_check_[i]->set_report(false);
      bar_check_[i]->set_callback(report);
    }
    dma_check_ = std::make_unique<Axi4Checker<64, 64>>("dma_check");
    dma_check_->clk(cr_.clk);
    dma_check_->resetn(cr_.resetn);
    dma_check_->bind(dma_sig_);
    dma_check_->set_report(false);
    dma_check_->set_callback(report);
  }

  // The clock runs while the RTL is busy or a BAR access / reset holds it.
  cr_.set_busy_source([this] { return busy_.read(); });
  SC_METHOD(on_busy_change);
  sensitive << busy_;
  dont_initialize();
  waves_.add_model([this](VerilatedFstC* tfp, int levels) { top_->trace(tfp, levels); });
}

EpfTestRtl::~EpfTestRtl() {
  waves_.finish();
  const BusyStats& b = busy_stats_;
  if (b.periods != 0) {
    char line[200];
    std::snprintf(line, sizeof line, "busy %llu times: %llu clock cycles in %.3f s wall = %.4g cycles/s while busy",
                  static_cast<unsigned long long>(b.periods), static_cast<unsigned long long>(b.cycles), b.wall_s,
                  b.cycles_per_s());
    log(LogLevel::kInfo, line);
  }
}

void EpfTestRtl::on_busy_change() {
  const auto now = std::chrono::steady_clock::now();
  if (busy_.read()) {
    busy_start_cycles_ = cr_.cycles();
    busy_start_wall_ = now;
    return;
  }
  ++busy_stats_.periods;
  busy_stats_.cycles += cr_.cycles() - busy_start_cycles_;
  busy_stats_.wall_s += std::chrono::duration<double>(now - busy_start_wall_).count();
}

sc::BarTargetSocket* EpfTestRtl::bar_socket(unsigned bar) {
  return bar < kNumBars && bar_socket_[bar] ? bar_socket_[bar].get() : nullptr;
}

void EpfTestRtl::bar_transport(int bar, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  // At the access's own time, so a waveform trigger marks the right moment.
  sc_core::wait(delay);
  delay = sc_core::SC_ZERO_TIME;
  ClockReset::Hold hold(cr_);
  if (gp.is_write()) waves_.on_bar_write(static_cast<unsigned>(bar), gp.get_address());
  (*bar_fwd_[bar])->b_transport(gp, delay);
}

void EpfTestRtl::reset(ResetKind) {
  // System reset and FLR are the same: the function has no sticky state.
  cr_.reset(4);
}

void EpfTestRtl::on_intx(bool level) { intx.write(level); }

void EpfTestRtl::on_msi(uint32_t vector) { msi->raise_msi(vector); }

void EpfTestRtl::on_msix(uint32_t vector) { msi->raise_msix(vector); }

uint64_t EpfTestRtl::axi_violations() const {
  uint64_t n = 0;
  for (const auto& c : bar_check_)
    if (c) n += c->violation_count();
  if (dma_check_) n += dma_check_->violation_count();
  return n;
}

std::string EpfTestRtl::axi_violation_summary() const {
  std::string s;
  for (const auto& c : bar_check_)
    if (c) s += c->summary();
  if (dma_check_) s += dma_check_->summary();
  return s;
}

void EpfTestRtl::log(LogLevel level, const std::string& msg) const {
  if (log_) log_(level, std::string("rtl:epf-test: ") + msg);
}

}  // namespace cosim::rtl
