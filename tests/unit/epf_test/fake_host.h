// A HostPort for unit tests: guest memory as a set of regions, address ranges
// that refuse DMA, and a record of every interrupt and INTx transition.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "cosim/bridge/device.h"
#include "cosim/bridge/status.h"

namespace cosim::epf_test::testing {

class FakeHost final : public HostPort {
 public:
  // Guest RAM [base, base + size), zero-filled. Regions must not overlap.
  std::span<uint8_t> add_region(uint64_t base, uint64_t size) {
    auto& mem = regions_[base];
    mem.assign(size, 0);
    return mem;
  }
  // DMA touching [base, base + size) fails, as an IOMMU refusal would.
  void make_invalid(uint64_t base, uint64_t size) { invalid_.push_back({base, size}); }

  // Test access to guest memory; the range must lie inside one region.
  std::span<uint8_t> bytes(uint64_t address, uint64_t size) {
    uint8_t* p = locate(address, size);
    if (!p) throw std::out_of_range("FakeHost::bytes outside guest memory");
    return {p, size};
  }

  Status dma_read(uint64_t address, std::span<uint8_t> out) override {
    note(out.size());
    ++dma_reads;
    const uint8_t* p = reachable(address, out.size());
    if (!p) return fault("read", address, out.size());
    std::memcpy(out.data(), p, out.size());
    return {};
  }
  Status dma_write(uint64_t address, std::span<const uint8_t> data) override {
    note(data.size());
    ++dma_writes;
    uint8_t* p = reachable(address, data.size());
    if (!p) return fault("write", address, data.size());
    std::memcpy(p, data.data(), data.size());
    return {};
  }
  void set_intx(bool asserted) override {
    intx_changes.push_back(asserted);
    intx = asserted;
  }
  void raise_msi(uint32_t vector) override { msi.push_back(vector); }
  void raise_msix(uint32_t vector) override { msix.push_back(vector); }

  void clear_records() {
    intx_changes.clear();
    msi.clear();
    msix.clear();
    dma_reads = dma_writes = 0;
    max_dma_len = 0;
  }

  bool intx = false;
  std::vector<bool> intx_changes;  // every set_intx() call, in order
  std::vector<uint32_t> msi;       // 0-based vectors, in order
  std::vector<uint32_t> msix;
  unsigned dma_reads = 0;
  unsigned dma_writes = 0;
  size_t max_dma_len = 0;

 private:
  struct Range {
    uint64_t base;
    uint64_t size;
  };

  void note(size_t len) { max_dma_len = std::max(max_dma_len, len); }

  uint8_t* locate(uint64_t address, uint64_t size) {
    auto it = regions_.upper_bound(address);
    if (it == regions_.begin()) return nullptr;
    --it;
    const uint64_t off = address - it->first;
    if (off > it->second.size() || size > it->second.size() - off) return nullptr;
    return it->second.data() + off;
  }

  uint8_t* reachable(uint64_t address, uint64_t size) {
    for (const Range& r : invalid_)
      if (address < r.base + r.size && r.base < address + size) return nullptr;
    return locate(address, size);
  }

  static Status fault(const char* what, uint64_t address, uint64_t size) {
    return {ErrorCode::kDmaFault,
            std::string("fake host: DMA ") + what + " of " + std::to_string(size) + " bytes at " +
                std::to_string(address) + " is outside guest memory"};
  }

  std::map<uint64_t, std::vector<uint8_t>> regions_;
  std::vector<Range> invalid_;
};

}  // namespace cosim::epf_test::testing
