// TlmDevice: one SystemC simulation per process, driven from the Device calls.
//
// Threading: there is one OS thread. A Device call posts a request to the
// bridge's BAR-master SC_THREAD and runs the kernel (sc_start) until that
// thread reports completion with sc_pause(); whatever the model does meanwhile
// (DMA, interrupts) reaches the HostPort synchronously from inside sc_start.
// The kernel never runs between Device calls except in advance_to().
//
// Time: Device time = kernel time - time of the last reset (SystemC time cannot
// go back). The BAR master keeps a tlm_quantumkeeper: consecutive accesses
// accumulate their annotated latency as local time and sync (wait) only when
// it exceeds the global quantum, so a register access costs no context switch
// of the kernel's clock.
#include "cosim/sc/tlm_device.h"

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

namespace cosim::sc {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

// Generic-payload data is in host byte order; BAR values are little-endian.
static_assert(std::endian::native == std::endian::little, "the BAR value <-> payload byte mapping assumes a little-endian host");

namespace {

std::atomic<bool> g_elaborated{false};
std::atomic<uint64_t> g_default_quantum_ps{1'000'000};
// Where SystemC's reports go. The report handler is a plain function pointer
// and a process holds one simulation, so one global sink is exact.
LogSink g_report_log;

// SystemC's default time resolution, 1 ps, is fixed when the first sc_time is
// built (create() builds one before the model's constructor could change it),
// so an sc_time value is a count of picoseconds.
sc_time from_ps(uint64_t ps) { return sc_time::from_value(ps); }
uint64_t to_ps(const sc_time& t) { return t.value(); }

std::string format(const char* fmt, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

const char* response_name(tlm::tlm_response_status s) {
  switch (s) {
    case tlm::TLM_OK_RESPONSE: return "TLM_OK_RESPONSE";
    case tlm::TLM_INCOMPLETE_RESPONSE: return "TLM_INCOMPLETE_RESPONSE";
    case tlm::TLM_GENERIC_ERROR_RESPONSE: return "TLM_GENERIC_ERROR_RESPONSE";
    case tlm::TLM_ADDRESS_ERROR_RESPONSE: return "TLM_ADDRESS_ERROR_RESPONSE";
    case tlm::TLM_COMMAND_ERROR_RESPONSE: return "TLM_COMMAND_ERROR_RESPONSE";
    case tlm::TLM_BURST_ERROR_RESPONSE: return "TLM_BURST_ERROR_RESPONSE";
    case tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE: return "TLM_BYTE_ENABLE_ERROR_RESPONSE";
  }
  return "an unknown response status";
}

// One line for a report: "(E109) complete binding failed: port not bound:
// port 'm.p' (sc_in) [in process m.run at 10 ns]".
std::string report_text(const sc_core::sc_report& r) {
  std::string text = std::string(r.get_msg_type());
  if (r.get_msg() && *r.get_msg()) text += std::string(": ") + r.get_msg();
  for (char& c : text)
    if (c == '\n') c = ' ';
  if (r.get_process_name() && *r.get_process_name())
    text += std::string(" [in process ") + r.get_process_name() + " at " + r.get_time().to_string() + "]";
  return text;
}

// SystemC reports into our log (instead of stdout); errors keep their
// default action, a thrown sc_report, which the callers turn into a Status.
void report_handler(const sc_core::sc_report& report, const sc_core::sc_actions& actions) {
  if ((actions & sc_core::SC_DISPLAY) && g_report_log) {
    LogLevel level = LogLevel::kInfo;
    switch (report.get_severity()) {
      case sc_core::SC_INFO: level = LogLevel::kDebug; break;
      case sc_core::SC_WARNING: level = LogLevel::kWarning; break;
      default: level = LogLevel::kError; break;
    }
    g_report_log(level, "SystemC: " + report_text(report));
  }
  sc_core::sc_report_handler::default_handler(report, actions & ~sc_core::SC_DISPLAY);
}

}  // namespace

Status tlm_response_status(const tlm::tlm_generic_payload& trans, const std::string& what) {
  const tlm::tlm_response_status s = trans.get_response_status();
  if (s == tlm::TLM_OK_RESPONSE) return {};
  std::string text = what + ": the model answered " + response_name(s);
  if (s == tlm::TLM_INCOMPLETE_RESPONSE) text += " (its b_transport returned without setting a response)";
  return {ErrorCode::kDeviceError, text};
}

void set_default_quantum_ps(uint64_t quantum_ps) { g_default_quantum_ps = quantum_ps; }
uint64_t default_quantum_ps() { return g_default_quantum_ps; }

Result<TlmOptions> take_tlm_options(ModelParams& params, TlmOptions options) {
  if (auto v = take_param(params, "quantum")) {
    auto ps = parse_duration_ps(*v);
    if (!ps)
      return Status{ErrorCode::kConfig, "option quantum='" + *v + "': must be a duration such as 1us, 500ns or 0ns"};
    options.quantum_ps = *ps;
  }
  if (auto v = take_param(params, "access_timeout")) {
    auto ps = parse_duration_ps(*v);
    if (!ps || *ps == 0)
      return Status{ErrorCode::kConfig,
                    "option access_timeout='" + *v + "': must be a positive duration such as 1s or 100us"};
    options.access_timeout_ps = *ps;
  }
  return options;
}

// ---- The bridge module: the SystemC side of the adapter ----------------------

// What the bridge asks its BAR-master thread to do.
struct Request {
  enum class Kind { kAccess, kReset } kind = Kind::kAccess;
  unsigned bar = 0;
  tlm::tlm_generic_payload* trans = nullptr;
  ResetKind reset_kind = ResetKind::kSystem;
  bool done = false;
};

// State shared by the Device side and the SystemC side.
struct Shared {
  std::string name;  // "tlm:epf-test", for messages
  TlmOptions options;
  const DeviceDescription* desc = nullptr;
  HostPort* host = nullptr;
  Request request;
  sc_time epoch;     // kernel time of the last reset: Device time 0
  sc_time bus_time;  // the BAR master's local time (>= kernel time when ahead)
  bool in_dma = false;
  sc_time dma_time;  // time the model annotated on the DMA being served
  bool intx_level = false;
  uint64_t transactions = 0;  // BAR accesses forwarded so far (TlmModel::on_transaction)

