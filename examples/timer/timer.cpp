// Example device plug-in: `timer`, a SystemC/TLM-2.0 model of a countdown
// timer with an interrupt (INTx or MSI) and a scratchpad BAR. Built outside
// the project against the installed CMake package (CMakeLists.txt beside this
// file); docs/adding-a-device.md walks through it.
#include <tlm_utils/simple_target_socket.h>

#include <array>
#include <cstring>
#include <memory>
#include <string>

#include "cosim/plugin.h"
#include "cosim/sc/tlm_model.h"
#include "timer_regs.h"

namespace {

using sc_core::sc_time;

// Parameters (`--param key=value`).
struct TimerConfig {
  uint16_t vendor_id = TIMER_VENDOR_ID;
  uint16_t device_id = TIMER_DEVICE_ID;
  uint64_t latency_ps = 5'000;  // every BAR access
};

cosim::Result<TimerConfig> parse_params(const cosim::ModelParams& params) {
  TimerConfig c;
  for (const auto& [key, value] : params) {
    if (key == "vendor" || key == "device") {
      auto v = cosim::parse_uint(value);
      if (!v || *v > 0xffff)
        return cosim::Status{cosim::ErrorCode::kConfig, "timer option " + key + "='" + value + "': must be a 16-bit number"};
      (key == "vendor" ? c.vendor_id : c.device_id) = static_cast<uint16_t>(*v);
    } else if (key == "latency") {
      auto v = cosim::parse_duration_ps(value);
      if (!v)
        return cosim::Status{cosim::ErrorCode::kConfig, "timer option latency='" + value + "': must be a duration such as 5ns"};
      c.latency_ps = *v;
    } else {
      return cosim::Status{cosim::ErrorCode::kConfig,
                           "timer has no option '" + key + "'; options are vendor, device, latency"};
    }
  }
  return c;
}

class Timer final : public cosim::sc::TlmModel {
 public:
  SC_HAS_PROCESS(Timer);

  Timer(const sc_core::sc_module_name& name, const TimerConfig& config)
      : TlmModel(name), intx("intx"), msi("msi"), regs_("regs"), scratch_("scratch"), latency_(sc_time::from_value(config.latency_ps)) {
    desc_.name = "timer";
    desc_.vendor_id = config.vendor_id;
    desc_.device_id = config.device_id;
    desc_.subsystem_vendor_id = config.vendor_id;
    desc_.subsystem_id = config.device_id;
    desc_.revision = 1;
    desc_.class_code = TIMER_CLASS_CODE;
    desc_.bars[TIMER_BAR_REGS] = {TIMER_REGS_SIZE, cosim::BarKind::kMem32, false};
    desc_.bars[TIMER_BAR_SCRATCH] = {TIMER_SCRATCH_SIZE, cosim::BarKind::kMem32, false};
    desc_.intx_pin = 1;
    desc_.msi_vectors = 1;
    regs_.register_b_transport(this, &Timer::regs_transport);
    scratch_.register_b_transport(this, &Timer::scratch_transport);
    SC_THREAD(count);
  }

  sc_core::sc_out<bool> intx;
  sc_core::sc_port<cosim::sc::InterruptIf> msi;

  const cosim::DeviceDescription& description() const override { return desc_; }
  cosim::sc::BarTargetSocket* bar_socket(unsigned bar) override {
    if (bar == TIMER_BAR_REGS) return &regs_;
    if (bar == TIMER_BAR_SCRATCH) return &scratch_;
    return nullptr;
  }
  sc_core::sc_out<bool>* intx_port() override { return &intx; }
  sc_core::sc_port<cosim::sc::InterruptIf>* msi_port() override { return &msi; }

  void reset(cosim::ResetKind) override {
    ctrl_ = load_ = status_ = expiries_ = 0;
    scratch_mem_.fill(0);
    rearm_.notify();  // the counting thread sees the timer stopped
    update_intx();
  }

