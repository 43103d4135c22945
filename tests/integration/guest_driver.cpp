// pci_endpoint_test.c (Linux 6.1) as test code. Each *_test() follows the
// driver's function of the same ioctl line by line -- including its naming:
// pcitest -r makes the device WRITE, pcitest -w makes it READ -- and then adds
// checks the driver leaves out (exact STATUS, the vector that fired, bytes
// around the buffer untouched, INTx dropping).
#include "guest_driver.h"

#include <poll.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace cosim::integration {

using namespace std::chrono;
using namespace cosim::epf_test;

namespace {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

IrqKind kind_of(uint32_t irq_type) {
  return irq_type == kIrqIntx ? IrqKind::kIntx : irq_type == kIrqMsi ? IrqKind::kMsi : IrqKind::kMsix;
}

}  // namespace

const char* irq_type_name(uint32_t irq_type) {
  switch (irq_type) {
    case kIrqIntx: return "INTx";
    case kIrqMsi: return "MSI";
    case kIrqMsix: return "MSI-X";
    default: return "invalid";
  }
}

std::string to_string(const HandledIrq& irq) {
  switch (irq.kind) {
    case IrqKind::kIntx: return "INTx";
    case IrqKind::kMsi: return "MSI vector " + std::to_string(irq.vector);
    case IrqKind::kMsix: return "MSI-X vector " + std::to_string(irq.vector);
  }
  return "?";
}

GuestDriver::GuestDriver(RemoteDevice& device, GuestMemory& memory, Options options)
    : dev_(device), mem_(memory), opt_(options), rng_(options.seed) {}

// ---- register access --------------------------------------------------------

void GuestDriver::note_error(const std::string& text) {
  if (first_error_.empty()) first_error_ = text;
}

uint32_t GuestDriver::bar_readl(unsigned bar, uint32_t offset) {
  uint64_t v = 0;
  const Status s = dev_.bar_read(bar, offset, 4, v);
  if (!s) note_error("readl(BAR" + std::to_string(bar) + "+" + hex(offset) + "): " + s.to_string());
  return static_cast<uint32_t>(v);
}

void GuestDriver::bar_writel(unsigned bar, uint32_t offset, uint32_t value) {
  const Status s = dev_.bar_write(bar, offset, 4, value);
  if (!s) note_error("writel(BAR" + std::to_string(bar) + "+" + hex(offset) + ", " + hex(value) + "): " + s.to_string());
}

uint32_t GuestDriver::readl(uint32_t reg) { return bar_readl(0, reg); }
void GuestDriver::writel(uint32_t reg, uint32_t value) { bar_writel(0, reg, value); }

::testing::AssertionResult GuestDriver::failure(const std::string& text) {
  auto r = ::testing::AssertionFailure() << text;
  if (!first_error_.empty()) r << "; first register access error: " << first_error_;
  if (!dev_.alive()) r << "; device lost: " << dev_.failure().to_string();
  return r;
}

// ---- interrupts ---------------------------------------------------------------

// pci_endpoint_test_irqhandler().
void GuestDriver::handler(const HandledIrq& irq) {
  ++handler_runs_;
  uint32_t reg = readl(kStatus);
  if (reg & kStIrqRaised) {
    last_irq_ = irq;
    completions_.push_back(irq);
    completed_ = true;
    reg &= ~kStIrqRaised;
  }
  writel(kStatus, reg);
}

// The interrupt controller: MSI/MSI-X edges run the handler once each; INTx is
// level-triggered, so the handler runs again while the line stays asserted
// (the deassertion travels back asynchronously, as it does through QEMU).
void GuestDriver::service_interrupts() {
  while (!mem_.edges.empty()) {
    const GuestMemory::Edge e = mem_.edges.front();
    mem_.edges.pop_front();
    const HandledIrq irq{e.kind, e.vector};
    if (e.kind != kind_of(irq_type_))
      unexpected_.push_back(irq);  // vectors of another kind are not enabled
    else
      handler(irq);
  }
  if (mem_.intx) {
    if (irq_type_ == kIrqIntx)
      handler({IrqKind::kIntx, 0});
    else if (unexpected_.empty() || unexpected_.back().kind != IrqKind::kIntx)
      unexpected_.push_back({IrqKind::kIntx, 0});  // INTx is disabled while MSI/MSI-X is on
  }
}

