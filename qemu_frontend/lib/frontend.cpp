// libcosim_frontend: the C ABI (cosim_frontend.h) behind QEMU's cosim-pci shim.
// Runs a native model in-process, or a RemoteDevice session with a host, or the
// fallback model when no host answers. No C++ exception crosses the ABI.
#include "cosim_frontend.h"

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "cosim/bridge/session.h"
#include "cosim/bridge/transport.h"
#include "cosim/timescale/sync.h"
#include "model_registry.h"

namespace {

using namespace cosim;

void copy_error(char* err, size_t len, const std::string& text) {
  if (err && len) std::snprintf(err, len, "%s", text.c_str());
}

// QEMU's services as the device's HostPort.
class QemuHostPort final : public HostPort {
 public:
  explicit QemuHostPort(const cosim_fe_host_ops& ops) : ops_(ops) {}
  Status dma_read(uint64_t address, std::span<uint8_t> out) override {
    if (!ops_.dma_read || ops_.dma_read(ops_.opaque, address, out.data(), out.size()) != 0)
      return {ErrorCode::kDmaFault, "guest memory not reachable at 0x" + hex(address) + " (+" +
                                        std::to_string(out.size()) + " bytes)"};
    return {};
  }
  Status dma_write(uint64_t address, std::span<const uint8_t> data) override {
    if (!ops_.dma_write || ops_.dma_write(ops_.opaque, address, data.data(), data.size()) != 0)
      return {ErrorCode::kDmaFault, "guest memory not reachable at 0x" + hex(address) + " (+" +
                                        std::to_string(data.size()) + " bytes)"};
    return {};
  }
  void set_intx(bool asserted) override {
    if (ops_.set_intx) ops_.set_intx(ops_.opaque, asserted ? 1 : 0);
  }
  void raise_msi(uint32_t vector) override {
    if (ops_.raise_msi) ops_.raise_msi(ops_.opaque, vector);
  }
  void raise_msix(uint32_t vector) override {
    if (ops_.raise_msix) ops_.raise_msix(ops_.opaque, vector);
  }

 private:
  static std::string hex(uint64_t v) {
    char buf[20];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
    return buf;
  }
  cosim_fe_host_ops ops_;
};

static_assert(COSIM_FE_TIME_OFF == static_cast<int>(timescale::Mode::kOff) &&
              COSIM_FE_TIME_FREEZE == static_cast<int>(timescale::Mode::kFreeze) &&
              COSIM_FE_TIME_LOCKSTEP == static_cast<int>(timescale::Mode::kLockstep));

// Virtual time on the QEMU side (docs/time.md): stamps accesses with guest
// time, freezes guest time while the guest waits for the device, and keeps a
// QEMU_CLOCK_VIRTUAL timer at the next sync point the policy asks for.
class TimeKeeper {
 public:
  TimeKeeper(timescale::Mode mode, uint64_t quantum_ps, timescale::Scale scale, const cosim_fe_time_ops* ops)
      : policy_(mode, quantum_ps), scale_(scale) {
    if (ops) {
      ops_ = *ops;
      has_ops_ = true;
    }
    wall0_ = std::chrono::steady_clock::now();
    guest0_ns_ = guest_ns();
  }
  timescale::Mode mode() const { return policy_.mode(); }
  bool active() const { return remote_ && policy_.enabled(); }
  void bind(RemoteDevice* remote) { remote_ = remote; }

  // Around every BAR access.
  void before_access() {
    if (!active()) return;
    remote_->stamp(guest_ps());
  }
  // After a posted write: the first one since the last sync starts the clock
  // of the sync that will follow it.
  void after_write() {
    if (!active()) return;
    if (remote_->writes_since_sync() == 0) outstanding_since_ = std::nullopt;
    else if (!outstanding_since_) outstanding_since_ = guest_ps();
    reschedule();
  }
  void freeze() {
    if (!has_ops_ || frozen_) return;
    frozen_ = true;
    ++freezes_;
    frozen_since_ = std::chrono::steady_clock::now();
    if (ops_.freeze) ops_.freeze(ops_.opaque);
  }
  void unfreeze() {
    if (!frozen_) return;
    frozen_ = false;
    frozen_total_ += std::chrono::steady_clock::now() - frozen_since_;
    if (ops_.unfreeze) ops_.unfreeze(ops_.opaque);
  }

  // The timer fired: if a sync is due, freeze guest time, grant the device
  // the guest's time and wait until it got there (serving its DMA and
  // interrupts, which so reach the guest at the time they happened).
  void on_timer() {
    armed_ = std::nullopt;
    if (!active()) return;
    const timescale::SyncState st = state();
    const std::optional<uint64_t> due = policy_.next_sync_ps(st);
    if (due && *due <= st.guest_ps) {
      freeze();
      remote_->advance_to(policy_.grant_ps(st));
      unfreeze();
    }
    reschedule();
  }