  void log(LogLevel level, const std::string& text) const {
    if (options.log) options.log(level, name + ": " + text);
  }
};

class Bridge final : public sc_core::sc_module, public InterruptIf {
 public:
  SC_HAS_PROCESS(Bridge);

  Bridge(const sc_core::sc_module_name& name, TlmModel& model, Shared& shared)
      : sc_core::sc_module(name), model_(model), shared_(shared), intx_("intx") {
    const DeviceDescription& d = *shared_.desc;
    for (unsigned i = 0; i < kNumBars; ++i) {
      if (!d.bars[i].implemented()) continue;
      bar_init_[i] = std::make_unique<tlm_utils::simple_initiator_socket<Bridge>>(("bar" + std::to_string(i)).c_str());
      bar_init_[i]->bind(*model.bar_socket(i));
    }
    if (DmaInitiatorSocket* dma = model.dma_socket()) {
      dma_target_ = std::make_unique<tlm_utils::simple_target_socket<Bridge>>("dma");
      dma_target_->register_b_transport(this, &Bridge::dma_b_transport);
      dma->bind(*dma_target_);
    }
    if (sc_core::sc_out<bool>* intx = model.intx_port()) {
      intx->bind(intx_);
      SC_METHOD(on_intx);
      sensitive << intx_;
      dont_initialize();
    }
    if (sc_core::sc_port<InterruptIf>* msi = model.msi_port()) msi->bind(*this);
    SC_THREAD(bar_master);
  }

