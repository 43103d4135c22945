// The guest driver's part, played by the test: what Linux 6.1's
// drivers/misc/pci_endpoint_test.c does for each pcitest ioctl, register by
// register, against a remote epf-test device, with guest memory and the
// interrupt controller simulated by GuestMemory.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "cosim/bridge/session.h"
#include "epf_test_regs.h"
#include "guest_memory.h"

namespace cosim::integration {

using std::chrono::milliseconds;

// An interrupt as the driver's handler saw it.
struct HandledIrq {
  IrqKind kind;
  uint32_t vector;  // 0-based; 0 for INTx
  friend bool operator==(const HandledIrq&, const HandledIrq&) = default;
};
std::string to_string(const HandledIrq& irq);
const char* irq_type_name(uint32_t irq_type);

class GuestDriver {
 public:
  struct Options {
    // The driver waits 1 s of guest time for the interrupt tests and forever for
    // transfers; these are the harness's own wall-clock watchdogs, generous
    // because the machine is shared.
    milliseconds irq_timeout{5000};
    milliseconds transfer_timeout{30000};
    uint64_t alignment = 4096;  // default_data.alignment for 104c:b500
    uint64_t seed = 0x70c1e57;  // get_random_bytes() stand-in
  };

  GuestDriver(RemoteDevice& device, GuestMemory& memory, Options options);
  GuestDriver(RemoteDevice& device, GuestMemory& memory) : GuestDriver(device, memory, Options{}) {}

  // PCITEST_SET_IRQTYPE (pcitest -i N): the handler is registered for this
  // kind only; an interrupt of another kind is recorded as unexpected.
  void set_irq_type(uint32_t irq_type) { irq_type_ = irq_type; }

  // PCITEST_BAR (pcitest -b N).
  ::testing::AssertionResult bar_test(unsigned bar);
  // PCITEST_LEGACY_IRQ (pcitest -l), and that INTx drops after the handler.
  ::testing::AssertionResult legacy_irq();
  // PCITEST_MSI / PCITEST_MSIX (pcitest -m N / -x N), N 1-based.
  ::testing::AssertionResult msi_irq(uint32_t n, bool msix);
  // PCITEST_READ (pcitest -r): the device WRITEs into a guest buffer.
  ::testing::AssertionResult read_test(uint32_t size, bool use_dma = false);
  // PCITEST_WRITE (pcitest -w): the device READs a guest buffer.
  ::testing::AssertionResult write_test(uint32_t size, bool use_dma = false);
  // PCITEST_COPY (pcitest -c).
  ::testing::AssertionResult copy_test(uint32_t size, bool use_dma = false);

  // readl()/writel() on BAR0. A failed access is recorded (first_error())
  // and a read then gives all-ones, as the bridge returns.
  uint32_t readl(uint32_t reg);
  void writel(uint32_t reg, uint32_t value);
  uint32_t bar_readl(unsigned bar, uint32_t offset);
  void bar_writel(unsigned bar, uint32_t offset, uint32_t value);

  // Serves the device's asynchronous traffic and runs the interrupt handler
  // until `done()` holds, the device is lost, or `timeout` passes.
  bool pump(const std::function<bool()>& done, milliseconds timeout);
  // reinit_completion() + last_irq = -ENODATA, as every ioctl starts.
  void start_ioctl();
  // wait_for_completion(), bounded by `timeout`.
  bool wait_for_completion(milliseconds timeout);

  const std::optional<HandledIrq>& last_irq() const { return last_irq_; }
  const std::vector<HandledIrq>& completions() const { return completions_; }
  const std::vector<HandledIrq>& unexpected() const { return unexpected_; }
  unsigned handler_runs() const { return handler_runs_; }
  const std::string& first_error() const { return first_error_; }

 private:
  struct Buffer {
    uint64_t orig = 0;  // what kzalloc + dma_map_single gave
    uint64_t phys = 0;  // PTR_ALIGN(orig, alignment)
  };
  Buffer alloc_buffer(uint32_t size, bool random_fill);
  uint32_t crc_of(uint64_t phys, uint32_t size);
  ::testing::AssertionResult check_completion(const char* what, uint32_t status, uint32_t expected_status);
  ::testing::AssertionResult check_guards(const Buffer& b, uint32_t size, const char* which);
  void service_interrupts();
  void handler(const HandledIrq& irq);
  void note_error(const std::string& text);
  ::testing::AssertionResult failure(const std::string& text);

  RemoteDevice& dev_;
  GuestMemory& mem_;
  Options opt_;
  std::mt19937_64 rng_;
  uint32_t irq_type_ = epf_test::kIrqMsi;  // the driver's default irq_type module parameter
  bool completed_ = false;
  std::optional<HandledIrq> last_irq_;
  std::vector<HandledIrq> completions_;
  std::vector<HandledIrq> unexpected_;
  unsigned handler_runs_ = 0;
  std::string first_error_;
};

}  // namespace cosim::integration
