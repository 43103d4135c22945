// libcosim_frontend: the C ABI (cosim_frontend.h) behind QEMU's cosim-pci shim.
// Runs a native model in-process, or a RemoteDevice session with a host, or the
// fallback model when no host answers. No C++ exception crosses the ABI.
#include "cosim_frontend.h"

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "cosim/bridge/session.h"
#include "cosim/bridge/transport.h"
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

}  // namespace

struct cosim_fe {
  cosim_fe_host_ops ops{};
  std::string id;
  std::unique_ptr<QemuHostPort> port;
  std::unique_ptr<Device> device;
  RemoteDevice* remote = nullptr;  // == device.get() when talking to a host
  std::string summary;

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

cosim_fe* fe_open(const cosim_fe_config* cfg, const cosim_fe_host_ops* ops, char* err, size_t err_len) {
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
  return fe.release();
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
    Status s = fe->device->bar_read(static_cast<unsigned>(bar), offset, size, *value);
    if (!s && s.code() != ErrorCode::kPeerLost) fe->log(LogLevel::kWarning, "BAR read: " + s.to_string());
    fe->kick_if_pending();
    return to_code(s);
  });
}

int fe_bar_write(cosim_fe* fe, int bar, uint64_t offset, unsigned size, uint64_t value) {
  if (!fe || bar < 0) return COSIM_FE_ERR_ARGUMENT;
  return guard(fe, COSIM_FE_ERR_DEVICE, [&] {
    Status s = fe->device->bar_write(static_cast<unsigned>(bar), offset, size, value);
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
    fe->kick_if_pending();
    return 0;
  });
}

int fe_alive(cosim_fe* fe) { return fe && (!fe->remote || fe->remote->alive()) ? 1 : 0; }

const cosim_fe_api kApi = {
    COSIM_FE_ABI_MAJOR, COSIM_FE_ABI_MINOR, sizeof(cosim_fe_api),
    fe_open,            fe_close,           fe_describe,
    fe_summary,         fe_bar_read,        fe_bar_write,
    fe_reset,           fe_poll_fd,         fe_poll,
    fe_alive,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const cosim_fe_api* cosim_fe_get_api(uint32_t abi_major) {
  return abi_major == COSIM_FE_ABI_MAJOR ? &kApi : nullptr;
}
