// A TLM model for testing the adapter: each test sets what its BAR targets
// answer and how long they take, and drives DMA and interrupts through
// doorbell registers in BAR0, as a device would.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <array>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <systemc>
#include <tlm>
#include <vector>

#include "cosim/sc/tlm_model.h"

namespace cosim::sc::testing {

class TestModel final : public TlmModel {
 public:
  SC_HAS_PROCESS(TestModel);

  // BAR0: 4 KiB memory with doorbells at the end; BAR2: 256 B of I/O space;
  // BAR4: 64 KiB 64-bit prefetchable memory holding the MSI-X table.
  static constexpr uint64_t kDoorbellDma = 0xf00;       // write: run `dma` now
  static constexpr uint64_t kDoorbellIntx = 0xf10;      // write: INTx level = value & 1
  static constexpr uint64_t kDoorbellMsi = 0xf14;       // write: MSI vector = value
  static constexpr uint64_t kDoorbellMsix = 0xf18;      // write: MSI-X vector = value
  static constexpr uint64_t kDoorbellTimedMsi = 0xf20;  // write: MSI 0 after `value` ns

  explicit TestModel(const sc_core::sc_module_name& name)
      : TlmModel(name), intx("intx"), msi("msi"), dma_socket_("dma") {
    desc_.name = "test-model";
    desc_.vendor_id = 0x1234;
    desc_.device_id = 0x5678;
    desc_.class_code = 0xff0000;
    desc_.bars[0] = {4096, BarKind::kMem32, false};
    desc_.bars[2] = {256, BarKind::kIo, false};
    desc_.bars[4] = {65536, BarKind::kMem64, true};
    desc_.intx_pin = 1;
    desc_.msi_vectors = 4;
    desc_.msix_vectors = 8;
    desc_.msix_table_bar = 4;
    desc_.msix_table_offset = 0;
    desc_.msix_pba_bar = 4;
    desc_.msix_pba_offset = 0x800;
    for (unsigned i : {0u, 2u, 4u}) {
      mem[i].assign(desc_.bars[i].size, 0);
      bars_[i] = std::make_unique<tlm_utils::simple_target_socket_tagged<TestModel>>(("bar" + std::to_string(i)).c_str());
      bars_[i]->register_b_transport(this, &TestModel::b_transport, static_cast<int>(i));
    }
    SC_THREAD(dma_thread);
    SC_THREAD(timer_thread);
  }

  // ---- What the test sets
  std::optional<tlm::tlm_response_status> respond;  // answer this instead of OK
  sc_core::sc_time latency = sc_core::SC_ZERO_TIME;  // annotated on every access
  sc_core::sc_time wait_in_transport = sc_core::SC_ZERO_TIME;  // wait() inside b_transport
  bool wait_forever = false;        // b_transport waits for an event nobody notifies
  bool throw_in_transport = false;  // b_transport throws std::runtime_error
  bool stop_in_transport = false;   // b_transport calls sc_stop()

  // The DMA the doorbell runs, and what came back.
  struct Dma {
    tlm::tlm_command command = tlm::TLM_READ_COMMAND;
    uint64_t address = 0;
    std::vector<uint8_t> data;  // written, or read into (its size is the length)
    std::vector<uint8_t> byte_enables;
    bool byte_enable_length_zero = false;  // pass the enables' pointer with length 0
    unsigned streaming_width = 0;          // 0: the length
    sc_core::sc_time annotate = sc_core::SC_ZERO_TIME;  // delay passed in
    tlm::tlm_response_status response = tlm::TLM_INCOMPLETE_RESPONSE;
    bool done = false;
  } dma;

  // ---- What the model saw
  struct Access {
    unsigned bar = 0;
    tlm::tlm_command command = tlm::TLM_IGNORE_COMMAND;
    uint64_t address = 0;
    unsigned length = 0;
    unsigned streaming_width = 0;
    bool byte_enables = false;
    sc_core::sc_time delay;  // as passed in
  } last;
  unsigned accesses = 0;
  std::vector<ResetKind> resets;
  std::array<std::vector<uint8_t>, kNumBars> mem;

