// Behaviour helpers of epf-test shared by the native and TLM models.

#include "epf_test_logic.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>

namespace cosim::epf_test {

const char* op_name(Op op) {
  switch (op) {
    case Op::kRaiseIntx: return "RAISE_INTX";
    case Op::kWrite: return "WRITE";
    case Op::kRead: return "READ";
    case Op::kCopy: return "COPY";
    case Op::kRaiseMsi: return "RAISE_MSI";
    case Op::kRaiseMsix: return "RAISE_MSIX";
  }
  return "?";
}

DecodedCommand decode_command(uint32_t command) {
  constexpr uint32_t kKnown = kCmdRaiseIntx | kCmdRaiseMsi | kCmdRaiseMsix | kCmdRead | kCmdWrite | kCmdCopy;
  DecodedCommand d;
  const uint32_t bits = command & kKnown;
  if (bits == 0) return d;
  d.several = !std::has_single_bit(bits);
  if (bits & kCmdRaiseIntx) d.op = Op::kRaiseIntx;
  else if (bits & kCmdWrite) d.op = Op::kWrite;
  else if (bits & kCmdRead) d.op = Op::kRead;
  else if (bits & kCmdCopy) d.op = Op::kCopy;
  else if (bits & kCmdRaiseMsi) d.op = Op::kRaiseMsi;
  else d.op = Op::kRaiseMsix;
  return d;
}

const char* irq_type_name(uint32_t irq_type) {
  switch (irq_type) {
    case kIrqIntx: return "INTx";
    case kIrqMsi: return "MSI";
    case kIrqMsix: return "MSI-X";
    default: return "?";
  }
}

IrqRequest completion_irq(Op op, const EpfTestRegs& regs) {
  switch (op) {
    case Op::kRaiseIntx: return {kIrqIntx, 0};
    case Op::kRaiseMsi: return {kIrqMsi, regs.irq_number};
    case Op::kRaiseMsix: return {kIrqMsix, regs.irq_number};
    case Op::kWrite:
    case Op::kRead:
    case Op::kCopy: break;
  }
  return {regs.irq_type, regs.irq_number};
}

uint32_t result_bit(Op op, bool ok) {
  switch (op) {
    case Op::kRead: return ok ? kStReadSuccess : kStReadFail;
    case Op::kWrite: return ok ? kStWriteSuccess : kStWriteFail;
    case Op::kCopy: return ok ? kStCopySuccess : kStCopyFail;
    case Op::kRaiseIntx:
    case Op::kRaiseMsi:
    case Op::kRaiseMsix: break;
  }
  return 0;
}

bool transfer_size_ok(uint32_t size) { return size != 0 && size <= kMaxTransfer; }

bool range_fits(uint64_t address, uint32_t size) { return size == 0 || address <= UINT64_MAX - (size - 1); }

IrqDecision decide_irq(const DeviceDescription& desc, IrqRequest irq, const char* what) {
  IrqDecision d;
  char buf[256];
  if (irq.type == kIrqIntx) {
    if (desc.intx_pin == 0) {
      std::snprintf(buf, sizeof buf, "%s: INTx requested but the device has no INTx pin (intx=0)", what);
      d.error = buf;
    } else {
      d.deliver = IrqDecision::Deliver::kIntx;
    }
    return d;
  }
  const uint32_t count = vector_count(desc, irq.type);
  if (irq.number == 0 || irq.number > count) {
    std::snprintf(buf, sizeof buf, "%s: %s vector IRQ_NUMBER %u is not 1..%u; no interrupt raised", what,
                  irq_type_name(irq.type), irq.number, count);
    d.error = buf;
    return d;
  }
  d.deliver = irq.type == kIrqMsi ? IrqDecision::Deliver::kMsi : IrqDecision::Deliver::kMsix;
  d.vector = irq.number - 1;
  return d;
}

uint32_t vector_count(const DeviceDescription& desc, uint32_t irq_type) {
  switch (irq_type) {
    case kIrqMsi: return desc.msi_vectors;
    case kIrqMsix: return desc.msix_vectors;
    default: return 0;
  }
}

namespace {
uint64_t splitmix(uint64_t z) {  // splitmix64 finalizer
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

WritePattern::WritePattern(uint64_t seed, uint64_t command_number) {
  const uint64_t s = splitmix(seed ^ splitmix(command_number + 0x9E3779B97F4A7C15ull));
  state_ = s != 0 ? s : 0x9E3779B97F4A7C15ull;  // xorshift must not start at 0
}

void WritePattern::fill(std::span<uint8_t> out) {
  for (size_t pos = 0; pos < out.size(); pos += 8) {
    state_ ^= state_ >> 12;  // xorshift64*
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    uint64_t word = state_ * 0x2545F4914F6CDD1Dull;
    if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
    std::memcpy(out.data() + pos, &word, std::min<size_t>(8, out.size() - pos));
  }
}

}  // namespace cosim::epf_test
