// Configuration of the `epf-test` device (shared/specs/epf-test.md, "Identity"
// and "BARs") and the self-description every implementation reports from it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "cosim/bridge/device.h"
#include "cosim/bridge/status.h"
#include "epf_test_regs.h"

namespace cosim::epf_test {

inline constexpr uint64_t kDefaultWriteSeed = 0x65706674u;  // "epft"
// Each BAR is backed by host memory in the models: keep them reasonable.
inline constexpr uint64_t kMaxBarSize = 256ull * 1024 * 1024;
// MSI-X table offset alignment: the PCIe spec forbids other registers in the
// same naturally aligned 4 KiB as the table, and VFIO-style passthrough maps
// BARs in pages.
inline constexpr uint32_t kMsixTableAlign = 4096;
inline constexpr uint32_t kMsixEntryBytes = 16;

struct EpfTestConfig {
  uint16_t vendor_id = kVendorTi;
  uint16_t device_id = kDeviceDra74x;
  uint16_t subsystem_vendor_id = kVendorTi;
  uint16_t subsystem_id = kDeviceDra74x;
  uint8_t revision = 0;
  uint32_t class_code = kClassCode;
  // Configured sizes; 0 = BAR absent (BAR0 is required). With MSI-X, BAR0 as
  // described grows beyond bar_sizes[0] to hold the table and PBA.
  std::array<uint64_t, kNumBars> bar_sizes = {kDefaultBarSizes[0], kDefaultBarSizes[1],
                                              kDefaultBarSizes[2], kDefaultBarSizes[3],
                                              kDefaultBarSizes[4], kDefaultBarSizes[5]};
  // I/O-port BARs instead of 32-bit memory BARs (not BAR0, at most 256 bytes,
  // the largest I/O BAR PCI allows): for drivers and RTL that use port I/O.
  std::array<bool, kNumBars> io_bars{};
  uint32_t msi_vectors = kDefaultMsiVectors;    // 0, or a power of two up to 32
  uint32_t msix_vectors = kDefaultMsixVectors;  // 0..2048
  uint8_t intx_pin = 1;                         // 0 = none, 1..4 = INTA..INTD
  uint64_t write_seed = kDefaultWriteSeed;      // seeds the WRITE command's pattern
  friend bool operator==(const EpfTestConfig&, const EpfTestConfig&) = default;
};

// Checks a configuration built in code; parse_epf_test_params() applies the
// same rules. Errors are ErrorCode::kConfig naming the field.
Status check_config(const EpfTestConfig& config);

// Builds a configuration from "key=value" options. Keys: vendor, device,
// subsystem_vendor, subsystem, revision, class, bar0..bar5, bar1_kind..bar5_kind
// (mem or io), msi, msix, intx, seed.
// Numbers are decimal or 0x-hex; BAR sizes may end in k/K (KiB) or m/M (MiB).
// subsystem_vendor / subsystem default to the (possibly overridden) vendor / device.
// Unknown key or bad value -> ErrorCode::kConfig naming the key, the value and
// what is allowed; `more_keys` lists the keys an implementation takes before
// these (e.g. the TLM model's timing), for that message.
Result<EpfTestConfig> parse_epf_test_params(const std::map<std::string, std::string>& params,
                                            const char* more_keys = nullptr);

// Placement of the MSI-X structures in BAR0: after the configured BAR0 bytes,
// the table at a 4 KiB boundary, the PBA right after it; BAR0 rounded up to a
// power of two. Meaningful only when msix_vectors > 0.
struct MsixLayout {
  uint32_t table_offset = 0;
  uint32_t pba_offset = 0;
  uint64_t bar0_size = 0;
};
MsixLayout msix_layout(const EpfTestConfig& config);

// The self-description: BARs 32-bit non-prefetchable memory (or I/O where
// io_bars says so), MSI-X table
// and PBA in BAR0 (see msix_layout).
DeviceDescription describe(const EpfTestConfig& config);

}  // namespace cosim::epf_test
