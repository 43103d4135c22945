// Behaviour of epf-test shared by every implementation, as pure functions of
// the register file: command decode and priority, the WRITE data pattern,
// transfer checks, interrupt vectors. The native model runs them synchronously,
// the TLM model over simulated time; neither keeps a copy of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "cosim/bridge/device.h"
#include "epf_test_regs.h"

namespace cosim::epf_test {

// BAR0 register file, one field per register of epf_test_regs.h, in address order.
struct EpfTestRegs {
  uint32_t magic = 0;        // kMagic: plain storage
  uint32_t command = 0;      // kCommand: cleared when the device accepts a command
  uint32_t status = 0;       // kStatus: StatusBit; plain storage for the driver's write-back
  uint32_t src_addr_lo = 0;  // kSrcAddrLo
  uint32_t src_addr_hi = 0;  // kSrcAddrHi
  uint32_t dst_addr_lo = 0;  // kDstAddrLo
  uint32_t dst_addr_hi = 0;  // kDstAddrHi
  uint32_t size = 0;         // kSize: transfer bytes, 1..kMaxTransfer
  uint32_t checksum = 0;     // kChecksum: crc32_le(~0, data, size)
  uint32_t irq_type = 0;     // kIrqType: IrqType
  uint32_t irq_number = 0;   // kIrqNumber: 1-based MSI / MSI-X vector
  uint32_t flags = 0;        // kFlags: kFlagUseDma (both paths are the same here)
  uint64_t src_addr() const { return uint64_t{src_addr_hi} << 32 | src_addr_lo; }
  uint64_t dst_addr() const { return uint64_t{dst_addr_hi} << 32 | dst_addr_lo; }
  // The register at a 4-byte aligned offset below kRegBlockBytes.
  uint32_t& at(uint32_t offset);
  uint32_t at(uint32_t offset) const;
  // Byte `offset` (below kRegBlockBytes) of the little-endian register block.
  uint8_t byte(uint32_t offset) const { return static_cast<uint8_t>(at(offset & ~3u) >> (8 * (offset & 3))); }
  friend bool operator==(const EpfTestRegs&, const EpfTestRegs&) = default;
};

// Field of each register, indexed by offset / 4 (the Reg enum).
inline constexpr uint32_t EpfTestRegs::*kRegFields[kNumRegs] = {
    &EpfTestRegs::magic,       &EpfTestRegs::command,     &EpfTestRegs::status,      &EpfTestRegs::src_addr_lo,
    &EpfTestRegs::src_addr_hi, &EpfTestRegs::dst_addr_lo, &EpfTestRegs::dst_addr_hi, &EpfTestRegs::size,
    &EpfTestRegs::checksum,    &EpfTestRegs::irq_type,    &EpfTestRegs::irq_number,  &EpfTestRegs::flags};
inline uint32_t& EpfTestRegs::at(uint32_t offset) { return this->*kRegFields[offset / 4]; }
inline uint32_t EpfTestRegs::at(uint32_t offset) const { return this->*kRegFields[offset / 4]; }

// The commands, in the order Linux's endpoint function (6.1
// pci_epf_test_cmd_handler) tests the COMMAND bits: one command per write.
enum class Op : uint8_t { kRaiseIntx, kWrite, kRead, kCopy, kRaiseMsi, kRaiseMsix };
const char* op_name(Op op);  // "RAISE_INTX", "WRITE", ...

struct DecodedCommand {
  std::optional<Op> op;  // nullopt: no command bit (bits 0..5) set
  bool several = false;  // more than one command bit: only `op` runs
};
DecodedCommand decode_command(uint32_t command);

// "INTx", "MSI", "MSI-X" for IRQ_TYPE values, "?" otherwise.
const char* irq_type_name(uint32_t irq_type);

// The interrupt a command raises on completion: the interrupt commands raise
// their own kind (RAISE_INTX ignores IRQ_NUMBER), transfers the one IRQ_TYPE names.
struct IrqRequest {
  uint32_t type = kIrqIntx;  // IrqType
  uint32_t number = 0;       // 1-based for MSI / MSI-X
};
IrqRequest completion_irq(Op op, const EpfTestRegs& regs);

// What raising an interrupt amounts to (spec, "Interrupt rules the driver
// relies on"): the delivery to make, with IRQ_RAISED set first — or a guest
// error (an INTx request without an INTx pin, a vector the device does not
// have): nothing is raised, IRQ_RAISED stays clear, and the driver sees its
// wait time out, as with the Linux endpoint function. Each model keeps only
// its own way of delivering.
struct IrqDecision {
  enum class Deliver { kNone, kIntx, kMsi, kMsix };
  Deliver deliver = Deliver::kNone;
  uint32_t vector = 0;  // 0-based, for MSI / MSI-X
  std::string error;    // set when deliver == kNone: the line to log
};
// `what` names the command for the error message.
IrqDecision decide_irq(const DeviceDescription& desc, IrqRequest irq, const char* what);

// STATUS bit a transfer sets (0 for the interrupt commands).
uint32_t result_bit(Op op, bool ok);

// SIZE in 1..kMaxTransfer.
bool transfer_size_ok(uint32_t size);
// [address, address + size) does not wrap past the end of the bus address space.
bool range_fits(uint64_t address, uint32_t size);

// Vectors the description grants for an IRQ_TYPE (MSI / MSI-X); 0 for others.
uint32_t vector_count(const DeviceDescription& desc, uint32_t irq_type);

// The data WRITE sends: a different, unrelated xorshift64* stream for every
// (seed, command number) pair, so two WRITEs never send the same data. The
// stream runs on seamlessly across fill() calls whose lengths are multiples of 8.
class WritePattern {
 public:
  WritePattern(uint64_t seed, uint64_t command_number);
  void fill(std::span<uint8_t> out);

 private:
  uint64_t state_;
};

// One register touched by a BAR0 access: which bytes of it (mask over the
// 32-bit register) and their values in place.
struct RegSlice {
  uint32_t reg;    // register offset (multiple of 4)
  uint32_t value;  // the access's bytes, shifted to their place in the register
  uint32_t mask;   // 0xff per byte carried
};

// Splits a little-endian access of `size` bytes at `offset` of BAR0 into
// register slices in address order (as a bus would split it) and bytes past
// the register block. `enabled(i)` says whether byte i of the access takes
// part (byte enables); `on_reg(slice)` / `on_mem(bar_offset, i)` are called
// for the parts.
template <typename Enabled, typename OnReg, typename OnMem>
void split_bar0_access(uint64_t offset, unsigned size, uint64_t value, Enabled&& enabled, OnReg&& on_reg,
                       OnMem&& on_mem) {
  unsigned i = 0;
  while (i < size) {
    const uint64_t o = offset + i;
    if (o >= kRegBlockBytes) {
      if (enabled(i)) on_mem(o, i);
      ++i;
      continue;
    }
    RegSlice slice{static_cast<uint32_t>(o & ~3ull), 0, 0};
    for (; i < size && ((offset + i) & ~3ull) == slice.reg; ++i) {
      if (!enabled(i)) continue;
      const unsigned shift = 8 * ((offset + i) & 3);
      slice.value |= static_cast<uint32_t>((value >> (8 * i)) & 0xff) << shift;
      slice.mask |= 0xffu << shift;
    }
    if (slice.mask != 0) on_reg(slice);
  }
}

}  // namespace cosim::epf_test
