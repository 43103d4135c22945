// Native epf-test model: BAR0 register decode, the six BAR memories, and the
// commands of Linux's pci-epf-test run synchronously against the HostPort.
#include "native/epf_test_native.h"

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>

namespace cosim::epf_test {
NativeEpfTest::NativeEpfTest(const EpfTestConfig& config, LogFn log)
    : config_(config), desc_(describe(config)), log_(std::move(log)), bounce_(kDmaChunk) {
  for (unsigned i = 0; i < kNumBars; ++i) bar_mem_[i].assign(desc_.bars[i].size, 0);
}

Result<std::unique_ptr<NativeEpfTest>> NativeEpfTest::create(const EpfTestConfig& config, LogFn log) {
  if (Status s = check_config(config); !s) return s;
  return std::make_unique<NativeEpfTest>(config, std::move(log));
}

void NativeEpfTest::attach(HostPort* host) {
  host_ = host;
  if (host_ && intx_level_) host_->set_intx(true);
}

void NativeEpfTest::advance_to(uint64_t time_ps) { now_ps_ = std::max(now_ps_, time_ps); }

void NativeEpfTest::reset(ResetKind) {
  // System reset and FLR are the same here: the function has no sticky state.
  regs_ = {};
  irq_from_intx_ = false;
  write_count_ = 0;
  now_ps_ = 0;
  for (auto& mem : bar_mem_) std::fill(mem.begin(), mem.end(), uint8_t{0});
  update_intx();
}

// ---- BAR accesses -----------------------------------------------------------

Status NativeEpfTest::bar_read(unsigned bar, uint64_t offset, unsigned size, uint64_t& value) {
  if (Status s = check_bar_access(desc_, bar, offset, size); !s) {
    value = ~uint64_t{0};
    return s;
  }
  value = 0;
  const std::vector<uint8_t>& mem = bar_mem_[bar];
  if (bar == 0 && offset < kRegBlockBytes) {
    // Register bytes; an 8-byte access may span two registers, or the last
    // register and the memory after the block.
    for (unsigned i = 0; i < size; ++i) {
      const uint64_t o = offset + i;
      const uint8_t byte = o < kRegBlockBytes ? regs_.byte(static_cast<uint32_t>(o)) : mem[o];
      value |= uint64_t{byte} << (8 * i);
    }
    return {};
  }
  for (unsigned i = 0; i < size; ++i) value |= uint64_t{mem[offset + i]} << (8 * i);
  return {};
}

Status NativeEpfTest::bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) {
  if (Status s = check_bar_access(desc_, bar, offset, size); !s) return s;
  std::vector<uint8_t>& mem = bar_mem_[bar];
  if (bar == 0 && offset < kRegBlockBytes) {
    // One write_reg() per register touched, in address order (as a bus would
    // split the access), each with the mask of the bytes it carries.
    split_bar0_access(
        offset, size, value, [](unsigned) { return true; },
        [&](const RegSlice& r) { write_reg(r.reg, r.value, r.mask); },
        [&](uint64_t o, unsigned i) { mem[o] = static_cast<uint8_t>(value >> (8 * i)); });
    update_intx();
    return {};
  }
  for (unsigned i = 0; i < size; ++i) mem[offset + i] = static_cast<uint8_t>(value >> (8 * i));
  return {};
}

// ---- Register decode (spec, "Registers") ------------------------------------

void NativeEpfTest::write_reg(uint32_t offset, uint32_t value, uint32_t mask) {
  uint32_t& reg = regs_.at(offset);
  const uint32_t merged = (reg & ~mask) | (value & mask);
  switch (offset) {
    case kCommand:
      // COMMAND reads 0, so a partial write carries only its own bytes.
      if (merged != 0) run_command(merged);
      break;
    case kStatus:
      reg = merged;
      // The driver's handler acknowledges by writing IRQ_RAISED back as 0.
      if (!(reg & kStIrqRaised)) irq_from_intx_ = false;
      break;
    default: reg = merged; break;
  }
}

// ---- Commands (spec, "COMMAND bits"; Linux 6.1 pci_epf_test_cmd_handler) ----

void NativeEpfTest::run_command(uint32_t command) {
  regs_.command = 0;  // accepted
  regs_.status = 0;   // as pci-epf-test: every command starts from a clean STATUS
  irq_from_intx_ = false;

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

  switch (*d.op) {
    case Op::kWrite: regs_.status |= result_bit(*d.op, do_write()); break;
    case Op::kRead: regs_.status |= result_bit(*d.op, do_read()); break;
    case Op::kCopy: regs_.status |= result_bit(*d.op, do_copy()); break;
    case Op::kRaiseIntx:
    case Op::kRaiseMsi:
    case Op::kRaiseMsix: break;
  }
  const IrqRequest irq = completion_irq(*d.op, regs_);
  raise_irq(irq.type, irq.number, op_name(*d.op));
}

bool NativeEpfTest::size_ok(const char* what) const {
  if (transfer_size_ok(regs_.size)) return true;
  logf(LogLevel::kError, "%s: SIZE %u is not 1..%u", what, regs_.size, kMaxTransfer);
  return false;
}

// [address, address + SIZE) must not wrap around the 64-bit bus address space.
bool NativeEpfTest::range_ok(uint64_t address, const char* what, const char* which) const {
  if (range_fits(address, regs_.size)) return true;
  logf(LogLevel::kError, "%s: %s 0x%" PRIx64 " + SIZE %u wraps past the end of the address space", what, which,
       address, regs_.size);
  return false;
}

