// The one device interface of the bridge (architecture brief, "One device
// interface, three implementations") and the host port a device reaches out through.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "cosim/bridge/status.h"

namespace cosim {

inline constexpr unsigned kNumBars = 6;
inline constexpr unsigned kMaxMsiVectors = 32;
inline constexpr unsigned kMaxMsixVectors = 2048;

enum class BarKind : uint8_t { kNone = 0, kMem32 = 1, kMem64 = 2, kIo = 3 };

struct BarInfo {
  uint64_t size = 0;  // bytes; power of two (>= 16 for memory, >= 4 for I/O) or 0
  BarKind kind = BarKind::kNone;
  bool prefetchable = false;
  bool implemented() const { return kind != BarKind::kNone && size != 0; }
  friend bool operator==(const BarInfo&, const BarInfo&) = default;
};

// What the QEMU side needs to build config space: the device describes itself,
// so the QEMU device never needs rebuilding for a new model.
struct DeviceDescription {
  std::string name;  // model name, for logs
  uint16_t vendor_id = 0;
  uint16_t device_id = 0;
  uint16_t subsystem_vendor_id = 0;
  uint16_t subsystem_id = 0;
  uint8_t revision = 0;
  uint32_t class_code = 0;  // 24 bits: base class, subclass, prog-if
  std::array<BarInfo, kNumBars> bars{};
  uint8_t intx_pin = 0;       // 0 = none, 1..4 = INTA..INTD
  uint16_t msi_vectors = 0;   // 0..32 (a power of two when MSI is present)
  uint16_t msix_vectors = 0;  // 0..2048
  // MSI-X table and PBA placement (meaningful when msix_vectors > 0).
  uint8_t msix_table_bar = 0;
  uint32_t msix_table_offset = 0;
  uint8_t msix_pba_bar = 0;
  uint32_t msix_pba_offset = 0;
  friend bool operator==(const DeviceDescription&, const DeviceDescription&) = default;
};

// Checks a description for internal consistency (sizes, counts, MSI-X placement).
Status validate(const DeviceDescription& desc);

// Checks a BAR access against a description: BAR exists, size in {1,2,4,8}
// (and <= 4 for I/O BARs), and [offset, offset+size) inside the BAR.
Status check_bar_access(const DeviceDescription& desc, unsigned bar, uint64_t offset, unsigned size);

enum class ResetKind : uint8_t { kSystem = 0, kFunctionLevel = 1 };
enum class IrqKind : uint8_t { kIntx = 0, kMsi = 1, kMsix = 2 };

// What a device can do to the outside world: reach guest memory and raise
// interrupts. Implemented by QEMU (in-process) or by the host's session (remote).
class HostPort {
 public:
  virtual ~HostPort() = default;
  // Bus-master reads/writes of guest (bus) addresses. A failure (address outside
  // guest memory, IOMMU refusal, peer lost) returns an error and leaves `out`
  // unspecified; it never throws.
  virtual Status dma_read(uint64_t address, std::span<uint8_t> out) = 0;
  virtual Status dma_write(uint64_t address, std::span<const uint8_t> data) = 0;
  virtual void set_intx(bool asserted) = 0;
  virtual void raise_msi(uint32_t vector) = 0;   // 0-based vector
  virtual void raise_msix(uint32_t vector) = 0;  // 0-based vector
};

// A PCI function as the bridge sees it. Calls come from one thread at a time.
class Device {
 public:
  virtual ~Device() = default;
  virtual const DeviceDescription& description() const = 0;
  // The outside world; set before the first access, may be set again after a
  // reconnect. The device does not own it.
  virtual void attach(HostPort* host) = 0;
  // BAR accesses of 1/2/4/8 bytes, little-endian value in the low bytes.
  virtual Status bar_read(unsigned bar, uint64_t offset, unsigned size, uint64_t& value) = 0;
  virtual Status bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) = 0;
  virtual void reset(ResetKind kind) = 0;
  // Virtual time (picoseconds since reset). advance_to runs the device up to
  // `time_ps`; it may stop earlier once it has nothing left to do.
  virtual void advance_to(uint64_t time_ps) { (void)time_ps; }
  // Simulated time reached by the device.
  virtual uint64_t now_ps() const { return 0; }
  // The time of the device's next internal event, if it has work to do
  // without outside input (a command in progress, a running clock it needs);
  // nullopt when it is idle. A host keeps a device with a next event running
  // between messages instead of blocking on the transport.
  virtual std::optional<uint64_t> next_event_ps() const { return std::nullopt; }
};

}  // namespace cosim