  // After anything that may change the device's state or lookahead.
  void reschedule() {
    if (!active() || !has_ops_ || !ops_.timer_arm) return;
    if (!remote_->alive()) {
      cancel();
      return;
    }
    const timescale::SyncState st = state();
    const std::optional<uint64_t> due = policy_.next_sync_ps(st);
    if (!due) {
      cancel();
      return;
    }
    const int64_t deadline = static_cast<int64_t>(
        std::min<uint64_t>(scale_.device_ps_to_guest_ns(*due), static_cast<uint64_t>(INT64_MAX)));
    if (armed_ == deadline) return;
    armed_ = deadline;
    ops_.timer_arm(ops_.opaque, deadline);
  }
  void cancel() {
    if (!armed_) return;
    armed_ = std::nullopt;
    if (ops_.timer_cancel) ops_.timer_cancel(ops_.opaque);
  }

  timescale::Stats stats() const {
    timescale::Stats s;
    s.wall_ps = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - wall0_).count()) *
                timescale::kPsPerNs;
    const uint64_t g = guest_ns();
    s.guest_ps = timescale::ns_to_ps(g > guest0_ns_ ? g - guest0_ns_ : 0);
    s.device_ps = remote_ ? remote_->now_ps() : 0;
    auto frozen = frozen_total_;
    if (frozen_) frozen += std::chrono::steady_clock::now() - frozen_since_;
    s.frozen_ps = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(frozen).count()) *
                  timescale::kPsPerNs;
    s.syncs = remote_ ? remote_->stats().syncs : 0;
    s.freezes = freezes_;
    return s;
  }

 private:
  uint64_t guest_ns() const {
    if (!has_ops_ || !ops_.clock_ns) return 0;
    const int64_t ns = ops_.clock_ns(ops_.opaque);
    return ns > 0 ? static_cast<uint64_t>(ns) : 0;
  }
  uint64_t guest_ps() const { return scale_.guest_ns_to_device_ps(guest_ns()); }
  timescale::SyncState state() {
    // A read reply or a sync tells that the host performed every earlier write.
    if (remote_->writes_since_sync() == 0) outstanding_since_ = std::nullopt;
    return {guest_ps(), remote_->now_ps(), remote_->next_event_ps(), outstanding_since_};
  }

  timescale::SyncPolicy policy_;
  timescale::Scale scale_;
  cosim_fe_time_ops ops_{};
  bool has_ops_ = false;
  RemoteDevice* remote_ = nullptr;
  bool frozen_ = false;
  uint64_t freezes_ = 0;
  std::chrono::steady_clock::time_point frozen_since_{}, wall0_{};
  std::chrono::steady_clock::duration frozen_total_{};
  uint64_t guest0_ns_ = 0;
  std::optional<int64_t> armed_;
  std::optional<uint64_t> outstanding_since_;
};

}  // namespace

struct cosim_fe {
  cosim_fe_host_ops ops{};
  std::string id;
  std::unique_ptr<QemuHostPort> port;
  std::unique_ptr<Device> device;
  RemoteDevice* remote = nullptr;  // == device.get() when talking to a host
  std::string summary;
  std::unique_ptr<TimeKeeper> time;  // set by open_timed (ABI 1.1)

  void log(LogLevel level, const std::string& text) const {
    if (ops.log) ops.log(ops.opaque, static_cast<int>(level), (id + ": " + text).c_str());
  }
  // After any call: input may have arrived that no descriptor edge announces.
  void kick_if_pending() {
    if (remote && ops.kick && remote->has_pending()) ops.kick(ops.opaque);
  }
};

