// Benchmark (not a test): RTL clock cycles per wall-clock second of the
// epf-test RTL alone (no QEMU, no bridge), while it is busy with large DMA
// transfers: COPY, READ and WRITE of 1 MiB through the TLM wrapper with a
// plain memory behind the DMA socket. With --waves DIR, waveforms are on
// (FST, whole run). The last line is machine-readable (`cosim bench rtl`
// compares it with the same figure of the RTL under the full co-simulation):
//   COSIM-RTL-BENCH busy_cycles=N busy_wall_s=S busy_cps=X
//
//   epf_rtl_bench [--size BYTES | --sizes A+B+...] [--repeat N] [--waves DIR]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "cosim/rtl/epf_test_rtl.h"
#include "epf_test_regs.h"

namespace {

using namespace cosim;
using namespace cosim::epf_test;

constexpr uint64_t kMemBase = 0x1000'0000;

// Flat memory for the DMA master.
struct Memory : sc_core::sc_module {
  tlm_utils::simple_target_socket<Memory, 32> socket;
  std::vector<uint8_t> bytes;
  Memory(const sc_core::sc_module_name& n, size_t size) : sc_core::sc_module(n), socket("socket"), bytes(size) {
    socket.register_b_transport(this, &Memory::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&) {
    const uint64_t a = gp.get_address();
    if (a < kMemBase || a - kMemBase + gp.get_data_length() > bytes.size()) {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    uint8_t* p = bytes.data() + (a - kMemBase);
    if (gp.is_write())
      std::memcpy(p, gp.get_data_ptr(), gp.get_data_length());
    else
      std::memcpy(gp.get_data_ptr(), p, gp.get_data_length());
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

struct Msi : sc_core::sc_module, sc::InterruptIf {
  explicit Msi(const sc_core::sc_module_name& n) : sc_core::sc_module(n) {}
  void raise_msi(uint32_t) override { ++count; }
  void raise_msix(uint32_t) override { ++count; }
  uint64_t count = 0;
};

struct Bench : sc_core::sc_module {
  rtl::EpfTestRtl dut;
  Memory mem;
  Msi msi;
  sc_core::sc_signal<bool> intx;
  tlm_utils::simple_initiator_socket<Bench, 32> bar0;
  std::vector<std::unique_ptr<tlm_utils::simple_initiator_socket<Bench, 32>>> other_bars;  // bound, unused
  std::vector<uint32_t> sizes;
  int repeat;
  double wall_s = 0;
  uint64_t cycles = 0;
  bool ok = true;

  SC_HAS_PROCESS(Bench);
  Bench(const sc_core::sc_module_name& n, rtl::EpfTestRtlOptions opt, std::vector<uint32_t> sizes_, int repeat_)
      : sc_core::sc_module(n), dut("dut", EpfTestConfig{}, std::move(opt)),
        mem("mem", 2 * size_t{*std::max_element(sizes_.begin(), sizes_.end())} + 4096), msi("msi"), intx("intx"),
        bar0("bar0"), sizes(std::move(sizes_)), repeat(repeat_) {
    dut.dma_socket()->bind(mem.socket);
    dut.intx(intx);
    dut.msi(msi);
    bar0.bind(*dut.bar_socket(0));
    for (unsigned i = 1; i < kNumBars; ++i) {
      if (!dut.bar_socket(i)) continue;
      other_bars.push_back(std::make_unique<tlm_utils::simple_initiator_socket<Bench, 32>>(("bar" + std::to_string(i)).c_str()));
      other_bars.back()->bind(*dut.bar_socket(i));
    }
    SC_THREAD(run);
  }

  void wr(uint32_t off, uint32_t v) {
    tlm::tlm_generic_payload gp;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(off);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    gp.set_data_length(4);
    gp.set_streaming_width(4);
    bar0->b_transport(gp, d);
    if (!gp.is_response_ok()) ok = false;
  }
  uint32_t rd(uint32_t off) {
    uint32_t v = 0;
    tlm::tlm_generic_payload gp;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(off);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    gp.set_data_length(4);
    gp.set_streaming_width(4);
    bar0->b_transport(gp, d);
    if (!gp.is_response_ok()) ok = false;
    return v;
  }

  void run() {
    wr(kIrqType, kIrqMsi);
    wr(kIrqNumber, 1);
    const uint32_t max_size = *std::max_element(sizes.begin(), sizes.end());
    wr(kSrcAddrLo, static_cast<uint32_t>(kMemBase));
    wr(kDstAddrLo, static_cast<uint32_t>(kMemBase + max_size + 1));
    const auto t0 = std::chrono::steady_clock::now();
    const uint64_t c0 = dut.cycles();
    for (int i = 0; i < repeat; ++i)
      for (uint32_t size : sizes) {
        wr(kSize, size);
        for (uint32_t cmd : {kCmdCopy, kCmdRead, kCmdWrite}) {
          wr(kStatus, 0);
          wr(kCommand, cmd);
          if (dut.busy()) sc_core::wait(dut.idle_event());
          if (!(rd(kStatus) & kStIrqRaised)) ok = false;
        }
      }
    cycles = dut.cycles() - c0;
    wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    sc_core::sc_stop();
  }
};

}  // namespace

extern "C" int sc_main(int, char**) { return 1; }  // libsystemc's main() needs the symbol; ours runs

int main(int argc, char** argv) {
  std::vector<uint32_t> sizes = {1u << 20};
  int repeat = 3;
  std::string waves_dir;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--size") && i + 1 < argc) sizes = {static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 0))};
    else if (!std::strcmp(argv[i], "--sizes") && i + 1 < argc) {
      sizes.clear();
      for (char* p = argv[++i]; *p;) {
        char* end = nullptr;
        const unsigned long v = std::strtoul(p, &end, 0);
        if (end == p || v == 0 || v > kMaxTransfer) {
          std::fprintf(stderr, "epf_rtl_bench: --sizes: bad size at '%s'\n", p);
          return 2;
        }
        sizes.push_back(static_cast<uint32_t>(v));
        p = *end ? end + 1 : end;
      }
    }
    else if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--waves") && i + 1 < argc) waves_dir = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--size BYTES | --sizes A+B+...] [--repeat N] [--waves DIR]\n", argv[0]);
      return 2;
    }
  }
  rtl::EpfTestRtlOptions opt;
  if (!waves_dir.empty()) {
    opt.waves.enabled = true;
    opt.waves.dir = waves_dir;
    opt.waves.test = "epf_rtl_bench";
    opt.waves.cap_bytes = 0;
  }
  if (sizes.empty() || repeat < 1) {
    std::fprintf(stderr, "epf_rtl_bench: nothing to run\n");
    return 2;
  }
  Bench bench("bench", opt, sizes, repeat);
  sc_core::sc_start();
  if (!bench.ok) {
    std::fprintf(stderr, "epf_rtl_bench: a command or access failed\n");
    return 1;
  }
  const double cps = static_cast<double>(bench.cycles) / bench.wall_s;
  std::string list;
  for (uint32_t s : bench.sizes) list += (list.empty() ? "" : "+") + std::to_string(s);
  std::printf("epf-test RTL alone, %s: %d x (COPY+READ+WRITE of %s bytes): %llu cycles in %.3f s wall = %.3g cycles/s\n",
              waves_dir.empty() ? "waves off" : "waves on (FST, whole run)", repeat, list.c_str(),
              static_cast<unsigned long long>(bench.cycles), bench.wall_s, cps);
  std::printf("simulated: %.3f ms at %.0f MHz, %llu interrupts\n",
              static_cast<double>(bench.cycles) * static_cast<double>(opt.clock_period_ps) * 1e-9,
              1e6 / static_cast<double>(opt.clock_period_ps), static_cast<unsigned long long>(bench.msi.count));
  const auto& b = bench.dut.busy_stats();
  std::printf("COSIM-RTL-BENCH busy_cycles=%llu busy_wall_s=%.6f busy_cps=%.6g\n",
              static_cast<unsigned long long>(b.cycles), b.wall_s, b.cycles_per_s());
  return 0;
}