bool NativeEpfTest::fetch(uint64_t address, uint32_t n, const char* what) {
  const Status s = host_ ? host_->dma_read(address, std::span<uint8_t>(bounce_.data(), n))
                         : Status(ErrorCode::kDmaFault, "no host attached");
  if (s) return true;
  logf(LogLevel::kError, "%s: DMA read of %u bytes at 0x%" PRIx64 " failed: %s", what, n, address,
       s.to_string().c_str());
  return false;
}

bool NativeEpfTest::store(uint64_t address, uint32_t n, const char* what) {
  const Status s = host_ ? host_->dma_write(address, std::span<const uint8_t>(bounce_.data(), n))
                         : Status(ErrorCode::kDmaFault, "no host attached");
  if (s) return true;
  logf(LogLevel::kError, "%s: DMA write of %u bytes at 0x%" PRIx64 " failed: %s", what, n, address,
       s.to_string().c_str());
  return false;
}

// READ: the device reads SRC and checks the CRC the driver put in CHECKSUM.
bool NativeEpfTest::do_read() {
  if (!size_ok("READ")) return false;
  const uint64_t src = regs_.src_addr();
  if (!range_ok(src, "READ", "SRC")) {
    regs_.status |= kStSrcAddrInvalid;
    return false;
  }
  uint32_t crc = ~0u;
  for (uint32_t pos = 0; pos < regs_.size; pos += kDmaChunk) {
    const uint32_t n = std::min(kDmaChunk, regs_.size - pos);
    if (!fetch(src + pos, n, "READ")) {
      regs_.status |= kStSrcAddrInvalid;
      return false;
    }
    crc = crc32_le(crc, bounce_.data(), n);
  }
  if (crc != regs_.checksum) {
    logf(LogLevel::kWarning, "READ: %u bytes at 0x%" PRIx64 " have CRC 0x%08x, CHECKSUM says 0x%08x", regs_.size, src,
         crc, regs_.checksum);
    return false;
  }
  return true;
}

// WRITE: the device writes data of its own choosing to DST and publishes its
// CRC in CHECKSUM (only on success; on failure CHECKSUM keeps its old value).
bool NativeEpfTest::do_write() {
  const uint64_t number = write_count_++;
  if (!size_ok("WRITE")) return false;
  const uint64_t dst = regs_.dst_addr();
  if (!range_ok(dst, "WRITE", "DST")) {
    regs_.status |= kStDstAddrInvalid;
    return false;
  }
  WritePattern pattern(config_.write_seed, number);
  uint32_t crc = ~0u;
  // kDmaChunk is a multiple of 8, so the pattern runs on seamlessly across chunks.
  for (uint32_t pos = 0; pos < regs_.size; pos += kDmaChunk) {
    const uint32_t n = std::min(kDmaChunk, regs_.size - pos);
    pattern.fill(std::span<uint8_t>(bounce_.data(), n));
    crc = crc32_le(crc, bounce_.data(), n);
    if (!store(dst + pos, n, "WRITE")) {
      regs_.status |= kStDstAddrInvalid;
      return false;
    }
  }
  regs_.checksum = crc;
  return true;
}

// COPY: SRC to DST through the bounce buffer, chunk by chunk (so overlapping
// buffers behave as a forward memcpy in 64 KiB steps).
bool NativeEpfTest::do_copy() {
  if (!size_ok("COPY")) return false;
  const uint64_t src = regs_.src_addr();
  const uint64_t dst = regs_.dst_addr();
  if (!range_ok(src, "COPY", "SRC")) {
    regs_.status |= kStSrcAddrInvalid;
    return false;
  }
  if (!range_ok(dst, "COPY", "DST")) {
    regs_.status |= kStDstAddrInvalid;
    return false;
  }
  for (uint32_t pos = 0; pos < regs_.size; pos += kDmaChunk) {
    const uint32_t n = std::min(kDmaChunk, regs_.size - pos);
    if (!fetch(src + pos, n, "COPY")) {
      regs_.status |= kStSrcAddrInvalid;
      return false;
    }
    if (!store(dst + pos, n, "COPY")) {
      regs_.status |= kStDstAddrInvalid;
      return false;
    }
  }
  return true;
}

// ---- Interrupts (spec, "Interrupt rules the driver relies on") --------------

// The decision is the shared one (decide_irq); this model delivers through
// its HostPort.
void NativeEpfTest::raise_irq(uint32_t type, uint32_t number, const char* what) {
  const IrqDecision d = decide_irq(desc_, {type, number}, what);
  if (d.deliver == IrqDecision::Deliver::kNone) {
    logf(LogLevel::kError, "%s", d.error.c_str());
    return;
  }
  // STATUS first: the handler reads it as soon as the interrupt arrives.
  regs_.status |= kStIrqRaised;
  if (d.deliver == IrqDecision::Deliver::kIntx) {
    irq_from_intx_ = true;  // the level itself is driven by update_intx()
    return;
  }
  if (!host_) {
    logf(LogLevel::kWarning, "%s: %s vector %u lost: no host attached", what, irq_type_name(type), number);
    return;
  }
  if (d.deliver == IrqDecision::Deliver::kMsi)
    host_->raise_msi(d.vector);
  else
    host_->raise_msix(d.vector);
}

// INTx is a level: asserted exactly while an INTx-raised IRQ_RAISED is set.
// Only changes are driven, so a handler's STATUS write-back ends the interrupt
// once and for all (no storm, no redundant set_intx calls).
void NativeEpfTest::update_intx() {
  const bool level = (regs_.status & kStIrqRaised) && irq_from_intx_;
  if (level == intx_level_) return;
  intx_level_ = level;
  if (host_) host_->set_intx(level);
}

void NativeEpfTest::logf(LogLevel level, const char* fmt, ...) const {
  if (!log_) return;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  log_(level, std::string("epf-test: ") + buf);
}

}  // namespace cosim::epf_test