bool GuestDriver::pump(const std::function<bool()>& done, milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  for (;;) {
    service_interrupts();
    if (done()) return true;
    if (!dev_.alive() || steady_clock::now() >= deadline) return false;
    dev_.poll();
    if (!mem_.edges.empty() || mem_.intx || dev_.has_pending()) continue;
    // Nothing buffered: sleep on the notification descriptor. The slice only
    // bounds a missed edge; a correct transport wakes us at once.
    pollfd p{dev_.notify_fd(), POLLIN, 0};
    (void)::poll(&p, 1, 20);
  }
}

void GuestDriver::start_ioctl() {
  completed_ = false;
  last_irq_.reset();
  completions_.clear();
  unexpected_.clear();
  handler_runs_ = 0;
  mem_.clear_interrupt_records();
}

bool GuestDriver::wait_for_completion(milliseconds timeout) {
  return pump([this] { return completed_; }, timeout);
}

// ---- PCITEST_BAR ------------------------------------------------------------------

::testing::AssertionResult GuestDriver::bar_test(unsigned bar) {
  start_ioctl();
  if (bar >= kNumBars || !dev_.description().bars[bar].implemented())
    return failure("BAR" + std::to_string(bar) + " is not implemented");
  // pci_resource_len(); the register BAR is tested on its first word only.
  const uint64_t size = bar == 0 ? 4 : dev_.description().bars[bar].size;
  for (uint64_t j = 0; j < size; j += 4) bar_writel(bar, static_cast<uint32_t>(j), 0xA0A0A0A0);
  for (uint64_t j = 0; j < size; j += 4) {
    const uint32_t val = bar_readl(bar, static_cast<uint32_t>(j));
    if (val != 0xA0A0A0A0)
      return failure("BAR" + std::to_string(bar) + "+" + hex(j) + " reads " + hex(val) + ", wrote 0xa0a0a0a0");
  }
  if (!first_error_.empty()) return failure("BAR" + std::to_string(bar) + " test");
  return ::testing::AssertionSuccess() << "BAR" << bar << ": " << size / 4 << " words";
}

// ---- interrupt tests --------------------------------------------------------------