 private:
  // ---- BAR0: registers, one aligned 32-bit word per access.
  void regs_transport(tlm::tlm_generic_payload& t, sc_time& delay) {
    if (t.get_command() == tlm::TLM_IGNORE_COMMAND) return t.set_response_status(tlm::TLM_OK_RESPONSE);
    if (t.get_byte_enable_ptr()) return t.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    if (t.get_data_length() != 4 || t.get_streaming_width() != 4)
      return t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    const uint64_t a = t.get_address();
    if (a >= TIMER_REGS_END || a % 4) return t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    const sc_time when = sc_core::sc_time_stamp() + delay;  // this access, in the initiator's local time
    uint32_t v = 0;
    if (t.is_read()) {
      switch (a) {
        case TIMER_ID: v = TIMER_ID_VALUE; break;
        case TIMER_CTRL: v = ctrl_; break;
        case TIMER_LOAD: v = load_; break;
        case TIMER_COUNT: v = running() && next_ > when ? static_cast<uint32_t>((next_ - when).value() / 1000) : 0; break;
        case TIMER_STATUS: v = status_; break;
        case TIMER_EXPIRIES: v = expiries_; break;
      }
      std::memcpy(t.get_data_ptr(), &v, 4);
    } else {
      std::memcpy(&v, t.get_data_ptr(), 4);
      switch (a) {
        case TIMER_CTRL: {
          const bool was_running = running();
          ctrl_ = v & (TIMER_CTRL_ENABLE | TIMER_CTRL_PERIODIC | TIMER_CTRL_IRQ | TIMER_CTRL_MSI);
          if (running() && !was_running) start(when);
          if (!running()) rearm_.notify(delay);
          break;
        }
        case TIMER_LOAD:
          load_ = v;
          if (running()) start(when);
          break;
        case TIMER_STATUS: status_ &= ~v; break;
        default: break;  // ID, COUNT, EXPIRIES are read-only
      }
      update_intx();
    }
    delay += latency_;
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }

  // ---- BAR2: scratchpad memory, 1..8 bytes, byte enables honoured.
  void scratch_transport(tlm::tlm_generic_payload& t, sc_time& delay) {
    if (t.get_command() == tlm::TLM_IGNORE_COMMAND) return t.set_response_status(tlm::TLM_OK_RESPONSE);
    const uint64_t a = t.get_address();
    const unsigned n = t.get_data_length();
    if (n == 0 || n > 8 || t.get_streaming_width() < n) return t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    if (a >= TIMER_SCRATCH_SIZE || n > TIMER_SCRATCH_SIZE - a)
      return t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    const uint8_t* be = t.get_byte_enable_ptr();
    const unsigned be_len = t.get_byte_enable_length();
    if (be && be_len == 0) return t.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    for (unsigned i = 0; i < n; ++i) {
      if (be && be[i % be_len] != TLM_BYTE_ENABLED) continue;
      if (t.is_read())
        t.get_data_ptr()[i] = scratch_mem_[a + i];
      else
        scratch_mem_[a + i] = t.get_data_ptr()[i];
    }
    delay += latency_;
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }

  // ---- The counter.
  bool running() const { return (ctrl_ & TIMER_CTRL_ENABLE) && load_ != 0; }

  void start(const sc_time& when) {
    next_ = when + sc_time(static_cast<double>(load_), sc_core::SC_NS);
    rearm_.notify(when - sc_core::sc_time_stamp());
  }

  // Sleeps until the next expiry, or until a register write changes it.
  void count() {
    for (;;) {
      if (!running()) {
        sc_core::wait(rearm_);
        continue;
      }
      const sc_time now = sc_core::sc_time_stamp();
      if (now < next_) {
        sc_core::wait(next_ - now, rearm_);
        continue;
      }
      expire();
    }
  }

  void expire() {
    ++expiries_;
    status_ |= TIMER_STATUS_EXPIRED;
    if (ctrl_ & TIMER_CTRL_PERIODIC)
      next_ += sc_time(static_cast<double>(load_), sc_core::SC_NS);
    else
      ctrl_ &= ~TIMER_CTRL_ENABLE;
    if ((ctrl_ & TIMER_CTRL_IRQ) && (ctrl_ & TIMER_CTRL_MSI)) msi->raise_msi(0);
    update_intx();
  }

  // INTx is a level: asserted while an expiry is pending with INTx selected.
  void update_intx() {
    const bool level = (status_ & TIMER_STATUS_EXPIRED) && (ctrl_ & TIMER_CTRL_IRQ) && !(ctrl_ & TIMER_CTRL_MSI);
    if (level != intx_level_) intx.write(level);
    intx_level_ = level;
  }

  cosim::DeviceDescription desc_;
  tlm_utils::simple_target_socket<Timer> regs_;
  tlm_utils::simple_target_socket<Timer> scratch_;
  const sc_time latency_;
  uint32_t ctrl_ = 0, load_ = 0, status_ = 0, expiries_ = 0;
  sc_time next_;  // kernel time of the next expiry, while running
  sc_core::sc_event rearm_;
  bool intx_level_ = false;
  std::array<uint8_t, TIMER_SCRATCH_SIZE> scratch_mem_{};
};

cosim::Result<std::unique_ptr<cosim::sc::TlmModel>> make_timer(const cosim::ModelParams& params, const cosim::LogSink&) {
  auto config = parse_params(params);
  if (!config) return config.status();
  return std::unique_ptr<cosim::sc::TlmModel>(new Timer("timer", *config));
}

const cosim::plugin::Model kModels[] = {
    {"timer", "countdown timer with INTx/MSI and a 4 KiB scratchpad (params: vendor, device, latency)", nullptr,
     &make_timer},
};

}  // namespace

COSIM_PLUGIN("timer", TIMER_VERSION, kModels)