  sc_core::sc_out<bool> intx;
  sc_core::sc_port<InterruptIf> msi;

  // TlmModel
  const DeviceDescription& description() const override { return desc_; }
  BarTargetSocket* bar_socket(unsigned bar) override { return bar < kNumBars ? bars_[bar].get() : nullptr; }
  DmaInitiatorSocket* dma_socket() override { return &dma_socket_; }
  sc_core::sc_out<bool>* intx_port() override { return &intx; }
  sc_core::sc_port<InterruptIf>* msi_port() override { return &msi; }
  void reset(ResetKind kind) override {
    resets.push_back(kind);
    for (auto& m : mem) std::fill(m.begin(), m.end(), uint8_t{0});
    intx.write(false);
  }

 private:
  void b_transport(int bar, tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    ++accesses;
    last = {static_cast<unsigned>(bar), t.get_command(), t.get_address(), t.get_data_length(),
            t.get_streaming_width(), t.get_byte_enable_ptr() != nullptr, delay};
    if (throw_in_transport) throw std::runtime_error("test model: thrown from b_transport");
    if (stop_in_transport) {
      sc_core::sc_stop();
      t.set_response_status(tlm::TLM_OK_RESPONSE);
      return;
    }
    if (wait_forever) sc_core::wait(never_);
    if (wait_in_transport != sc_core::SC_ZERO_TIME) sc_core::wait(wait_in_transport);
    delay += latency;
    if (respond) {
      t.set_response_status(*respond);
      return;
    }
    std::vector<uint8_t>& m = mem[static_cast<unsigned>(bar)];
    const uint64_t a = t.get_address();
    const unsigned n = t.get_data_length();
    if (t.is_read()) {
      std::memcpy(t.get_data_ptr(), m.data() + a, n);
    } else if (t.is_write()) {
      std::memcpy(m.data() + a, t.get_data_ptr(), n);
      if (bar == 0) doorbell(a, m, delay);
    }
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }

  void doorbell(uint64_t address, const std::vector<uint8_t>& m, const sc_core::sc_time& delay) {
    uint32_t value = 0;
    std::memcpy(&value, m.data() + (address & ~3ull), 4);
    switch (address) {
      case kDoorbellDma: dma_event_.notify(delay); break;
      case kDoorbellIntx: intx.write(value & 1); break;
      case kDoorbellMsi: msi->raise_msi(value); break;
      case kDoorbellMsix: msi->raise_msix(value); break;
      case kDoorbellTimedMsi: timer_event_.notify(delay + sc_core::sc_time(value, sc_core::SC_NS)); break;
      default: break;
    }
  }

  void dma_thread() {
    for (;;) {
      sc_core::wait(dma_event_);
      tlm::tlm_generic_payload t;
      t.set_command(dma.command);
      t.set_address(dma.address);
      t.set_data_ptr(dma.data.data());
      t.set_data_length(static_cast<unsigned>(dma.data.size()));
      t.set_streaming_width(dma.streaming_width ? dma.streaming_width : static_cast<unsigned>(dma.data.size()));
      t.set_byte_enable_ptr(dma.byte_enables.empty() ? nullptr : dma.byte_enables.data());
      t.set_byte_enable_length(dma.byte_enable_length_zero ? 0 : static_cast<unsigned>(dma.byte_enables.size()));
      t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      sc_core::sc_time delay = dma.annotate;
      dma_socket_->b_transport(t, delay);
      dma.response = t.get_response_status();
      dma.done = true;
    }
  }

  void timer_thread() {
    for (;;) {
      sc_core::wait(timer_event_);
      msi->raise_msi(0);
    }
  }

  DeviceDescription desc_;
  std::array<std::unique_ptr<tlm_utils::simple_target_socket_tagged<TestModel>>, kNumBars> bars_;
  tlm_utils::simple_initiator_socket<TestModel> dma_socket_;
  sc_core::sc_event dma_event_, timer_event_, never_;
};

}  // namespace cosim::sc::testing
