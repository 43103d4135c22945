// TLM-2.0 LT model of epf-test: BAR target sockets, the command thread, and
// DMA through the initiator socket with annotated time.
#include "tlm/epf_test_tlm.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace cosim::epf_test {

using sc_core::sc_time;

namespace {

sc_time ps(uint64_t v) { return sc_time::from_value(v); }  // SystemC's default resolution: 1 ps

// Time a unit moving `bytes` at `bytes_per_ns` needs, rounded to the picosecond.
sc_time transfer_time(uint64_t bytes, double bytes_per_ns) {
  return ps(static_cast<uint64_t>(std::llround(static_cast<double>(bytes) * 1000.0 / bytes_per_ns)));
}

}  // namespace

Result<EpfTestTiming> take_epf_test_timing(ModelParams& params) {
  EpfTestTiming t;
  if (auto v = take_param(params, "reg_latency")) {
    auto p = parse_duration_ps(*v);
    if (!p)
      return Status{ErrorCode::kConfig, "epf-test option reg_latency='" + *v + "': must be a duration such as 10ns"};
    t.reg_latency_ps = *p;
  }
  auto rate = [&](const char* key, double& field) -> Status {
    if (auto v = take_param(params, key)) {
      auto r = parse_positive(*v);
      if (!r)
        return {ErrorCode::kConfig,
                std::string("epf-test option ") + key + "='" + *v + "': must be a positive number of bytes per ns"};
      field = *r;
    }
    return {};
  };
  if (Status s = rate("dma_bw", t.dma_bytes_per_ns); !s) return s;
  if (Status s = rate("crc_bw", t.crc_bytes_per_ns); !s) return s;
  return t;
}

Result<std::unique_ptr<sc::TlmModel>> make_epf_test_tlm(ModelParams params, const LogSink& log) {
  auto timing = take_epf_test_timing(params);
  if (!timing) return timing.status();
  const std::string more_keys = std::string(kEpfTestTimingKeys) + ", " + sc::kTlmOptionKeys;
  auto config = parse_epf_test_params(params, more_keys.c_str());
  if (!config) return config.status();
  return std::unique_ptr<sc::TlmModel>(new EpfTestTlm("epf_test", *config, *timing, log));
}

EpfTestTlm::EpfTestTlm(const sc_core::sc_module_name& name, const EpfTestConfig& config,
                       const EpfTestTiming& timing, LogSink log)
    : sc::TlmModel(name),
      dma("dma"),
      intx("intx"),
      msi("msi"),
      config_(config),
      timing_(timing),
      desc_(describe(config)),
      log_(std::move(log)),
      bounce_(kDmaChunk) {
  for (unsigned i = 0; i < kNumBars; ++i) {
    bar_mem_[i].assign(desc_.bars[i].size, 0);
    if (!desc_.bars[i].implemented()) continue;
    bar_[i] = std::make_unique<tlm_utils::simple_target_socket_tagged<EpfTestTlm>>(("bar" + std::to_string(i)).c_str());
    bar_[i]->register_b_transport(this, &EpfTestTlm::b_transport, static_cast<int>(i));
  }
  SC_THREAD(command_thread);
  command_thread_ = sc_core::sc_get_current_process_handle();
}

sc::BarTargetSocket* EpfTestTlm::bar_socket(unsigned bar) { return bar < kNumBars ? bar_[bar].get() : nullptr; }

void EpfTestTlm::reset(ResetKind) {
  // System reset and FLR are the same here: the function has no sticky state.
  regs_ = {};
  irq_from_intx_ = false;
  write_count_ = 0;
  busy_ = false;
  checksum_ = 0;
  for (auto& mem : bar_mem_) std::fill(mem.begin(), mem.end(), uint8_t{0});
  command_event_.cancel();
  command_at_ = sc_core::SC_ZERO_TIME;
  // A command in progress dies here: the thread restarts from its top.
  command_thread_.reset();
  update_intx();
}

// ---- BAR accesses -------------------------------------------------------------