::testing::AssertionResult GuestDriver::legacy_irq() {
  start_ioctl();
  writel(kIrqType, kIrqIntx);
  writel(kIrqNumber, 0);
  writel(kCommand, kCmdRaiseIntx);
  if (!wait_for_completion(opt_.irq_timeout))
    return failure("RAISE_INTX: no interrupt with IRQ_RAISED within " + std::to_string(opt_.irq_timeout.count()) +
                   " ms (INTx " + (mem_.intx ? "asserted" : "never asserted") + ")");
  // Level semantics: the handler's write-back of STATUS drops the line.
  if (!pump([this] { return !mem_.intx; }, opt_.irq_timeout))
    return failure("INTx still asserted " + std::to_string(opt_.irq_timeout.count()) +
                   " ms after the handler cleared IRQ_RAISED (interrupt storm: handler ran " +
                   std::to_string(handler_runs_) + " times)");
  if (mem_.intx_changes != std::vector<bool>{true, false})
    return failure("INTx transitions: expected assert, deassert; saw " + std::to_string(mem_.intx_changes.size()) +
                   " changes");
  if (!last_irq_ || last_irq_->kind != IrqKind::kIntx) return failure("the completion did not come from INTx");
  if (completions_.size() != 1 || !unexpected_.empty())
    return failure(std::to_string(completions_.size()) + " completions, " + std::to_string(unexpected_.size()) +
                   " unexpected interrupts");
  if (const uint32_t st = readl(kStatus); st != 0) return failure("STATUS after the handler is " + hex(st) + ", expected 0");
  if (!first_error_.empty()) return failure("RAISE_INTX");
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult GuestDriver::msi_irq(uint32_t n, bool msix) {
  const char* what = msix ? "MSI-X" : "MSI";
  start_ioctl();
  writel(kIrqType, msix ? kIrqMsix : kIrqMsi);
  writel(kIrqNumber, n);
  writel(kCommand, msix ? kCmdRaiseMsix : kCmdRaiseMsi);
  if (!wait_for_completion(opt_.irq_timeout))
    return failure(std::string("RAISE_") + what + " " + std::to_string(n) + ": no interrupt with IRQ_RAISED within " +
                   std::to_string(opt_.irq_timeout.count()) + " ms (" + std::to_string(unexpected_.size()) +
                   " interrupts of another kind)");
  // pci_irq_vector(pdev, msi_num - 1) == test->last_irq
  const HandledIrq want{msix ? IrqKind::kMsix : IrqKind::kMsi, n - 1};
  if (*last_irq_ != want) return failure(to_string(*last_irq_) + " fired, expected " + to_string(want));
  if (completions_.size() != 1 || !unexpected_.empty())
    return failure(std::to_string(completions_.size()) + " completions, " + std::to_string(unexpected_.size()) +
                   " unexpected interrupts for one RAISE_" + what);
  if (!first_error_.empty()) return failure(std::string("RAISE_") + what);
  return ::testing::AssertionSuccess();
}

// ---- transfers --------------------------------------------------------------------

GuestDriver::Buffer GuestDriver::alloc_buffer(uint32_t size, bool random_fill) {
  Buffer b;
  // kzalloc(size + alignment) at an address that is not page aligned, then
  // PTR_ALIGN as the driver does when !IS_ALIGNED(orig_phys_addr, alignment).
  b.orig = mem_.alloc(size + opt_.alignment, 0x40 + (rng_() % 63) * 0x40);
  b.phys = opt_.alignment ? (b.orig + opt_.alignment - 1) / opt_.alignment * opt_.alignment : b.orig;
  if (random_fill) {
    auto bytes = mem_.bytes(b.orig, size + opt_.alignment);
    for (auto& x : bytes) x = static_cast<uint8_t>(rng_());
  }
  return b;
}

uint32_t GuestDriver::crc_of(uint64_t phys, uint32_t size) {
  auto bytes = mem_.bytes(phys, size);
  return crc32_le(~0u, bytes.data(), bytes.size());
}

::testing::AssertionResult GuestDriver::check_completion(const char* what, uint32_t status, uint32_t expected) {
  if (!last_irq_) return failure(std::string(what) + ": completed without an interrupt");
  const HandledIrq want{kind_of(irq_type_), 0};  // IRQ_NUMBER 1
  if (*last_irq_ != want) return failure(std::string(what) + ": " + to_string(*last_irq_) + " fired, expected " + to_string(want));
  if (completions_.size() != 1 || !unexpected_.empty())
    return failure(std::string(what) + ": " + std::to_string(completions_.size()) + " completions, " +
                   std::to_string(unexpected_.size()) + " unexpected interrupts");
  if (status != expected)
    return failure(std::string(what) + ": STATUS " + hex(status) + " after the handler, expected " + hex(expected));
  if (irq_type_ == kIrqIntx && !pump([this] { return !mem_.intx; }, opt_.irq_timeout))
    return failure(std::string(what) + ": INTx still asserted after the handler cleared IRQ_RAISED");
  return ::testing::AssertionSuccess();
}

// The device must touch exactly SIZE bytes at the aligned address: the slack
// kzalloc'd around it stays zero.
::testing::AssertionResult GuestDriver::check_guards(const Buffer& b, uint32_t size, const char* which) {
  auto all = mem_.bytes(b.orig, size + opt_.alignment);
  const uint64_t head = b.phys - b.orig;
  for (uint64_t i = 0; i < all.size(); ++i) {
    if (i == head) i += size;
    if (i < all.size() && all[i] != 0)
      return failure(std::string(which) + " buffer byte at " + hex(b.orig + i) + " outside [" + hex(b.phys) + ", +" +
                     std::to_string(size) + ") was written");
  }
  return ::testing::AssertionSuccess();
}

// pci_endpoint_test_read(): the device writes a buffer, the driver checks its
// CRC against CHECKSUM.
::testing::AssertionResult GuestDriver::read_test(uint32_t size, bool use_dma) {
  start_ioctl();
  const Buffer dst = alloc_buffer(size, false);
  writel(kDstAddrLo, static_cast<uint32_t>(dst.phys));
  writel(kDstAddrHi, static_cast<uint32_t>(dst.phys >> 32));
  writel(kSize, size);
  writel(kFlags, use_dma ? kFlagUseDma : 0);
  writel(kIrqType, irq_type_);
  writel(kIrqNumber, 1);
  writel(kCommand, kCmdWrite);
  if (!wait_for_completion(opt_.transfer_timeout))
    return failure("pcitest -r -s " + std::to_string(size) + ": no completion within " +
                   std::to_string(opt_.transfer_timeout.count()) + " ms");
  const uint32_t crc = crc_of(dst.phys, size);
  const uint32_t checksum = readl(kChecksum);
  if (crc != checksum)
    return failure("pcitest -r: CRC of the written buffer " + hex(crc) + " != CHECKSUM " + hex(checksum));
  if (auto r = check_completion("pcitest -r", readl(kStatus), kStWriteSuccess); !r) return r;
  if (auto r = check_guards(dst, size, "destination"); !r) return r;
  if (!first_error_.empty()) return failure("pcitest -r");
  mem_.free(dst.orig);
  return ::testing::AssertionSuccess();
}

// pci_endpoint_test_write(): the driver fills a buffer, tells the device its
// CRC, and the device reads and checks it.
::testing::AssertionResult GuestDriver::write_test(uint32_t size, bool use_dma) {
  start_ioctl();
  const Buffer src = alloc_buffer(size, true);
  const uint32_t crc = crc_of(src.phys, size);
  writel(kChecksum, crc);
  writel(kSrcAddrLo, static_cast<uint32_t>(src.phys));
  writel(kSrcAddrHi, static_cast<uint32_t>(src.phys >> 32));
  writel(kSize, size);
  writel(kFlags, use_dma ? kFlagUseDma : 0);
  writel(kIrqType, irq_type_);
  writel(kIrqNumber, 1);
  writel(kCommand, kCmdRead);
  if (!wait_for_completion(opt_.transfer_timeout))
    return failure("pcitest -w -s " + std::to_string(size) + ": no completion within " +
                   std::to_string(opt_.transfer_timeout.count()) + " ms");
  const uint32_t reg = readl(kStatus);
  if (!(reg & kStReadSuccess)) return failure("pcitest -w: STATUS " + hex(reg) + " lacks READ_SUCCESS");
  if (auto r = check_completion("pcitest -w", reg, kStReadSuccess); !r) return r;
  if (!first_error_.empty()) return failure("pcitest -w");
  mem_.free(src.orig);
  return ::testing::AssertionSuccess();
}

// pci_endpoint_test_copy(): CRC of the destination equals CRC of the source.
::testing::AssertionResult GuestDriver::copy_test(uint32_t size, bool use_dma) {
  start_ioctl();
  const Buffer src = alloc_buffer(size, true);
  writel(kSrcAddrLo, static_cast<uint32_t>(src.phys));
  writel(kSrcAddrHi, static_cast<uint32_t>(src.phys >> 32));
  const uint32_t src_crc = crc_of(src.phys, size);
  const Buffer dst = alloc_buffer(size, false);
  writel(kDstAddrLo, static_cast<uint32_t>(dst.phys));
  writel(kDstAddrHi, static_cast<uint32_t>(dst.phys >> 32));
  writel(kSize, size);
  writel(kFlags, use_dma ? kFlagUseDma : 0);
  writel(kIrqType, irq_type_);
  writel(kIrqNumber, 1);
  writel(kCommand, kCmdCopy);
  if (!wait_for_completion(opt_.transfer_timeout))
    return failure("pcitest -c -s " + std::to_string(size) + ": no completion within " +
                   std::to_string(opt_.transfer_timeout.count()) + " ms");
  const uint32_t dst_crc = crc_of(dst.phys, size);
  if (dst_crc != src_crc) return failure("pcitest -c: destination CRC " + hex(dst_crc) + " != source CRC " + hex(src_crc));
  if (auto r = check_completion("pcitest -c", readl(kStatus), kStCopySuccess); !r) return r;
  if (auto r = check_guards(dst, size, "destination"); !r) return r;
  if (!first_error_.empty()) return failure("pcitest -c");
  mem_.free(src.orig);
  mem_.free(dst.orig);
  return ::testing::AssertionSuccess();
}

}  // namespace cosim::integration
