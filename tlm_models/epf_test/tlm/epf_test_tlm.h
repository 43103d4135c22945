// TLM-2.0 loosely-timed model of the reference device `epf-test`
// (shared/specs/epf-test.md): the same registers and commands as the native
// model, with the time they take annotated. A COMMAND write is accepted by a
// command thread after the register latency; the transfer runs over simulated
// time (DMA bandwidth, CRC throughput) with a quantum keeper, and the
// completion interrupt is raised at the simulated completion time.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <array>
#include <cstdint>
#include <memory>
#include <systemc>
#include <tlm>
#include <vector>

#include "cosim/bridge/log.h"
#include "cosim/model_params.h"
#include "cosim/sc/tlm_model.h"
#include "epf_test_logic.h"
#include "params.h"

namespace cosim::epf_test {

// Timing parameters (`--param` keys in parentheses; README.md in this folder).
struct EpfTestTiming {
  uint64_t reg_latency_ps = 10'000;  // (reg_latency) every BAR access, registers and BAR memory
  double dma_bytes_per_ns = 4.0;     // (dma_bw) the DMA engine, both directions: 4 B/ns = 4 GB/s
  double crc_bytes_per_ns = 8.0;     // (crc_bw) CRC-32 over data READ fetched or WRITE generated
  friend bool operator==(const EpfTestTiming&, const EpfTestTiming&) = default;
};
inline constexpr const char* kEpfTestTimingKeys = "reg_latency, dma_bw, crc_bw";

// Removes the timing keys from `params`; a bad value is a kConfig error naming the key.
Result<EpfTestTiming> take_epf_test_timing(ModelParams& params);

// The `tlm:epf-test` factory: timing keys, then the device configuration
// (parse_epf_test_params) from what is left.
Result<std::unique_ptr<sc::TlmModel>> make_epf_test_tlm(ModelParams params, const LogSink& log);

class EpfTestTlm final : public sc::TlmModel {
 public:
  SC_HAS_PROCESS(EpfTestTlm);
  // DMA moves at most this much per b_transport, through one bounce buffer
  // (as the native model), so a long transfer advances time chunk by chunk.
  static constexpr uint32_t kDmaChunk = 64 * 1024;

  // `config` must pass check_config().
  EpfTestTlm(const sc_core::sc_module_name& name, const EpfTestConfig& config, const EpfTestTiming& timing,
             LogSink log);

  tlm_utils::simple_initiator_socket<EpfTestTlm> dma;
  sc_core::sc_out<bool> intx;
  sc_core::sc_port<sc::InterruptIf> msi;

  // TlmModel
  const DeviceDescription& description() const override { return desc_; }
  sc::BarTargetSocket* bar_socket(unsigned bar) override;
  sc::DmaInitiatorSocket* dma_socket() override { return &dma; }
  sc_core::sc_out<bool>* intx_port() override { return &intx; }
  sc_core::sc_port<sc::InterruptIf>* msi_port() override { return &msi; }
  void reset(ResetKind kind) override;

  // For tests: the register file, the timing in use, and whether a command
  // has been accepted and not yet completed.
  const EpfTestRegs& regs() const { return regs_; }
  const EpfTestTiming& timing() const { return timing_; }
  bool busy() const { return busy_; }

 private:
  // BAR accesses (any BAR; `bar` is the socket's tag).
  void b_transport(int bar, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void write_reg(const RegSlice& slice, const sc_core::sc_time& delay);
  // The command engine.
  void command_thread();
  void run_command(uint32_t command);
  uint32_t do_read(const EpfTestRegs& cmd);
  uint32_t do_write(const EpfTestRegs& cmd, uint64_t number);
  uint32_t do_copy(const EpfTestRegs& cmd);
  bool dma_transfer(tlm::tlm_command command, uint64_t address, uint32_t n, const char* what);
  void spend(uint64_t bytes, double bytes_per_ns);
  void raise_irq(uint32_t type, uint32_t number, const char* what);
  void update_intx();
  [[gnu::format(printf, 3, 4)]] void logf(LogLevel level, const char* fmt, ...) const;

  EpfTestConfig config_;
  EpfTestTiming timing_;
  DeviceDescription desc_;
  LogSink log_;
  std::array<std::unique_ptr<tlm_utils::simple_target_socket_tagged<EpfTestTlm>>, kNumBars> bar_;

  EpfTestRegs regs_;
  bool irq_from_intx_ = false;  // as the native model: INTx level = IRQ_RAISED && irq_from_intx_
  bool intx_level_ = false;     // the level last written to `intx`
  uint64_t write_count_ = 0;    // WRITE commands since reset: varies the pattern
  bool busy_ = false;
  uint32_t checksum_ = 0;       // WRITE's CRC, published at completion

  // A COMMAND write notifies the engine at the write's annotated time.
  sc_core::sc_event command_event_;
  sc_core::sc_time command_at_;
  sc_core::sc_process_handle command_thread_;
  tlm_utils::tlm_quantumkeeper qk_;

  std::array<std::vector<uint8_t>, kNumBars> bar_mem_;  // BAR0: bytes past the registers
  std::vector<uint8_t> bounce_;                         // kDmaChunk bytes
};

}  // namespace cosim::epf_test