  sc_core::sc_event request_event;

  // InterruptIf: the model's MSI / MSI-X, at the caller's simulation time.
  void raise_msi(uint32_t vector) override { raise(IrqKind::kMsi, vector, shared_.desc->msi_vectors, "MSI"); }
  void raise_msix(uint32_t vector) override { raise(IrqKind::kMsix, vector, shared_.desc->msix_vectors, "MSI-X"); }

 private:
  // Most delta cycles an access may leave behind that the master lets run
  // before it reports completion (signal updates and the methods they wake,
  // such as the INTx edge a STATUS write causes).
  static constexpr int kMaxSettleDeltas = 64;

  void bar_master() {
    for (;;) {
      sc_core::wait(request_event);
      Request& r = shared_.request;
      if (r.kind == Request::Kind::kAccess) {
        // Local time: how far the master already runs ahead of the kernel.
        const sc_time now = sc_core::sc_time_stamp();
        qk_.reset();
        if (shared_.bus_time > now) qk_.set(shared_.bus_time - now);
        sc_time delay = qk_.get_local_time();
        model_.on_transaction(++shared_.transactions);
        (*bar_init_[r.bar])->b_transport(*r.trans, delay);
        qk_.set(delay);
        shared_.bus_time = qk_.get_current_time();
        if (qk_.need_sync()) {
          qk_.sync();
          shared_.bus_time = sc_core::sc_time_stamp();
        }
      } else {
        model_.reset(r.reset_kind);
        qk_.reset();
      }
      // Let the deltas the access caused run now, so their effects (an INTx
      // edge) reach the host before the reply, in order.
      for (int i = 0; i < kMaxSettleDeltas && sc_core::sc_pending_activity_at_current_time(); ++i)
        sc_core::wait(SC_ZERO_TIME);
      r.done = true;
      sc_core::sc_pause();
    }
  }

  void on_intx() {
    const bool level = intx_.read();
    if (level == shared_.intx_level) return;
    shared_.intx_level = level;
    if (shared_.host) shared_.host->set_intx(level);
  }

  void raise(IrqKind kind, uint32_t vector, uint32_t count, const char* what) {
    if (vector >= count) {
      shared_.log(LogLevel::kError, format("the model raised %s vector %u (0-based) but describes %u vectors; dropped",
                                           what, vector, count));
      return;
    }
    if (!shared_.host) {
      shared_.log(LogLevel::kWarning, format("%s vector %u lost: no host attached", what, vector));
      return;
    }
    if (kind == IrqKind::kMsi)
      shared_.host->raise_msi(vector);
    else
      shared_.host->raise_msix(vector);
  }

  // The model's bus-master accesses: guest memory through the HostPort.
  void dma_b_transport(tlm::tlm_generic_payload& t, sc_time& delay) {
    shared_.in_dma = true;
    shared_.dma_time = sc_core::sc_time_stamp() + delay;
    t.set_response_status(serve_dma(t));
    shared_.in_dma = false;
  }