namespace {

bool empty(const char* s) { return !s || !*s; }

int to_code(const Status& s) {
  switch (s.code()) {
    case ErrorCode::kOk: return COSIM_FE_OK;
    case ErrorCode::kBadBar:
    case ErrorCode::kBadOffset:
    case ErrorCode::kBadSize: return COSIM_FE_ERR_ARGUMENT;
    case ErrorCode::kPeerLost: return COSIM_FE_ERR_PEER_LOST;
    case ErrorCode::kTimeout: return COSIM_FE_ERR_TIMEOUT;
    default: return COSIM_FE_ERR_DEVICE;
  }
}

Result<std::unique_ptr<Device>> make_native(const std::string& model, const char* params, const LogSink& log) {
  auto spec = parse_model_spec(model, params ? params : "");
  if (!spec) return spec.status();
  if (spec->kind != "native")
    return Status{ErrorCode::kConfig, "model '" + model + "' cannot run inside QEMU: only native models can (run "
                                      "it in cosim-host and set endpoint= instead)"};
  return ModelRegistry::instance().create(*spec, log);
}

struct TimeSettings {
  timescale::Mode mode = timescale::Mode::kOff;
  uint64_t quantum_ps = timescale::kDefaultQuantumPs;
  timescale::Scale scale;
};

cosim_fe* open_impl(const cosim_fe_config* cfg, const cosim_fe_host_ops* ops, const TimeSettings& time,
                    const cosim_fe_time_ops* time_ops, char* err, size_t err_len) {
  if (!cfg || !ops) {
    copy_error(err, err_len, "cosim_fe_open: missing config or host ops");
    return nullptr;
  }
  register_native_models();
  auto fe = std::make_unique<cosim_fe>();
  fe->ops = *ops;
  fe->id = empty(cfg->id) ? "cosim-pci" : cfg->id;
  fe->port = std::make_unique<QemuHostPort>(fe->ops);
  const cosim_fe* self = fe.get();
  LogSink log = [self](LogLevel level, const std::string& text) { self->log(level, text); };

  if (!empty(cfg->model)) {
    auto dev = make_native(cfg->model, cfg->params, log);
    if (!dev) {
      copy_error(err, err_len, "model=" + std::string(cfg->model) + ": " + dev.status().message());
      return nullptr;
    }
    fe->device = std::move(dev).value();
    fe->summary = "in-process model native:" + fe->device->description().name;
  } else {
    Status why;
    if (!empty(cfg->endpoint)) {
      TransportOptions topts;
      topts.connect_timeout = std::chrono::milliseconds(cfg->connect_timeout_ms ? cfg->connect_timeout_ms : 2000);
      SessionOptions sopts;
      sopts.peer_name = "qemu " + fe->id;
      sopts.log = log;
      sopts.handshake_timeout = std::max(topts.connect_timeout, std::chrono::milliseconds(5000));
      sopts.reply_timeout = std::chrono::milliseconds(cfg->reply_timeout_ms);
      sopts.time_mode = time.mode;
      if (time.mode != timescale::Mode::kOff) {
        // Guest time stops while a read keeps the vCPU waiting
        // (SessionOptions::on_slow_read). freeze: from the start of every
        // read, so the guest sees none of the simulator's wall time (the
        // guest TSC follows the virtual clock in our QEMU build, so stopping
        // it cannot skew the two). lockstep: a blocked vCPU executes no
        // instructions, so guest time stands still anyway; reads slower
        // than 1 ms are counted as frozen time in the summary.
        if (time.mode == timescale::Mode::kFreeze) sopts.slow_read_after = std::chrono::milliseconds(0);
        cosim_fe* raw = fe.get();
        sopts.on_slow_read = [raw](bool waiting) {
          if (!raw->time) return;
          if (waiting) raw->time->freeze();
          else raw->time->unfreeze();
        };
      }
      try {
        auto remote = RemoteDevice::connect(connect_transport(cfg->endpoint, topts), sopts);
        if (remote) {
          fe->remote = remote->get();
          fe->device = std::move(remote).value();
          fe->summary = "host '" + fe->remote->peer().peer_name + "' at " + cfg->endpoint + " serving " +
                        fe->device->description().name;
        } else {
          why = remote.status();
        }
      } catch (const BridgeError& e) {
        why = e.status();
      }
    } else {
      why = {ErrorCode::kConfig, "neither endpoint= nor model= is set"};
    }
    if (!fe->device) {
      const bool no_fallback = empty(cfg->fallback) || std::strcmp(cfg->fallback, "none") == 0;
      const std::string where = empty(cfg->endpoint) ? "" : " at '" + std::string(cfg->endpoint) + "'";
      if (no_fallback || why.code() == ErrorCode::kVersionMismatch || why.code() == ErrorCode::kConfig) {
        copy_error(err, err_len, "no simulator" + where + ": " + why.message() +
                                     (no_fallback ? " (fallback=none)" : ""));
        return nullptr;
      }
      auto dev = make_native(cfg->fallback, cfg->params, log);
      if (!dev) {
        copy_error(err, err_len, "fallback=" + std::string(cfg->fallback) + ": " + dev.status().message());
        return nullptr;
      }
      fe->device = std::move(dev).value();
      fe->summary = "fallback in-process model native:" + fe->device->description().name;
      fe->log(LogLevel::kWarning, "no simulator" + where + " (" + why.message() + "); running the fallback model '" +
                                      std::string(cfg->fallback) + "' in-process");
    }
  }
  fe->device->attach(fe->port.get());
  if (time_ops) {
    fe->time = std::make_unique<TimeKeeper>(time.mode, time.quantum_ps, time.scale, time_ops);
    // An in-process model runs synchronously inside QEMU: there is no other
    // timeline to keep in step with, so the mode has nothing to do.
    if (fe->remote) fe->time->bind(fe->remote);
    else if (time.mode != timescale::Mode::kOff)
      fe->log(LogLevel::kInfo, std::string("virtual time '") + timescale::to_string(time.mode) +
                                   "': the model runs in-process and synchronously, so guest and device "
                                   "time are one; nothing to synchronise");
  }
  return fe.release();
}

cosim_fe* fe_open(const cosim_fe_config* cfg, const cosim_fe_host_ops* ops, char* err, size_t err_len) {
  return open_impl(cfg, ops, TimeSettings{}, nullptr, err, err_len);
}

// The smallest cosim_fe_time_* structs this library understands (ABI 1.1).
constexpr size_t kTimeConfigV1 = offsetof(cosim_fe_time_config, scale) + sizeof(const char*);
constexpr size_t kTimeOpsV1 = offsetof(cosim_fe_time_ops, timer_cancel) + sizeof(void*);

cosim_fe* fe_open_timed(const cosim_fe_config* cfg, const cosim_fe_host_ops* ops, const cosim_fe_time_config* tc,
                        const cosim_fe_time_ops* tops, char* err, size_t err_len) {
  if (!tc || !tops || tc->struct_size < kTimeConfigV1 || tops->struct_size < kTimeOpsV1) {
    copy_error(err, err_len, "cosim_fe_open_timed: missing or too small time config/ops (struct_size)");
    return nullptr;
  }
  TimeSettings t;
  if (!empty(tc->mode)) {
    auto m = timescale::parse_mode(tc->mode);
    if (!m) {
      copy_error(err, err_len, "time=" + std::string(tc->mode) + ": expected off, freeze or lockstep");
      return nullptr;
    }
    t.mode = *m;
  }
  if (!empty(tc->quantum)) {
    auto q = timescale::parse_duration_ps(tc->quantum);
    if (!q || *q == 0) {
      copy_error(err, err_len, "time-quantum=" + std::string(tc->quantum) +
                                   ": expected a duration above zero, e.g. 100us, 1ms");
      return nullptr;
    }
    t.quantum_ps = *q;
  }
  if (!empty(tc->scale)) {
    auto k = timescale::parse_scale(tc->scale);
    if (!k) {
      copy_error(err, err_len, "time-scale=" + std::string(tc->scale) +
                                   ": expected a number K > 0 (guest time = K x device time), e.g. 1, 0.5, 10");
      return nullptr;
    }
    t.scale = *k;
  }
  return open_impl(cfg, ops, t, tops, err, err_len);
}

template <typename F>
auto guard(cosim_fe* fe, int on_exception, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    if (fe) fe->log(LogLevel::kError, std::string("internal error: ") + e.what());
  } catch (...) {
    if (fe) fe->log(LogLevel::kError, "internal error");
  }
  return static_cast<decltype(f())>(on_exception);
}