// Every BAR answers 1..8-byte accesses inside it, honouring byte enables;
// BAR0 decodes the register block, the rest of BAR0 and the other BARs are memory.
void EpfTestTlm::b_transport(int bar_tag, tlm::tlm_generic_payload& t, sc_time& delay) {
  const unsigned bar = static_cast<unsigned>(bar_tag);
  const tlm::tlm_command cmd = t.get_command();
  if (cmd == tlm::TLM_IGNORE_COMMAND) {
    t.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  const uint64_t offset = t.get_address();
  const unsigned len = t.get_data_length();
  const uint64_t bar_size = desc_.bars[bar].size;
  if (len == 0 || len > 8 || t.get_streaming_width() < len) {
    logf(LogLevel::kError, "BAR%u access at 0x%" PRIx64 ": length %u, streaming width %u; accesses are 1..8 bytes, "
         "not streamed", bar, offset, len, t.get_streaming_width());
    t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  if (offset >= bar_size || len > bar_size - offset) {
    logf(LogLevel::kError, "BAR%u access of %u bytes at 0x%" PRIx64 " is beyond the BAR (%" PRIu64 " bytes)", bar,
         len, offset, bar_size);
    t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const uint8_t* be = t.get_byte_enable_ptr();
  const unsigned be_len = t.get_byte_enable_length();
  if (be && be_len == 0) {
    logf(LogLevel::kError, "BAR%u access at 0x%" PRIx64 ": byte enable pointer with length 0", bar, offset);
    t.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  auto enabled = [&](unsigned i) { return !be || be[i % be_len] == TLM_BYTE_ENABLED; };
  uint8_t* data = t.get_data_ptr();
  std::vector<uint8_t>& mem = bar_mem_[bar];

  if (cmd == tlm::TLM_READ_COMMAND) {
    for (unsigned i = 0; i < len; ++i) {
      if (!enabled(i)) continue;  // disabled bytes of the data array stay as they were
      const uint64_t o = offset + i;
      data[i] = bar == 0 && o < kRegBlockBytes ? regs_.byte(static_cast<uint32_t>(o)) : mem[o];
    }
  } else {
    uint64_t value = 0;
    std::memcpy(&value, data, len);
    if (bar == 0 && offset < kRegBlockBytes) {
      split_bar0_access(
          offset, len, value, enabled, [&](const RegSlice& r) { write_reg(r, delay); },
          [&](uint64_t o, unsigned i) { mem[o] = data[i]; });
      update_intx();
    } else {
      for (unsigned i = 0; i < len; ++i)
        if (enabled(i)) mem[offset + i] = data[i];
    }
  }
  delay += ps(timing_.reg_latency_ps);
  t.set_response_status(tlm::TLM_OK_RESPONSE);
}

void EpfTestTlm::write_reg(const RegSlice& r, const sc_time& delay) {
  uint32_t& reg = regs_.at(r.reg);
  reg = (reg & ~r.mask) | (r.value & r.mask);
  switch (r.reg) {
    case kCommand:
      // Held in COMMAND until the engine accepts it, at the write's time.
      if (reg != 0) {
        command_at_ = sc_core::sc_time_stamp() + delay + ps(timing_.reg_latency_ps);
        command_event_.notify(command_at_ - sc_core::sc_time_stamp());
      }
      break;
    case kStatus:
      // The driver's handler acknowledges by writing IRQ_RAISED back as 0.
      if (!(reg & kStIrqRaised)) irq_from_intx_ = false;
      break;
    default: break;
  }
}

// ---- The command engine ----------------------------------------------------------

void EpfTestTlm::command_thread() {
  qk_.reset();
  for (;;) {
    if (regs_.command == 0) sc_core::wait(command_event_);
    if (sc_core::sc_time_stamp() < command_at_) sc_core::wait(command_at_ - sc_core::sc_time_stamp());
    // A partial write may have cleared the command bits before acceptance.
    if (regs_.command != 0) run_command(regs_.command);
  }
}

void EpfTestTlm::run_command(uint32_t command) {
  regs_.command = 0;  // accepted
  regs_.status = 0;   // as pci-epf-test: every command starts from a clean STATUS
  irq_from_intx_ = false;
  update_intx();

  if (regs_.irq_type > kIrqMsix) {
    logf(LogLevel::kError, "COMMAND 0x%x ignored: IRQ_TYPE %u is not 0 (INTx), 1 (MSI) or 2 (MSI-X)", command,
         regs_.irq_type);
    return;
  }
  const DecodedCommand d = decode_command(command);
  if (!d.op) {
    logf(LogLevel::kError, "COMMAND 0x%x has no command bit (bits 0..5)", command);
    return;
  }
  if (d.several)
    logf(LogLevel::kWarning, "COMMAND 0x%x has several command bits: running only the first of "
         "RAISE_INTX, WRITE, READ, COPY, RAISE_MSI, RAISE_MSIX", command);

  // The transfer works on the registers as they were when it was accepted.
  const EpfTestRegs cmd = regs_;
  busy_ = true;
  qk_.reset();
  uint32_t result = 0;
  switch (*d.op) {
    case Op::kWrite: result = do_write(cmd, write_count_++); break;
    case Op::kRead: result = do_read(cmd); break;
    case Op::kCopy: result = do_copy(cmd); break;
    case Op::kRaiseIntx:
    case Op::kRaiseMsi:
    case Op::kRaiseMsix: break;
  }
  // Complete at the simulated time the work took: STATUS, CHECKSUM and the
  // interrupt all appear then.
  qk_.sync();
  busy_ = false;
  regs_.status |= result;
  if (*d.op == Op::kWrite && (result & kStWriteSuccess)) regs_.checksum = checksum_;
  const IrqRequest irq = completion_irq(*d.op, cmd);
  raise_irq(irq.type, irq.number, op_name(*d.op));
  update_intx();
}

// Advances the engine's local time by the time `bytes` take at `bytes_per_ns`.
void EpfTestTlm::spend(uint64_t bytes, double bytes_per_ns) {
  qk_.inc(transfer_time(bytes, bytes_per_ns));
  if (qk_.need_sync()) qk_.sync();
}

bool EpfTestTlm::dma_transfer(tlm::tlm_command command, uint64_t address, uint32_t n, const char* what) {
  tlm::tlm_generic_payload t;
  t.set_command(command);
  t.set_address(address);
  t.set_data_ptr(bounce_.data());
  t.set_data_length(n);
  t.set_streaming_width(n);
  t.set_byte_enable_ptr(nullptr);
  t.set_dmi_allowed(false);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time delay = qk_.get_local_time();
  dma->b_transport(t, delay);
  qk_.set(delay);
  spend(n, timing_.dma_bytes_per_ns);
  if (t.is_response_ok()) return true;
  logf(LogLevel::kError, "%s: DMA %s of %u bytes at 0x%" PRIx64 " failed: %s", what,
       command == tlm::TLM_READ_COMMAND ? "read" : "write", n, address, t.get_response_string().c_str());
  return false;
}

// READ: the device reads SRC and checks the CRC the driver put in CHECKSUM.
uint32_t EpfTestTlm::do_read(const EpfTestRegs& cmd) {
  if (!transfer_size_ok(cmd.size)) {
    logf(LogLevel::kError, "READ: SIZE %u is not 1..%u", cmd.size, kMaxTransfer);
    return kStReadFail;
  }
  const uint64_t src = cmd.src_addr();
  if (!range_fits(src, cmd.size)) {
    logf(LogLevel::kError, "READ: SRC 0x%" PRIx64 " + SIZE %u wraps past the end of the address space", src, cmd.size);
    return kStReadFail | kStSrcAddrInvalid;
  }
  uint32_t crc = ~0u;
  for (uint32_t pos = 0; pos < cmd.size; pos += kDmaChunk) {
    const uint32_t n = std::min(kDmaChunk, cmd.size - pos);
    if (!dma_transfer(tlm::TLM_READ_COMMAND, src + pos, n, "READ")) return kStReadFail | kStSrcAddrInvalid;
    crc = crc32_le(crc, bounce_.data(), n);
    spend(n, timing_.crc_bytes_per_ns);
  }
  if (crc != cmd.checksum) {
    logf(LogLevel::kWarning, "READ: %u bytes at 0x%" PRIx64 " have CRC 0x%08x, CHECKSUM says 0x%08x", cmd.size, src,
         crc, cmd.checksum);
    return kStReadFail;
  }
  return kStReadSuccess;
}

// WRITE: the device writes data of its own choosing to DST and publishes its
// CRC in CHECKSUM at completion (on failure CHECKSUM keeps its old value).
uint32_t EpfTestTlm::do_write(const EpfTestRegs& cmd, uint64_t number) {
  if (!transfer_size_ok(cmd.size)) {
    logf(LogLevel::kError, "WRITE: SIZE %u is not 1..%u", cmd.size, kMaxTransfer);
    return kStWriteFail;
  }
  const uint64_t dst = cmd.dst_addr();
  if (!range_fits(dst, cmd.size)) {
    logf(LogLevel::kError, "WRITE: DST 0x%" PRIx64 " + SIZE %u wraps past the end of the address space", dst, cmd.size);
    return kStWriteFail | kStDstAddrInvalid;
  }
  WritePattern pattern(config_.write_seed, number);
  uint32_t crc = ~0u;
  // kDmaChunk is a multiple of 8, so the pattern runs on seamlessly across chunks.
  for (uint32_t pos = 0; pos < cmd.size; pos += kDmaChunk) {
    const uint32_t n = std::min(kDmaChunk, cmd.size - pos);
    pattern.fill(std::span<uint8_t>(bounce_.data(), n));
    crc = crc32_le(crc, bounce_.data(), n);
    spend(n, timing_.crc_bytes_per_ns);
    if (!dma_transfer(tlm::TLM_WRITE_COMMAND, dst + pos, n, "WRITE")) return kStWriteFail | kStDstAddrInvalid;
  }
  checksum_ = crc;
  return kStWriteSuccess;
}

// COPY: SRC to DST through the bounce buffer, chunk by chunk (so overlapping
// buffers behave as a forward memcpy in 64 KiB steps).
uint32_t EpfTestTlm::do_copy(const EpfTestRegs& cmd) {
  if (!transfer_size_ok(cmd.size)) {
    logf(LogLevel::kError, "COPY: SIZE %u is not 1..%u", cmd.size, kMaxTransfer);
    return kStCopyFail;
  }
  const uint64_t src = cmd.src_addr();
  const uint64_t dst = cmd.dst_addr();
  if (!range_fits(src, cmd.size)) {
    logf(LogLevel::kError, "COPY: SRC 0x%" PRIx64 " + SIZE %u wraps past the end of the address space", src, cmd.size);
    return kStCopyFail | kStSrcAddrInvalid;
  }
  if (!range_fits(dst, cmd.size)) {
    logf(LogLevel::kError, "COPY: DST 0x%" PRIx64 " + SIZE %u wraps past the end of the address space", dst, cmd.size);
    return kStCopyFail | kStDstAddrInvalid;
  }
  for (uint32_t pos = 0; pos < cmd.size; pos += kDmaChunk) {
    const uint32_t n = std::min(kDmaChunk, cmd.size - pos);
    if (!dma_transfer(tlm::TLM_READ_COMMAND, src + pos, n, "COPY")) return kStCopyFail | kStSrcAddrInvalid;
    if (!dma_transfer(tlm::TLM_WRITE_COMMAND, dst + pos, n, "COPY")) return kStCopyFail | kStDstAddrInvalid;
  }
  return kStCopySuccess;
}

// ---- Interrupts (spec, "Interrupt rules the driver relies on") ---------------------

// The decision is the shared one (decide_irq); this model delivers through
// its INTx signal and MSI port.
void EpfTestTlm::raise_irq(uint32_t type, uint32_t number, const char* what) {
  const IrqDecision d = decide_irq(desc_, {type, number}, what);
  if (d.deliver == IrqDecision::Deliver::kNone) {
    logf(LogLevel::kError, "%s", d.error.c_str());
    return;
  }
  // STATUS first: the handler reads it as soon as the interrupt arrives.
  regs_.status |= kStIrqRaised;
  if (d.deliver == IrqDecision::Deliver::kIntx)
    irq_from_intx_ = true;  // the level itself is driven by update_intx()
  else if (d.deliver == IrqDecision::Deliver::kMsi)
    msi->raise_msi(d.vector);
  else
    msi->raise_msix(d.vector);
}

// INTx is a level: asserted exactly while an INTx-raised IRQ_RAISED is set;
// only changes are written, so one acknowledge ends the interrupt for good.
void EpfTestTlm::update_intx() {
  const bool level = (regs_.status & kStIrqRaised) && irq_from_intx_;
  if (level == intx_level_) return;
  intx_level_ = level;
  intx.write(level);
}

void EpfTestTlm::logf(LogLevel level, const char* fmt, ...) const {
  if (!log_) return;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  log_(level, std::string("epf-test (tlm): ") + buf);
}

}  // namespace cosim::epf_test