  tlm::tlm_response_status serve_dma(tlm::tlm_generic_payload& t) {
    const bool is_read = t.is_read();
    if (!is_read && !t.is_write()) return tlm::TLM_OK_RESPONSE;  // TLM_IGNORE_COMMAND: nothing to do
    const uint64_t address = t.get_address();
    const uint32_t length = t.get_data_length();
    const char* what = is_read ? "read" : "write";
    if (length == 0) return tlm::TLM_OK_RESPONSE;
    if (t.get_streaming_width() < length) {
      shared_.log(LogLevel::kError, format("DMA %s at 0x%" PRIx64 ": streaming width %u < length %u; guest memory "
                                           "has no FIFO addresses",
                                           what, address, t.get_streaming_width(), length));
      return tlm::TLM_BURST_ERROR_RESPONSE;
    }
    if (address > UINT64_MAX - (length - 1)) {
      shared_.log(LogLevel::kError,
                  format("DMA %s of %u bytes at 0x%" PRIx64 " wraps past the end of the address space", what, length,
                         address));
      return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    }
    if (!shared_.host) {
      shared_.log(LogLevel::kError, format("DMA %s of %u bytes at 0x%" PRIx64 ": no host attached", what, length,
                                           address));
      return tlm::TLM_GENERIC_ERROR_RESPONSE;
    }
    const uint8_t* be = t.get_byte_enable_ptr();
    if (be && t.get_byte_enable_length() == 0) {
      shared_.log(LogLevel::kError, format("DMA %s at 0x%" PRIx64 ": byte enable pointer with length 0", what, address));
      return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
    }
    Status s;
    if (!be) {
      std::span<uint8_t> data(t.get_data_ptr(), length);
      s = is_read ? shared_.host->dma_read(address, data) : shared_.host->dma_write(address, data);
    } else {
      s = dma_with_byte_enables(t, is_read);
    }
    if (s) return tlm::TLM_OK_RESPONSE;
    shared_.log(LogLevel::kWarning, format("DMA %s of %u bytes at 0x%" PRIx64 " failed: %s", what, length, address,
                                           s.to_string().c_str()));
    return s.code() == ErrorCode::kDmaFault ? tlm::TLM_ADDRESS_ERROR_RESPONSE : tlm::TLM_GENERIC_ERROR_RESPONSE;
  }

  // Byte enables (pattern repeated every byte_enable_length bytes, 0xff =
  // enabled): each run of enabled bytes is one DMA, so disabled bytes of guest
  // memory and of the read buffer stay untouched.
  Status dma_with_byte_enables(tlm::tlm_generic_payload& t, bool is_read) {
    const uint8_t* be = t.get_byte_enable_ptr();
    const uint32_t be_len = t.get_byte_enable_length();
    const uint32_t length = t.get_data_length();
    auto enabled = [&](uint32_t i) { return be[i % be_len] == TLM_BYTE_ENABLED; };
    uint32_t i = 0;
    while (i < length) {
      if (!enabled(i)) {
        ++i;
        continue;
      }
      uint32_t end = i;
      while (end < length && enabled(end)) ++end;
      std::span<uint8_t> run(t.get_data_ptr() + i, end - i);
      Status s = is_read ? shared_.host->dma_read(t.get_address() + i, run)
                         : shared_.host->dma_write(t.get_address() + i, run);
      if (!s) return s;
      i = end;
    }
    return {};
  }

  TlmModel& model_;
  Shared& shared_;
  std::array<std::unique_ptr<tlm_utils::simple_initiator_socket<Bridge>>, kNumBars> bar_init_;
  std::unique_ptr<tlm_utils::simple_target_socket<Bridge>> dma_target_;
  // Many writers: a model drives INTx from its threads and from b_transport,
  // which runs in the BAR master's process.
  sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS> intx_;
  tlm_utils::tlm_quantumkeeper qk_;
};

// ---- TlmDevice ---------------------------------------------------------------

struct TlmDevice::Impl {
  Shared shared;
  std::unique_ptr<TlmModel> model;
  std::unique_ptr<Bridge> bridge;
  DeviceDescription desc;
  tlm::tlm_generic_payload payload;  // reused by bar_read / bar_write
  Status failure;
  bool running = false;  // inside sc_start: Device calls are not allowed

  void fail(Status s) {
    shared.log(LogLevel::kError, s.message() + "; the simulation cannot continue");
    failure = std::move(s);
  }

  // Why a Device call cannot run the kernel now, or ok.
  Status usable(const char* what) const {
    if (!failure) return failure;
    if (running)
      return {ErrorCode::kInternal,
              std::string(what) + " called while the SystemC kernel runs (from a HostPort callback?)"};
    return {};
  }

