// cosim-bench-tlm: what the SystemC side costs, as ratios to the native model
// measured in the same run, interleaved iteration by iteration (on a shared,
// noisy machine both halves of a pair see the same load):
//   - one BAR read, in process: TlmDevice (tlm:epf-test) vs NativeEpfTest;
//   - one BAR read through cosim-host over ipc://: a host serving
//     tlm:epf-test vs one serving native:epf-test (two child processes);
//   - the pcitest sequence (BARs 0..2, INTx, MSI, MSI-X, read/write/copy of
//     1 and 1024001 bytes) through the same two hosts.
// Not a test: nothing is asserted. Run build/default/bin/cosim-bench-tlm.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cosim/bridge/session.h"
#include "cosim/bridge/transport.h"
#include "cosim/sc/tlm_device.h"
#include "epf_test_regs.h"
#include "guest_driver.h"
#include "guest_memory.h"
#include "host_process.h"
#include "model_registry.h"
#include "native/epf_test_native.h"

namespace {

using namespace std::chrono;
using cosim::integration::ChildProcess;
using cosim::integration::GuestDriver;
using cosim::integration::GuestMemory;

struct Figures {
  double p50_us = 0, mean_us = 0;
};
struct Pair {
  Figures tlm, native;
};
std::map<std::string, Pair> results;
std::vector<std::string> order;

Figures summarize(std::vector<double>& us) {
  Figures f;
  if (us.empty()) return f;
  std::sort(us.begin(), us.end());
  double sum = 0;
  for (double v : us) sum += v;
  f.mean_us = sum / static_cast<double>(us.size());
  f.p50_us = us[us.size() / 2];
  return f;
}

// Each iteration runs the TLM operation, then the native one.
void paired(benchmark::State& state, const std::string& key, const std::function<bool()>& tlm,
            const std::function<bool()>& native) {
  std::vector<double> a, b;
  for (auto _ : state) {
    const auto t0 = steady_clock::now();
    const bool ok_a = tlm();
    const auto t1 = steady_clock::now();
    const bool ok_b = native();
    const auto t2 = steady_clock::now();
    if (!ok_a || !ok_b) {
      state.SkipWithError((key + ": an operation failed").c_str());
      return;
    }
    a.push_back(duration<double, std::micro>(t1 - t0).count());
    b.push_back(duration<double, std::micro>(t2 - t1).count());
  }
  Pair p{summarize(a), summarize(b)};
  if (!results.count(key)) order.push_back(key);
  results[key] = p;
  state.counters["tlm_p50_us"] = p.tlm.p50_us;
  state.counters["native_p50_us"] = p.native.p50_us;
  state.counters["x_native"] = p.native.p50_us > 0 ? p.tlm.p50_us / p.native.p50_us : 0;
}

// ---- in process -------------------------------------------------------------------

cosim::Device& tlm_device() {
  static std::unique_ptr<cosim::Device> d = [] {
    cosim::register_tlm_models();
    auto spec = cosim::parse_model_spec("tlm:epf-test");
    auto r = cosim::ModelRegistry::instance().create(*spec, {});
    if (!r) {
      std::fprintf(stderr, "cosim-bench-tlm: %s\n", r.status().to_string().c_str());
      std::exit(2);
    }
    return std::move(r).value();
  }();
  return *d;
}

void BM_BarRead_InProcess(benchmark::State& state) {
  cosim::Device& tlm = tlm_device();
  cosim::epf_test::NativeEpfTest native;
  uint64_t v = 0;
  paired(
      state, "BAR read, in process", [&] { return tlm.bar_read(0, cosim::epf_test::kMagic, 4, v).is_ok(); },
      [&] { return native.bar_read(0, cosim::epf_test::kMagic, 4, v).is_ok(); });
}

// ---- through cosim-host ----------------------------------------------------------

struct Hosts {
  std::unique_ptr<cosim::integration::TempDir> dir;
  std::unique_ptr<ChildProcess> tlm_host, native_host;
  GuestMemory tlm_mem, native_mem;
  std::unique_ptr<cosim::RemoteDevice> tlm, native;
  std::unique_ptr<GuestDriver> tlm_driver, native_driver;
};
Hosts* g_hosts = nullptr;

std::unique_ptr<cosim::RemoteDevice> open_host(const std::string& model, Hosts& h, std::unique_ptr<ChildProcess>& p,
                                               GuestMemory& mem) {
  const std::string endpoint = "ipc://" + h.dir->path() + "/" + model.substr(0, model.find(':')) + ".sock";
  std::string error;
  cosim::integration::HostOptions o;
  o.model = model;
  o.once = false;
  p = cosim::integration::start_host(endpoint, h.dir->path() + "/" + model.substr(0, model.find(':')) + ".log", o,
                                     error);
  if (!p) {
    std::fprintf(stderr, "cosim-bench-tlm: %s\n", error.c_str());
    std::exit(2);
  }
  cosim::SessionOptions so;
  so.peer_name = "bench";
  auto d = cosim::RemoteDevice::connect(cosim::connect_transport(endpoint, {}), so);
  if (!d) {
    std::fprintf(stderr, "cosim-bench-tlm: connecting to %s: %s\n", model.c_str(), d.status().to_string().c_str());
    std::exit(2);
  }
  d.value()->attach(&mem);
  return std::move(d).value();
}

Hosts& hosts() {
  if (!g_hosts) {
    g_hosts = new Hosts;
    g_hosts->dir = std::make_unique<cosim::integration::TempDir>();
    g_hosts->tlm = open_host("tlm:epf-test", *g_hosts, g_hosts->tlm_host, g_hosts->tlm_mem);
    g_hosts->native = open_host("native:epf-test", *g_hosts, g_hosts->native_host, g_hosts->native_mem);
    g_hosts->tlm_driver = std::make_unique<GuestDriver>(*g_hosts->tlm, g_hosts->tlm_mem);
    g_hosts->native_driver = std::make_unique<GuestDriver>(*g_hosts->native, g_hosts->native_mem);
  }
  return *g_hosts;
}

void BM_BarRead_Host(benchmark::State& state) {
  Hosts& h = hosts();
  uint64_t v = 0;
  paired(
      state, "BAR read, cosim-host over ipc", [&] { return h.tlm->bar_read(0, cosim::epf_test::kMagic, 4, v).is_ok(); },
      [&] { return h.native->bar_read(0, cosim::epf_test::kMagic, 4, v).is_ok(); });
}

bool pcitest_sequence(GuestDriver& d) {
  using namespace cosim::epf_test;
  bool ok = true;
  for (unsigned bar = 0; bar < 3; ++bar) ok = ok && d.bar_test(bar);
  d.set_irq_type(kIrqIntx);
  ok = ok && d.legacy_irq();
  d.set_irq_type(kIrqMsi);
  for (uint32_t n : {1u, 32u}) ok = ok && d.msi_irq(n, false);
  d.set_irq_type(kIrqMsix);
  for (uint32_t n : {1u, 2048u}) ok = ok && d.msi_irq(n, true);
  d.set_irq_type(kIrqMsi);
  for (uint32_t size : {1u, 1024001u})
    ok = ok && d.read_test(size, true) && d.write_test(size, true) && d.copy_test(size, true);
  return ok;
}

void BM_PcitestSequence_Host(benchmark::State& state) {
  Hosts& h = hosts();
  paired(
      state, "pcitest sequence, cosim-host over ipc", [&] { return pcitest_sequence(*h.tlm_driver); },
      [&] { return pcitest_sequence(*h.native_driver); });
}

void print_summary() {
  std::printf("\n==== cosim-bench-tlm: SystemC/TLM side vs native, interleaved in one run ====\n");
  std::printf("%-40s %12s %12s %10s\n", "operation", "tlm p50 us", "native p50", "x native");
  for (const auto& key : order) {
    const Pair& p = results[key];
    std::printf("%-40s %12.2f %12.2f %10.2f\n", key.c_str(), p.tlm.p50_us, p.native.p50_us,
                p.native.p50_us > 0 ? p.tlm.p50_us / p.native.p50_us : 0.0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RegisterBenchmark("BarRead/in_process", BM_BarRead_InProcess)->UseRealTime();
  benchmark::RegisterBenchmark("BarRead/host_ipc", BM_BarRead_Host)->UseRealTime();
  benchmark::RegisterBenchmark("PcitestSequence/host_ipc", BM_PcitestSequence_Host)->UseRealTime()->Iterations(3);
  benchmark::RunSpecifiedBenchmarks();
  print_summary();
  if (g_hosts) {
    g_hosts->tlm->close("benchmark done");
    g_hosts->native->close("benchmark done");
    delete g_hosts;
  }
  benchmark::Shutdown();
  return 0;
}
