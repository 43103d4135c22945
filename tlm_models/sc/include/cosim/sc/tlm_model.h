// What a SystemC/TLM-2.0 device model offers the bridge: its self-description,
// one target socket per BAR, a DMA initiator socket, an INTx signal and an
// MSI/MSI-X event port. cosim::sc::TlmDevice binds these and serves the model
// as a cosim::Device; the model never sees the bridge's messages.
#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>

#include "cosim/bridge/device.h"

namespace cosim::sc {

// Socket types: TLM-2.0 base protocol, 32-bit bus width (the TLM default, so
// tlm_utils::simple_target_socket<M> and simple_initiator_socket<M> bind as is).
using BarTargetSocket = tlm::tlm_target_socket<32>;
using DmaInitiatorSocket = tlm::tlm_initiator_socket<32>;

// Parameter keys the adapter takes from a TLM model's parameters before the
// model's factory sees the rest (TlmOptions in tlm_device.h).
inline constexpr const char* kTlmOptionKeys = "quantum, access_timeout";

// Message-signalled interrupts as events. Each call sends one MSI / MSI-X
// message for `vector` (0-based, below the count the description declares) at
// the caller's current simulation time: a model that runs ahead of the kernel
// with a quantum keeper syncs it first, so the interrupt carries the simulated
// completion time.
class InterruptIf : public virtual sc_core::sc_interface {
 public:
  virtual void raise_msi(uint32_t vector) = 0;
  virtual void raise_msix(uint32_t vector) = 0;
};

// Base class of a TLM model served by TlmDevice. Bus protocol, by socket:
//  - BAR targets: b_transport with TLM_READ/WRITE_COMMAND, address = offset in
//    the BAR, length 1/2/4/8 (streaming width = length), little-endian data.
//    The model honours byte enables or answers TLM_BYTE_ENABLE_ERROR_RESPONSE,
//    answers every access with a response status (an error status reaches the
//    frontend as an error, never as a value), and may annotate delay or wait().
//  - DMA initiator: b_transport to guest bus addresses, any length and
//    alignment; the bridge answers TLM_ADDRESS_ERROR_RESPONSE for memory the
//    guest cannot reach (outside RAM, refused by an IOMMU), and adds no delay:
//    the model annotates its own DMA engine's time.
//  - INTx: a level on an sc_out<bool>, asserted while the interrupt is pending.
//  - MSI / MSI-X: calls on an sc_port<InterruptIf>.
class TlmModel : public sc_core::sc_module {
 public:
  explicit TlmModel(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {}

  // Identity and resources; fixed after construction.
  virtual const DeviceDescription& description() const = 0;
  // The target socket of BAR `bar`; required for every BAR the description
  // implements, nullptr otherwise.
  virtual BarTargetSocket* bar_socket(unsigned bar) = 0;
  // The bus-master socket, or nullptr for a device without DMA.
  virtual DmaInitiatorSocket* dma_socket() { return nullptr; }
  // The INTx output; required when the description has an INTx pin.
  virtual sc_core::sc_out<bool>* intx_port() { return nullptr; }
  // The MSI/MSI-X port; required when the description has MSI or MSI-X vectors.
  virtual sc_core::sc_port<InterruptIf>* msi_port() { return nullptr; }
  // Back to the power-on state: registers, memories, commands in progress
  // (kill or reset their threads), the INTx level. Called in simulation
  // context (from a thread of the bridge), between BAR accesses.
  virtual void reset(ResetKind kind) = 0;
  // Called by the bridge's BAR master just before it forwards BAR access `n`
  // (1, 2, ... since the device was created; what "the N-th bridge
  // transaction" means to waveform windows), at that access's simulation time.
  virtual void on_transaction(uint64_t n) { (void)n; }
};

}  // namespace cosim::sc
