// Consistency checks of a device's self-description and of BAR accesses
// against it: the one place that decides what a valid access is.
#include <bit>
#include <cinttypes>
#include <cstdio>
#include <string>

#include "cosim/bridge/device.h"

namespace cosim {
namespace {

std::string format(const char* fmt, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

}  // namespace

Status validate(const DeviceDescription& d) {
  if (d.class_code > 0xffffff)
    return {ErrorCode::kConfig, format("class code 0x%x is wider than 24 bits", d.class_code)};
  if (d.intx_pin > 4)
    return {ErrorCode::kConfig, format("INTx pin %u is not 0 (none) or 1..4 (INTA..INTD)", d.intx_pin)};
  if (d.msi_vectors > kMaxMsiVectors || (d.msi_vectors && !std::has_single_bit(d.msi_vectors)))
    return {ErrorCode::kConfig,
            format("MSI vector count %u is not 0 or a power of two up to 32", d.msi_vectors)};
  if (d.msix_vectors > kMaxMsixVectors)
    return {ErrorCode::kConfig, format("MSI-X vector count %u exceeds 2048", d.msix_vectors)};
  for (unsigned i = 0; i < kNumBars; ++i) {
    const BarInfo& b = d.bars[i];
    if (b.kind == BarKind::kNone) {
      if (b.size != 0) return {ErrorCode::kConfig, format("BAR%u has a size but no kind", i)};
      continue;
    }
    if (b.kind > BarKind::kIo) return {ErrorCode::kConfig, format("BAR%u has an unknown kind", i)};
    const uint64_t min = b.kind == BarKind::kIo ? 4 : 16;
    if (b.size < min || !std::has_single_bit(b.size))
      return {ErrorCode::kConfig,
              format("BAR%u size %" PRIu64 " is not a power of two >= %" PRIu64, i, b.size, min)};
    if (b.kind == BarKind::kIo && b.size > 256)
      return {ErrorCode::kConfig, format("BAR%u: I/O BARs are at most 256 bytes", i)};
    if (b.kind == BarKind::kMem32 && b.size > (1ull << 31))
      return {ErrorCode::kConfig, format("BAR%u: a 32-bit BAR is at most 2 GiB", i)};
    if (b.kind == BarKind::kIo && b.prefetchable)
      return {ErrorCode::kConfig, format("BAR%u: an I/O BAR cannot be prefetchable", i)};
    if (b.kind == BarKind::kMem64) {
      if (i == kNumBars - 1)
        return {ErrorCode::kConfig, "BAR5 cannot be 64-bit: it needs the next BAR slot"};
      if (d.bars[i + 1].kind != BarKind::kNone)
        return {ErrorCode::kConfig,
                format("BAR%u is 64-bit, so BAR%u must be left unused", i, i + 1)};
      ++i;  // the upper half
    }
  }
  if (d.msix_vectors) {
    auto check_region = [&](const char* what, unsigned bar, uint64_t off, uint64_t len) -> Status {
      if (bar >= kNumBars || !d.bars[bar].implemented() || d.bars[bar].kind == BarKind::kIo)
        return {ErrorCode::kConfig, format("MSI-X %s is in BAR%u, which is not a memory BAR", what, bar)};
      if (off % 8)
        return {ErrorCode::kConfig, format("MSI-X %s offset 0x%" PRIx64 " is not 8-byte aligned", what, off)};
      if (off + len > d.bars[bar].size)
        return {ErrorCode::kConfig,
                format("MSI-X %s (0x%" PRIx64 "+0x%" PRIx64 ") does not fit in BAR%u of 0x%" PRIx64 " bytes",
                       what, off, len, bar, d.bars[bar].size)};
      return {};
    };
    const uint64_t table = uint64_t{d.msix_vectors} * 16;
    const uint64_t pba = (uint64_t{d.msix_vectors} + 63) / 64 * 8;
    if (Status s = check_region("table", d.msix_table_bar, d.msix_table_offset, table); !s) return s;
    if (Status s = check_region("PBA", d.msix_pba_bar, d.msix_pba_offset, pba); !s) return s;
    if (d.msix_table_bar == d.msix_pba_bar &&
        d.msix_table_offset < d.msix_pba_offset + pba && d.msix_pba_offset < d.msix_table_offset + table)
      return {ErrorCode::kConfig, "MSI-X table and PBA overlap"};
  }
  return {};
}

Status check_bar_access(const DeviceDescription& d, unsigned bar, uint64_t offset, unsigned size) {
  if (bar >= kNumBars)
    return {ErrorCode::kBadBar, format("BAR index %u out of range (0..5)", bar)};
  const BarInfo& b = d.bars[bar];
  if (!b.implemented())
    return {ErrorCode::kBadBar, format("BAR%u is not implemented by %s", bar, d.name.c_str())};
  if (size != 1 && size != 2 && size != 4 && size != 8)
    return {ErrorCode::kBadSize, format("access size %u on BAR%u is not 1, 2, 4 or 8", size, bar)};
  if (b.kind == BarKind::kIo && size == 8)
    return {ErrorCode::kBadSize, format("8-byte access to I/O BAR%u (I/O accesses are at most 4 bytes)", bar)};
  if (offset >= b.size || size > b.size - offset)
    return {ErrorCode::kBadOffset,
            format("access at 0x%" PRIx64 " size %u is beyond BAR%u of 0x%" PRIx64 " bytes", offset, size,
                   bar, b.size)};
  return {};
}

}  // namespace cosim
