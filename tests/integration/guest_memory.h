// The guest side of an integration test: simulated guest RAM as a set of
// buffers (DMA outside them fails, as it would past the end of RAM or through an
// IOMMU) and the platform's interrupt lines. It is the frontend's HostPort.
#pragma once

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "cosim/bridge/device.h"
#include "cosim/bridge/status.h"

namespace cosim::integration {

class GuestMemory final : public HostPort {
 public:
  // Buffers are placed above 4 GiB (the driver's DMA mask is 48 bits, so the
  // SRC/DST *_HI registers matter) with an unmapped gap after each, so a DMA
  // running past the end of a buffer faults instead of landing in the next one.
  static constexpr uint64_t kFirstBuffer = 0x1'2340'0000ull;
  static constexpr uint64_t kGap = 64 * 1024;

  // A zero-filled buffer of `size` bytes, like kzalloc(): its bus address is
  // deliberately not page aligned (offset `misalign` into a page), so the
  // driver's PTR_ALIGN to 4 KiB actually moves the address.
  uint64_t alloc(uint64_t size, uint64_t misalign = 0x40) {
    const uint64_t base = (next_ + 0xfff) / 0x1000 * 0x1000 + (misalign % 0x1000);
    buffers_[base].assign(size, 0);
    next_ = base + size + kGap;
    return base;
  }
  void free(uint64_t base) { buffers_.erase(base); }

  // Test access to guest RAM; [address, address + size) must lie in one buffer.
  std::span<uint8_t> bytes(uint64_t address, uint64_t size) {
    uint8_t* p = locate(address, size);
    if (!p) throw std::out_of_range("GuestMemory::bytes: range is not in one guest buffer");
    return {p, size};
  }

  // Called before a DMA is served, with its address and length: lets a test
  // slow a transfer down or kill a peer in the middle of one.
  std::function<void(uint64_t address, uint64_t length)> on_dma_read;
  std::function<void(uint64_t address, uint64_t length)> on_dma_write;

  Status dma_read(uint64_t address, std::span<uint8_t> out) override {
    ++dma_reads;
    if (on_dma_read) on_dma_read(address, out.size());
    const uint8_t* p = locate(address, out.size());
    if (!p) return fault("read", address, out.size());
    std::memcpy(out.data(), p, out.size());
    dma_bytes += out.size();
    return {};
  }
  Status dma_write(uint64_t address, std::span<const uint8_t> data) override {
    ++dma_writes;
    if (on_dma_write) on_dma_write(address, data.size());
    uint8_t* p = locate(address, data.size());
    if (!p) return fault("write", address, data.size());
    std::memcpy(p, data.data(), data.size());
    dma_bytes += data.size();
    return {};
  }

  // Interrupt lines as the platform sees them: MSI/MSI-X are edges queued for
  // the driver's handler, INTx is a level.
  struct Edge {
    IrqKind kind;
    uint32_t vector;  // 0-based
  };
  void set_intx(bool asserted) override {
    intx_changes.push_back(asserted);
    intx = asserted;
  }
  void raise_msi(uint32_t vector) override { edges.push_back({IrqKind::kMsi, vector}); }
  void raise_msix(uint32_t vector) override { edges.push_back({IrqKind::kMsix, vector}); }

  void clear_interrupt_records() {
    edges.clear();
    intx_changes.clear();
  }

  std::deque<Edge> edges;
  bool intx = false;
  std::vector<bool> intx_changes;  // every set_intx(), in order
  uint64_t dma_reads = 0, dma_writes = 0, dma_faults = 0, dma_bytes = 0;

 private:
  uint8_t* locate(uint64_t address, uint64_t size) {
    auto it = buffers_.upper_bound(address);
    if (it == buffers_.begin()) return nullptr;
    --it;
    const uint64_t off = address - it->first;
    if (off > it->second.size() || size > it->second.size() - off) return nullptr;
    return it->second.data() + off;
  }

  Status fault(const char* what, uint64_t address, uint64_t size) {
    ++dma_faults;
    char text[160];
    std::snprintf(text, sizeof text, "DMA %s of %" PRIu64 " bytes at 0x%" PRIx64 " is outside guest memory", what,
                  size, address);
    return {ErrorCode::kDmaFault, text};
  }

  std::map<uint64_t, std::vector<uint8_t>> buffers_;
  uint64_t next_ = kFirstBuffer;
};

}  // namespace cosim::integration