  // Runs the kernel within `body`, turning SystemC errors and a stopped
  // kernel into the device's failure. `what()` names the operation; it is
  // only called to write a message (a BAR access is too frequent to format
  // one every time).
  template <typename What, typename F>
  void run_kernel(const What& what, F&& body) {
    running = true;
    try {
      body();
      if (sc_core::sc_get_status() == sc_core::SC_STOPPED)
        fail({ErrorCode::kDeviceError, "the model stopped the simulation (sc_stop) during " + what()});
    } catch (const sc_core::sc_report& r) {
      fail({ErrorCode::kDeviceError, "SystemC error during " + what() + ": " + report_text(r)});
    } catch (const std::exception& e) {
      fail({ErrorCode::kDeviceError, "the model threw during " + what() + ": " + e.what()});
    }
    running = false;
  }

  // Hands `request` to the BAR master and runs the kernel until it is done.
  // A request that cannot complete (starved kernel, simulated-time limit)
  // fails the device: the master thread stays stuck inside the model.
  template <typename What>
  Status execute(const What& what) {
    shared.request.done = false;
    bridge->request_event.notify(SC_ZERO_TIME);
    const sc_time limit = sc_core::sc_time_stamp() + from_ps(shared.options.access_timeout_ps);
    run_kernel(what, [&] {
      while (!shared.request.done && failure) {
        if (!sc_core::sc_pending_activity()) {
          fail({ErrorCode::kDeviceError,
                what() + " never completed: the model waits for an event nothing will notify (simulation starved at " +
                    sc_core::sc_time_stamp().to_string() + ")"});
          return;
        }
        if (sc_core::sc_time_stamp() >= limit) {
          fail({ErrorCode::kTimeout, what() + " did not complete within " +
                                         format_duration(shared.options.access_timeout_ps) +
                                         " of simulated time (access_timeout)"});
          return;
        }
        // Returns when the master pauses, or at the limit. (With
        // SC_EXIT_ON_STARVATION the kernel would not move to the limit when
        // the next event lies beyond it.)
        sc_core::sc_start(limit - sc_core::sc_time_stamp());
        if (sc_core::sc_get_status() == sc_core::SC_STOPPED) return;
      }
    });
    return failure;
  }

  template <typename What>
  Status access(unsigned bar, tlm::tlm_generic_payload& t, const What& what) {
    if (Status s = usable("transport"); !s) return s;
    shared.request.kind = Request::Kind::kAccess;
    shared.request.bar = bar;
    shared.request.trans = &t;
    if (Status s = execute(what); !s) return s;
    if (t.is_response_ok()) return {};
    return tlm_response_status(t, what());
  }

  Status bar_access(tlm::tlm_command cmd, unsigned bar, uint64_t offset, unsigned size, uint64_t& value) {
    uint8_t data[8];
    std::memcpy(data, &value, sizeof data);
    // `payload` may be in use by the access that is running now.
    Status s = usable(cmd == tlm::TLM_READ_COMMAND ? "bar_read" : "bar_write");
    if (s) s = check_bar_access(desc, bar, offset, size);
    if (s) {
      tlm::tlm_generic_payload& t = payload;
      t.set_command(cmd);
      t.set_address(offset);
      t.set_data_ptr(data);
      t.set_data_length(size);
      t.set_streaming_width(size);
      t.set_byte_enable_ptr(nullptr);
      t.set_byte_enable_length(0);
      t.set_dmi_allowed(false);
      t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      s = access(bar, t, [&] {
        return format("BAR%u %s of %u bytes at 0x%" PRIx64, bar, cmd == tlm::TLM_READ_COMMAND ? "read" : "write",
                      size, offset);
      });
    }
    if (cmd == tlm::TLM_READ_COMMAND) {
      value = ~uint64_t{0};  // what a failed read gives, as a surprise-removed device would
      if (s) {
        value = 0;
        std::memcpy(&value, data, size);
      }
    }
    return s;
  }