void fe_close(cosim_fe* fe) {
  if (!fe) return;
  guard(fe, 0, [&] {
    if (fe->time) {
      fe->time->cancel();
      // The run's time figures (tools/cosim run prints them from QEMU's log).
      fe->log(LogLevel::kInfo, timescale::format_stats(fe->time->mode(), fe->time->stats()));
    }
    if (fe->remote) fe->remote->close("device removed");
    fe->device.reset();
    return 0;
  });
  delete fe;
}

int fe_describe(cosim_fe* fe, cosim_fe_device_info* out) {
  if (!fe || !out) return COSIM_FE_ERR_ARGUMENT;
  const DeviceDescription& d = fe->device->description();
  std::memset(out, 0, sizeof *out);
  std::snprintf(out->name, sizeof out->name, "%s", d.name.c_str());
  out->vendor_id = d.vendor_id;
  out->device_id = d.device_id;
  out->subsystem_vendor_id = d.subsystem_vendor_id;
  out->subsystem_id = d.subsystem_id;
  out->class_code = d.class_code;
  out->revision = d.revision;
  out->intx_pin = d.intx_pin;
  out->msi_vectors = d.msi_vectors;
  out->msix_vectors = d.msix_vectors;
  out->msix_table_bar = d.msix_table_bar;
  out->msix_pba_bar = d.msix_pba_bar;
  out->msix_table_offset = d.msix_table_offset;
  out->msix_pba_offset = d.msix_pba_offset;
  for (unsigned i = 0; i < kNumBars; ++i) {
    out->bars[i].size = d.bars[i].size;
    out->bars[i].kind = static_cast<uint32_t>(d.bars[i].kind);
    out->bars[i].prefetchable = d.bars[i].prefetchable;
  }
  return COSIM_FE_OK;
}

