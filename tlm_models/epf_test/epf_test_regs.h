// Register map of the reference device `epf-test` (shared/specs/epf-test.md,
// "Registers"). Declared once; the native model, the TLM model and the RTL
// testbench all use these names.
#pragma once

#include <cstdint>

namespace cosim::epf_test {

// BAR0 register offsets (32-bit, little-endian).
enum Reg : uint32_t {
  kMagic = 0x00,
  kCommand = 0x04,
  kStatus = 0x08,
  kSrcAddrLo = 0x0c,
  kSrcAddrHi = 0x10,
  kDstAddrLo = 0x14,
  kDstAddrHi = 0x18,
  kSize = 0x1c,
  kChecksum = 0x20,
  kIrqType = 0x24,
  kIrqNumber = 0x28,
  kFlags = 0x2c,
};
inline constexpr uint32_t kRegBlockBytes = 0x30;  // registers end here
inline constexpr uint32_t kNumRegs = kRegBlockBytes / 4;

// COMMAND bits (write 1 to start).
enum Command : uint32_t {
  kCmdRaiseIntx = 1u << 0,
  kCmdRaiseMsi = 1u << 1,
  kCmdRaiseMsix = 1u << 2,
  kCmdRead = 1u << 3,   // device reads SRC, checks CRC against CHECKSUM
  kCmdWrite = 1u << 4,  // device writes DST, stores CRC in CHECKSUM
  kCmdCopy = 1u << 5,   // device copies SRC -> DST
};

// STATUS bits.
enum StatusBit : uint32_t {
  kStReadSuccess = 1u << 0,
  kStReadFail = 1u << 1,
  kStWriteSuccess = 1u << 2,
  kStWriteFail = 1u << 3,
  kStCopySuccess = 1u << 4,
  kStCopyFail = 1u << 5,
  kStIrqRaised = 1u << 6,
  kStSrcAddrInvalid = 1u << 7,
  kStDstAddrInvalid = 1u << 8,
};

// IRQ_TYPE values.
enum IrqType : uint32_t { kIrqIntx = 0, kIrqMsi = 1, kIrqMsix = 2 };

// FLAGS bits.
inline constexpr uint32_t kFlagUseDma = 1u << 0;

// Identity and default resources (spec, "Identity" and "BARs").
inline constexpr uint16_t kVendorTi = 0x104c;
inline constexpr uint16_t kDeviceDra74x = 0xb500;
inline constexpr uint32_t kClassCode = 0xff0000;  // unassigned class, as the EPF uses
inline constexpr uint64_t kDefaultBarSizes[6] = {512, 512, 1024, 16 * 1024, 128 * 1024, 1024 * 1024};
inline constexpr uint32_t kDefaultMsiVectors = 32;
inline constexpr uint32_t kDefaultMsixVectors = 2048;
// Largest SIZE the device accepts; the driver tests up to 1 MiB + 1.
inline constexpr uint32_t kMaxTransfer = 8 * 1024 * 1024;

// Linux's crc32_le(~0, buf, len): reflected polynomial 0xEDB88320, initial
// value 0xFFFFFFFF, no final inversion. Chainable: pass the previous result.
uint32_t crc32_le(uint32_t crc, const uint8_t* data, uint64_t len);

}  // namespace cosim::epf_test