  // Checks what the description promises against what the model offers.
  static Status check_model(TlmModel& model, const DeviceDescription& d) {
    if (Status s = validate(d); !s)
      return {ErrorCode::kConfig, "the model describes itself inconsistently: " + s.message()};
    for (unsigned i = 0; i < kNumBars; ++i)
      if (d.bars[i].implemented() && !model.bar_socket(i))
        return {ErrorCode::kConfig, format("the model describes BAR%u but has no target socket for it", i)};
    if (d.intx_pin != 0 && !model.intx_port())
      return {ErrorCode::kConfig, "the model has an INTx pin but no INTx output (intx_port)"};
    if ((d.msi_vectors != 0 || d.msix_vectors != 0) && !model.msi_port())
      return {ErrorCode::kConfig, "the model has MSI/MSI-X vectors but no MSI port (msi_port)"};
    return {};
  }
};

Result<std::unique_ptr<TlmDevice>> TlmDevice::create(const std::string& name, const TlmModelFactory& factory,
                                                     TlmOptions options) {
  if (g_elaborated || sc_core::sc_get_status() != sc_core::SC_ELABORATION)
    return Status{ErrorCode::kConfig,
                  "this process has already elaborated a SystemC simulation, and SystemC cannot be restarted; "
                  "serve another TLM model from another process"};
  // The banner would bypass the log; respect a user who asks for it.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  g_report_log = options.log;
  sc_core::sc_report_handler::set_handler(&report_handler);
  // A library never aborts the process: fatal reports are thrown like errors.
  sc_core::sc_report_handler::set_actions(sc_core::SC_FATAL, sc_core::SC_DISPLAY | sc_core::SC_THROW);
  tlm::tlm_global_quantum::instance().set(from_ps(options.quantum_ps));

  auto impl = std::make_unique<Impl>();
  impl->shared.name = name;
  impl->shared.options = std::move(options);
  auto elaboration_error = [&](const std::string& what) {
    return Status{ErrorCode::kConfig, "the model failed to elaborate: " + what};
  };
  try {
    // A factory that refuses its parameters, or a model that does not offer
    // what it describes, leaves nothing behind: another model may be tried.
    auto model = factory();
    if (!model) return model.status();
    impl->model = std::move(model).value();
    impl->desc = impl->model->description();
    impl->shared.desc = &impl->desc;
    if (Status s = Impl::check_model(*impl->model, impl->desc); !s) return s;
    g_elaborated = true;
    impl->bridge = std::make_unique<Bridge>("cosim_bridge", *impl->model, impl->shared);
    // End of elaboration: SystemC checks every port and socket is bound here.
    sc_core::sc_start(SC_ZERO_TIME);
  } catch (const sc_core::sc_report& r) {
    g_elaborated = true;  // the kernel may hold half a model now
    return elaboration_error(report_text(r));
  } catch (const std::exception& e) {
    g_elaborated = true;
    return elaboration_error(e.what());
  }
  impl->shared.epoch = impl->shared.bus_time = sc_core::sc_time_stamp();
  impl->shared.log(LogLevel::kInfo, "elaborated; quantum " + format_duration(impl->shared.options.quantum_ps));
  return std::unique_ptr<TlmDevice>(new TlmDevice(std::move(impl)));
}

TlmDevice::TlmDevice(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TlmDevice::~TlmDevice() {
  // The kernel is paused and never runs again; its processes die with it.
  impl_->bridge.reset();
  impl_->model.reset();
  g_report_log = nullptr;
}

const DeviceDescription& TlmDevice::description() const { return impl_->desc; }

void TlmDevice::attach(HostPort* host) {
  impl_->shared.host = host;
  // A new host cannot know the level: drive it if asserted.
  if (host && impl_->shared.intx_level) host->set_intx(true);
}

Status TlmDevice::bar_read(unsigned bar, uint64_t offset, unsigned size, uint64_t& value) {
  return impl_->bar_access(tlm::TLM_READ_COMMAND, bar, offset, size, value);
}

Status TlmDevice::bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) {
  return impl_->bar_access(tlm::TLM_WRITE_COMMAND, bar, offset, size, value);
}

Status TlmDevice::transport(unsigned bar, tlm::tlm_generic_payload& trans) {
  if (bar >= kNumBars || !impl_->desc.bars[bar].implemented())
    return {ErrorCode::kBadBar, format("%s: BAR%u is not implemented", impl_->shared.name.c_str(), bar)};
  return impl_->access(bar, trans, [&] {
    return format("BAR%u transaction of %u bytes at 0x%" PRIx64, bar, trans.get_data_length(),
                  static_cast<uint64_t>(trans.get_address()));
  });
}

void TlmDevice::reset(ResetKind kind) {
  Impl& m = *impl_;
  if (!m.usable("reset")) return;
  m.shared.request.kind = Request::Kind::kReset;
  m.shared.request.reset_kind = kind;
  const auto what = [kind] { return std::string(kind == ResetKind::kSystem ? "system reset" : "function-level reset"); };
  if (!m.execute(what)) return;
  m.shared.epoch = m.shared.bus_time = sc_core::sc_time_stamp();
}

void TlmDevice::advance_to(uint64_t time_ps) {
  Impl& m = *impl_;
  if (!m.usable("advance_to")) return;
  const sc_time target = m.shared.epoch + from_ps(time_ps);
  if (target <= sc_core::sc_time_stamp()) return;
  m.run_kernel([] { return std::string("advance_to"); }, [&] {
    sc_core::sc_start(target - sc_core::sc_time_stamp());
    // sc_start(d) stops before the events due at now + d; "up to time_ps"
    // includes them, so a device advanced to its next event has handled it.
    while (sc_core::sc_get_status() == sc_core::SC_PAUSED && sc_core::sc_pending_activity_at_current_time())
      sc_core::sc_start(SC_ZERO_TIME);
  });
}

uint64_t TlmDevice::now_ps() const {
  const Shared& s = impl_->shared;
  sc_time t = s.in_dma ? s.dma_time : sc_core::sc_time_stamp();
  // Monotonic: what the host stamps on its messages never goes back, even
  // when the BAR master ran ahead of a model process.
  t = std::max(t, s.bus_time);
  return to_ps(t - s.epoch);
}

std::optional<uint64_t> TlmDevice::next_event_ps() const {
  if (!impl_->failure || !sc_core::sc_pending_activity()) return std::nullopt;
  return to_ps(sc_core::sc_time_stamp() + sc_core::sc_time_to_pending_activity() - impl_->shared.epoch);
}

TlmModel& TlmDevice::model() { return *impl_->model; }

Result<std::unique_ptr<Device>> make_tlm_device(const std::string& name, const TlmParamFactory& factory,
                                                ModelParams params, const LogSink& log) {
  TlmOptions defaults;
  defaults.quantum_ps = default_quantum_ps();
  defaults.log = log;
  auto options = take_tlm_options(params, defaults);
  if (!options) return options.status();
  auto device = TlmDevice::create(name, [&] { return factory(params, log); }, std::move(options).value());
  if (!device) return device.status();
  return std::unique_ptr<Device>(std::move(device).value());
}

const Status& TlmDevice::failure() const { return impl_->failure; }

}  // namespace cosim::sc

// libsystemc.so refers to sc_main for its own main(), which calls it. cosim
// programs have a main() of their own and drive the kernel through TlmDevice,
// so this is only reached by a program that has neither; weak, so a program
// that does define sc_main keeps its own.
__attribute__((weak)) int sc_main(int, char**) {
  std::fprintf(stderr,
               "this program has no sc_main(): it embeds SystemC through cosim::sc::TlmDevice from its own main()\n");
  return 1;
}