const char* fe_summary(cosim_fe* fe) { return fe ? fe->summary.c_str() : ""; }

int fe_bar_read(cosim_fe* fe, int bar, uint64_t offset, unsigned size, uint64_t* value) {
  if (!fe || !value || bar < 0) return COSIM_FE_ERR_ARGUMENT;
  return guard(fe, COSIM_FE_ERR_DEVICE, [&] {
    // The guest waits for this read: in freeze its time stands still for the
    // whole wait (lockstep: once it passes 1 ms), so a slow simulation shows
    // as the device's simulated latency, not as the simulator's.
    const bool timed = fe->time && fe->time->active();
    if (timed) fe->time->before_access();
    Status s = fe->device->bar_read(static_cast<unsigned>(bar), offset, size, *value);
    if (timed) fe->time->reschedule();
    if (!s && s.code() != ErrorCode::kPeerLost) fe->log(LogLevel::kWarning, "BAR read: " + s.to_string());
    fe->kick_if_pending();
    return to_code(s);
  });
}

int fe_bar_write(cosim_fe* fe, int bar, uint64_t offset, unsigned size, uint64_t value) {
  if (!fe || bar < 0) return COSIM_FE_ERR_ARGUMENT;
  return guard(fe, COSIM_FE_ERR_DEVICE, [&] {
    if (fe->time) fe->time->before_access();
    Status s = fe->device->bar_write(static_cast<unsigned>(bar), offset, size, value);
    // A posted write is outstanding work: the next sync comes within a quantum.
    if (fe->time) fe->time->after_write();
    if (!s && s.code() != ErrorCode::kPeerLost) fe->log(LogLevel::kWarning, "BAR write: " + s.to_string());
    fe->kick_if_pending();
    return to_code(s);
  });
}

void fe_reset(cosim_fe* fe, int kind) {
  if (!fe) return;
  guard(fe, 0, [&] {
    fe->device->reset(kind == COSIM_FE_RESET_FLR ? ResetKind::kFunctionLevel : ResetKind::kSystem);
    fe->kick_if_pending();
    return 0;
  });
}

int fe_poll_fd(cosim_fe* fe) { return fe && fe->remote ? fe->remote->notify_fd() : -1; }

void fe_poll(cosim_fe* fe) {
  if (!fe || !fe->remote) return;
  guard(fe, 0, [&] {
    fe->remote->poll();
    if (fe->time) fe->time->reschedule();  // a lookahead may have arrived
    fe->kick_if_pending();
    return 0;
  });
}

void fe_on_timer(cosim_fe* fe) {
  if (!fe || !fe->time) return;
  guard(fe, 0, [&] {
    fe->time->on_timer();
    fe->kick_if_pending();
    return 0;
  });
}

int fe_time_stats(cosim_fe* fe, cosim_fe_time_stats* out) {
  if (!fe || !out || out->struct_size < sizeof(cosim_fe_time_stats)) return COSIM_FE_ERR_ARGUMENT;
  if (!fe->time) return COSIM_FE_ERR_ARGUMENT;
  const timescale::Stats s = fe->time->stats();
  out->mode = static_cast<uint32_t>(fe->time->mode());
  out->wall_ps = s.wall_ps;
  out->guest_ps = s.guest_ps;
  out->device_ps = s.device_ps;
  out->frozen_ps = s.frozen_ps;
  out->syncs = s.syncs;
  out->freezes = s.freezes;
  return COSIM_FE_OK;
}

int fe_alive(cosim_fe* fe) { return fe && (!fe->remote || fe->remote->alive()) ? 1 : 0; }

const cosim_fe_api kApi = {
    COSIM_FE_ABI_MAJOR, COSIM_FE_ABI_MINOR, sizeof(cosim_fe_api),
    fe_open,            fe_close,           fe_describe,
    fe_summary,         fe_bar_read,        fe_bar_write,
    fe_reset,           fe_poll_fd,         fe_poll,
    fe_alive,           fe_open_timed,      fe_on_timer,
    fe_time_stats,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const cosim_fe_api* cosim_fe_get_api(uint32_t abi_major) {
  return abi_major == COSIM_FE_ABI_MAJOR ? &kApi : nullptr;
}
