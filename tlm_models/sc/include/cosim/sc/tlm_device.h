// The TLM adapter: a cosim::Device that owns a SystemC simulation of one
// TlmModel. BAR accesses become b_transport calls, the model's DMA becomes
// HostPort DMA, its INTx signal and MSI events become HostPort interrupts, and
// Device time is the SystemC kernel's time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <tlm>

#include "cosim/bridge/device.h"
#include "cosim/bridge/log.h"
#include "cosim/bridge/status.h"
#include "cosim/model_params.h"
#include "cosim/sc/tlm_model.h"

namespace cosim::sc {

struct TlmOptions {
  // tlm_global_quantum: how far a process (the bridge's BAR master, a model's
  // command thread) may run ahead of the kernel before it syncs.
  uint64_t quantum_ps = 1'000'000;  // 1 us
  // Simulated time one BAR access may take (a model that wait()s in
  // b_transport) before it is declared stuck and the device fails.
  uint64_t access_timeout_ps = 1'000'000'000'000;  // 1 s
  // SystemC's reports and the bridge's own messages go here.
  LogSink log;
};

// Keys of the model parameters that configure the adapter rather than the
// model: quantum=<duration>, access_timeout=<duration> (e.g. "10us"). Removes
// them from `params`; a bad value is a kConfig error naming the key.
Result<TlmOptions> take_tlm_options(ModelParams& params, TlmOptions defaults);

// The process-wide default for `quantum` (cosim-host --quantum).
void set_default_quantum_ps(uint64_t quantum_ps);
uint64_t default_quantum_ps();

// Builds the model. Called once, during elaboration; may fail with a Status
// (a bad parameter) or throw (SystemC reports an error).
using TlmModelFactory = std::function<Result<std::unique_ptr<TlmModel>>()>;

// The Status a TLM response maps to: ok for TLM_OK_RESPONSE, else
// kDeviceError naming `what` and the response status.
Status tlm_response_status(const tlm::tlm_generic_payload& trans, const std::string& what);

class TlmDevice final : public Device {
 public:
  // Elaborates the model and the bridge, binds them and starts SystemC at time
  // 0. SystemC cannot be restarted, so a process elaborates at most once: a
  // second create() is a kConfig error, and so is one after a model threw or
  // failed SystemC's end-of-elaboration checks (an unbound port). Other
  // errors, after which another create() may be tried: the factory's own
  // Status, or kConfig for a model that lacks a socket or port its description
  // needs. `name` (e.g. "tlm:epf-test") prefixes the adapter's log lines.
  static Result<std::unique_ptr<TlmDevice>> create(const std::string& name, const TlmModelFactory& factory,
                                                   TlmOptions options);
  ~TlmDevice() override;
  TlmDevice(const TlmDevice&) = delete;
  TlmDevice& operator=(const TlmDevice&) = delete;

  // Device. Calls come from one thread; none may come from inside a HostPort
  // callback (the kernel is running then): such a call fails with kInternal.
  const DeviceDescription& description() const override;
  void attach(HostPort* host) override;
  // One b_transport on the BAR's socket, all bytes enabled. A response error
  // is kDeviceError (reads give all-ones); a failed simulation fails every
  // access with the Status that ended it.
  Status bar_read(unsigned bar, uint64_t offset, unsigned size, uint64_t& value) override;
  Status bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) override;
  // Resets the model (TlmModel::reset, in simulation context) and restarts
  // Device time at 0: SystemC time itself cannot go back, so Device time is
  // kernel time minus the time of the last reset.
  void reset(ResetKind kind) override;
  // Runs the kernel up to `time_ps` (Device time); a model with nothing to do
  // just has its clock moved.
  void advance_to(uint64_t time_ps) override;
  // Kernel time, or the BAR master's local time when it runs ahead of the
  // kernel (temporal decoupling), or, during a DMA, the time the model annotated.
  uint64_t now_ps() const override;
  // Kernel time of the next pending event when the model has one, else nullopt.
  std::optional<uint64_t> next_event_ps() const override;

  // Runs `trans` through BAR `bar`'s initiator socket in simulation context,
  // as a BAR access does, for accesses the Device interface cannot express
  // (byte enables, other lengths). The response status stays in `trans`; the
  // returned Status is tlm_response_status() of it, or why it did not run.
  Status transport(unsigned bar, tlm::tlm_generic_payload& trans);

  TlmModel& model();
  // Set once the simulation has failed (a SystemC error, a stuck access, a
  // model that stopped the kernel); every later access returns it.
  const Status& failure() const;

  struct Impl;

 private:
  explicit TlmDevice(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// How registries make a TLM device: takes the adapter's keys (quantum,
// access_timeout; quantum defaults to default_quantum_ps()) from `params`,
// then elaborates the model `factory` builds from the rest. `name` (e.g.
// "tlm:epf-test") prefixes the adapter's log lines and errors.
using TlmParamFactory = std::function<Result<std::unique_ptr<TlmModel>>(const ModelParams&, const LogSink&)>;
Result<std::unique_ptr<Device>> make_tlm_device(const std::string& name, const TlmParamFactory& factory,
                                                ModelParams params, const LogSink& log);

}  // namespace cosim::sc
