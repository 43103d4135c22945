// cosim-bench-transport: what a BAR read and a DMA cost through the bridge,
// each next to a baseline measured in the same run between the same two
// parties -- a bare Unix SEQPACKET ping-pong for round trips, memcpy for DMA.
//
// Layout: before anything touches ZeroMQ, the process forks a server child
// (ZeroMQ contexts do not survive fork). The child serves native epf-test over
// ipc://, tcp:// and unix://, a DMA test device over ipc:// and unix://, and
// echoes the bare socket. ipc:// is ZeroMQ (its I/O threads on the data path),
// unix:// the direct Unix-socket transport: the rows compare the two.
// The inproc:// server is a thread of the parent, with its own bare baseline
// between two threads. A table of ratios is printed at the end; the goals
// (round trip within 2x of bare, 1 MiB DMA above 1 GB/s over ipc) are reported,
// not asserted.
#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "cosim/bridge/session.h"
#include "cosim/bridge/transport.h"
#include "epf_test_regs.h"
#include "native/epf_test_native.h"

namespace {

using namespace std::chrono;
using cosim::Status;

// ---- a device that only does DMA ---------------------------------------------------

// BAR0 registers of the DMA test device. A COMMAND write moves LENGTH bytes
// between guest memory at ADDR and the device's buffer in ONE HostPort call, so
// the session's own chunking and pipelining (SessionOptions::dma_chunk, the DMA
// window) is what gets measured -- not a model's choice of chunk size.
enum DmaReg : uint32_t { kDmaAddrLo = 0x00, kDmaAddrHi = 0x04, kDmaLength = 0x08, kDmaCommand = 0x0c, kDmaResult = 0x10 };
enum DmaCmd : uint32_t { kFromGuest = 1, kToGuest = 2 };

class DmaBenchDevice final : public cosim::Device {
 public:
  static constexpr uint32_t kMaxLength = 1 << 20;
  DmaBenchDevice() : buffer_(kMaxLength, 0x5a) {
    desc_.name = "dma-bench";
    desc_.vendor_id = 0x1234;
    desc_.device_id = 0xbe0c;
    desc_.class_code = 0xff0000;
    desc_.bars[0] = {4096, cosim::BarKind::kMem32, false};
  }
  const cosim::DeviceDescription& description() const override { return desc_; }
  void attach(cosim::HostPort* host) override { host_ = host; }
  Status bar_read(unsigned, uint64_t offset, unsigned, uint64_t& value) override {
    value = offset == kDmaResult ? result_ : 0;
    return {};
  }
  Status bar_write(unsigned, uint64_t offset, unsigned, uint64_t value) override {
    const auto v = static_cast<uint32_t>(value);
    switch (offset) {
      case kDmaAddrLo: addr_ = (addr_ & ~0xffffffffull) | v; break;
      case kDmaAddrHi: addr_ = (addr_ & 0xffffffffull) | (uint64_t{v} << 32); break;
      case kDmaLength: length_ = std::min(v, kMaxLength); break;
      case kDmaCommand: {
        std::span<uint8_t> buf(buffer_.data(), length_);
        Status s = !host_ ? Status{cosim::ErrorCode::kDmaFault, "no host"}
                   : v == kFromGuest ? host_->dma_read(addr_, buf)
                                     : host_->dma_write(addr_, buf);
        result_ = s ? 0 : static_cast<uint32_t>(s.code());
        break;
      }
      default: break;
    }
    return {};
  }
  void reset(cosim::ResetKind) override { addr_ = length_ = result_ = 0; }

 private:
  cosim::DeviceDescription desc_;
  cosim::HostPort* host_ = nullptr;
  std::vector<uint8_t> buffer_;
  uint64_t addr_ = 0;
  uint32_t length_ = 0;
  uint32_t result_ = 0;
};

// Guest memory of the benchmark: one buffer; the frontend's HostPort.
class BenchGuest final : public cosim::HostPort {
 public:
  static constexpr uint64_t kBase = 0x1'0000'0000ull;
  static constexpr uint8_t kFill = 0xa5;
  BenchGuest() : ram_(DmaBenchDevice::kMaxLength + 4096, kFill) {}
  Status dma_read(uint64_t a, std::span<uint8_t> out) override {
    if (a < kBase || a - kBase + out.size() > ram_.size()) return {cosim::ErrorCode::kDmaFault, "outside"};
    std::memcpy(out.data(), ram_.data() + (a - kBase), out.size());
    return {};
  }
  Status dma_write(uint64_t a, std::span<const uint8_t> data) override {
    if (a < kBase || a - kBase + data.size() > ram_.size()) return {cosim::ErrorCode::kDmaFault, "outside"};
    std::memcpy(ram_.data() + (a - kBase), data.data(), data.size());
    return {};
  }
  void set_intx(bool) override {}
  void raise_msi(uint32_t) override { ++irqs; }
  void raise_msix(uint32_t) override { ++irqs; }
  uint64_t irqs = 0;

 private:
  std::vector<uint8_t> ram_;
};

// ---- servers -----------------------------------------------------------------------

// Serves `device` at `endpoint` until `stop`, one session after another.
void serve_forever(cosim::Device& device, const std::string& endpoint, std::atomic<int>& ready,
                   const std::atomic<bool>& stop, cosim::DeviceServer*& server_out) {
  auto listener = cosim::listen_transport(endpoint);
  cosim::SessionOptions o;
  o.peer_name = "bench-host";
  o.log = [](cosim::LogLevel level, const std::string& text) {
    if (level <= cosim::LogLevel::kWarning) std::fprintf(stderr, "bench server: %s\n", text.c_str());
  };
  cosim::DeviceServer server(device, o);
  server_out = &server;
  ++ready;
  while (!stop) {
    auto peer = listener->accept(milliseconds(100));
    if (peer) (void)server.serve(*peer);
  }
  server_out = nullptr;
}

struct Endpoints {
  std::string ipc, tcp, dma_ipc, unix_epf, dma_unix;
};

// The child: five servers plus the bare echo, until the parent closes the socket.
[[noreturn]] void child_main(int bare_fd, const Endpoints& ep) {
  std::atomic<int> ready{0};
  std::atomic<bool> stop{false};
  cosim::epf_test::NativeEpfTest ipc_dev, tcp_dev, unix_dev;
  DmaBenchDevice dma_dev, dma_unix_dev;
  cosim::DeviceServer *s1 = nullptr, *s2 = nullptr, *s3 = nullptr, *s4 = nullptr, *s5 = nullptr;
  std::thread t1(serve_forever, std::ref(ipc_dev), ep.ipc, std::ref(ready), std::cref(stop), std::ref(s1));
  std::thread t2(serve_forever, std::ref(tcp_dev), ep.tcp, std::ref(ready), std::cref(stop), std::ref(s2));
  std::thread t3(serve_forever, std::ref(dma_dev), ep.dma_ipc, std::ref(ready), std::cref(stop), std::ref(s3));
  std::thread t4(serve_forever, std::ref(unix_dev), ep.unix_epf, std::ref(ready), std::cref(stop), std::ref(s4));
  std::thread t5(serve_forever, std::ref(dma_unix_dev), ep.dma_unix, std::ref(ready), std::cref(stop),
                 std::ref(s5));
  while (ready < 5) std::this_thread::sleep_for(milliseconds(1));
  char buf[4096] = {'R'};
  (void)!::send(bare_fd, buf, 1, 0);
  for (;;) {
    const ssize_t n = ::recv(bare_fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    if (::send(bare_fd, buf, static_cast<size_t>(n), 0) != n) break;
  }
  // Parent gone or done: no orderly teardown needed for a benchmark server.
  std::fflush(stderr);
  ::_exit(0);
}

int free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    std::perror("free_tcp_port");
    std::exit(2);
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

// ---- shared state of the parent ------------------------------------------------------

struct Parent {
  Endpoints ep;
  std::string inproc = "inproc://cosim-bench-epf";
  std::string tmpdir;
  pid_t child = -1;
  int child_fd = -1;     // bare baseline with the child process
  int thread_fd = -1;    // bare baseline with the echo thread
  std::thread echo_thread;
  std::thread inproc_thread;
  std::atomic<int> inproc_ready{0};
  std::atomic<bool> inproc_stop{false};
  cosim::DeviceServer* inproc_server = nullptr;
  std::unique_ptr<cosim::epf_test::NativeEpfTest> inproc_dev;
  std::map<std::string, std::unique_ptr<cosim::RemoteDevice>> devices;
  BenchGuest guest;
};
Parent* g = nullptr;

cosim::RemoteDevice& device(const std::string& endpoint) {
  auto& d = g->devices[endpoint];
  if (!d) {
    cosim::SessionOptions o;
    o.peer_name = "bench-frontend";
    auto r = cosim::RemoteDevice::connect(cosim::connect_transport(endpoint), o);
    if (!r) {
      std::fprintf(stderr, "connect %s: %s\n", endpoint.c_str(), r.status().to_string().c_str());
      std::exit(1);
    }
    d = std::move(r).value();
    d->attach(&g->guest);
  }
  return *d;
}

// Results kept for the summary: the last run of each benchmark is the measured one.
struct Figures {
  double mean_us = 0, p50_us = 0, p99_us = 0;
  double bytes = 0;  // per operation, for throughput
};
struct Pair {
  Figures op, base;
  std::string base_name;
};
std::map<std::string, Pair> results;
std::vector<std::string> order;  // keys in the order they ran

Figures summarize(std::vector<double>& samples_us, double bytes) {
  Figures f;
  if (samples_us.empty()) return f;
  std::sort(samples_us.begin(), samples_us.end());
  double sum = 0;
  for (double s : samples_us) sum += s;
  f.mean_us = sum / static_cast<double>(samples_us.size());
  f.p50_us = samples_us[samples_us.size() / 2];
  f.p99_us = samples_us[std::min(samples_us.size() - 1, samples_us.size() * 99 / 100)];
  f.bytes = bytes;
  return f;
}

double gbps(const Figures& f) { return f.mean_us > 0 ? f.bytes / (f.mean_us * 1e-6) / 1e9 : 0; }

// Each iteration runs the operation and then its baseline, timing each: on a
// shared, noisy machine both see the same load, so their ratio means
// something even when absolute figures swing between runs.
template <typename Op, typename Base>
void paired_loop(benchmark::State& state, const std::string& key, const std::string& base_name, Op&& op,
                 Base&& base, double bytes = 0) {
  std::vector<double> a, b;
  a.reserve(static_cast<size_t>(state.max_iterations));
  b.reserve(static_cast<size_t>(state.max_iterations));
  for (auto _ : state) {
    const auto t0 = steady_clock::now();
    op();
    const auto t1 = steady_clock::now();
    base();
    const auto t2 = steady_clock::now();
    a.push_back(duration<double, std::micro>(t1 - t0).count());
    b.push_back(duration<double, std::micro>(t2 - t1).count());
  }
  Pair p{summarize(a, bytes), summarize(b, bytes), base_name};
  if (!results.count(key)) order.push_back(key);
  results[key] = p;
  state.counters["p50_us"] = p.op.p50_us;
  state.counters["p99_us"] = p.op.p99_us;
  state.counters["base_p50_us"] = p.base.p50_us;
  state.counters["base_p99_us"] = p.base.p99_us;
  state.counters["x_base"] = p.base.p50_us > 0 ? p.op.p50_us / p.base.p50_us : 0;
  if (bytes > 0) state.counters["GB/s"] = gbps(p.op);
}

// ---- round trips ----------------------------------------------------------------------

constexpr size_t kPingBytes = 32;  // about the size of a BarRead frame

void bare_ping(benchmark::State& state, int fd) {
  char buf[256] = {};
  if (::send(fd, buf, kPingBytes, 0) != static_cast<ssize_t>(kPingBytes) ||
      ::recv(fd, buf, sizeof buf, 0) != static_cast<ssize_t>(kPingBytes))
    state.SkipWithError("bare socket ping-pong failed");
}

// A BAR read of MAGIC through RemoteDevice -> transport -> DeviceServer ->
// native epf-test, paired with a bare SEQPACKET ping-pong between the same two
// parties (threads for inproc, processes for ipc and tcp).
void round_trip(benchmark::State& state, const std::string& endpoint, const std::string& key, int bare_fd,
                const char* bare_name) {
  cosim::RemoteDevice& d = device(endpoint);
  paired_loop(
      state, key, bare_name,
      [&] {
        uint64_t v = 0;
        if (!d.bar_read(0, cosim::epf_test::kMagic, 4, v)) state.SkipWithError("BAR read failed");
      },
      [&] { bare_ping(state, bare_fd); });
}

void BM_RoundTrip_Inproc(benchmark::State& state) {
  round_trip(state, g->inproc, "inproc", g->thread_fd, "bare socket, two threads");
}
void BM_RoundTrip_Ipc(benchmark::State& state) {
  round_trip(state, g->ep.ipc, "ipc", g->child_fd, "bare socket, two processes");
}
void BM_RoundTrip_Tcp(benchmark::State& state) {
  round_trip(state, g->ep.tcp, "tcp", g->child_fd, "bare socket, two processes");
}
void BM_RoundTrip_Unix(benchmark::State& state) {
  round_trip(state, g->ep.unix_epf, "unix", g->child_fd, "bare socket, two processes");
}

// ---- DMA --------------------------------------------------------------------------------

// memcpy of the same size between two buffers of its own, as the baseline.
struct MemcpyBase {
  explicit MemcpyBase(size_t n) : src(n, 1), dst(n, 0) {}
  void operator()() {
    std::memcpy(dst.data(), src.data(), src.size());
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  std::vector<uint8_t> src, dst;
};

// One device-side DMA of `n` bytes through the session, end to end: COMMAND
// (posted) then a RESULT read, during which the frontend serves the chunks.
void dma(benchmark::State& state, DmaCmd cmd, const char* name, const std::string& endpoint) {
  const auto n = static_cast<uint32_t>(state.range(0));
  cosim::RemoteDevice& d = device(endpoint);
  d.bar_write(0, kDmaAddrLo, 4, static_cast<uint32_t>(BenchGuest::kBase));
  d.bar_write(0, kDmaAddrHi, 4, static_cast<uint32_t>(BenchGuest::kBase >> 32));
  d.bar_write(0, kDmaLength, 4, n);
  MemcpyBase base(n);
  paired_loop(
      state, std::string(name) + "/" + std::to_string(n), "memcpy",
      [&] {
        uint64_t result = 1;
        d.bar_write(0, kDmaCommand, 4, cmd);
        if (!d.bar_read(0, kDmaResult, 4, result) || result != 0) state.SkipWithError("DMA failed");
      },
      base, static_cast<double>(n));
}

void BM_DmaFromGuest_Ipc(benchmark::State& state) { dma(state, kFromGuest, "dma guest->device ipc", g->ep.dma_ipc); }
void BM_DmaToGuest_Ipc(benchmark::State& state) { dma(state, kToGuest, "dma device->guest ipc", g->ep.dma_ipc); }
void BM_DmaFromGuest_Unix(benchmark::State& state) {
  dma(state, kFromGuest, "dma guest->device unix", g->ep.dma_unix);
}
void BM_DmaToGuest_Unix(benchmark::State& state) { dma(state, kToGuest, "dma device->guest unix", g->ep.dma_unix); }

// The real device end to end: epf-test COMMAND=READ of `n` bytes (64 KiB
// HostPort calls, CRC on the device), then the STATUS read that waits for it.
void epf_test_read(benchmark::State& state, const std::string& endpoint, const std::string& key) {
  using namespace cosim::epf_test;
  const auto n = static_cast<uint32_t>(state.range(0));
  cosim::RemoteDevice& d = device(endpoint);
  d.bar_write(0, kSrcAddrLo, 4, static_cast<uint32_t>(BenchGuest::kBase));
  d.bar_write(0, kSrcAddrHi, 4, static_cast<uint32_t>(BenchGuest::kBase >> 32));
  d.bar_write(0, kSize, 4, n);
  const std::vector<uint8_t> expected(n, BenchGuest::kFill);
  d.bar_write(0, kChecksum, 4, crc32_le(~0u, expected.data(), n));
  d.bar_write(0, kIrqType, 4, kIrqMsi);
  d.bar_write(0, kIrqNumber, 4, 1);
  MemcpyBase base(n);
  paired_loop(
      state, key + "/" + std::to_string(n), "memcpy",
      [&] {
        d.bar_write(0, kCommand, 4, kCmdRead);
        uint64_t status = 0;  // FIFO: this read is answered after the command ran
        if (Status s = d.bar_read(0, kStatus, 4, status); !s || status != (kStReadSuccess | kStIrqRaised)) {
          std::fprintf(stderr, "epf-test READ: %s, STATUS 0x%llx\n", s.to_string().c_str(),
                       static_cast<unsigned long long>(status));
          state.SkipWithError("READ failed");
        }
        d.bar_write(0, kStatus, 4, 0);
      },
      base, static_cast<double>(n));
}
void BM_EpfTestRead_Ipc(benchmark::State& state) { epf_test_read(state, g->ep.ipc, "epf-test READ ipc"); }
void BM_EpfTestRead_Unix(benchmark::State& state) { epf_test_read(state, g->ep.unix_epf, "epf-test READ unix"); }

void register_benchmarks() {
  benchmark::RegisterBenchmark("RoundTrip/inproc", BM_RoundTrip_Inproc)->UseRealTime();
  benchmark::RegisterBenchmark("RoundTrip/ipc", BM_RoundTrip_Ipc)->UseRealTime();
  benchmark::RegisterBenchmark("RoundTrip/tcp", BM_RoundTrip_Tcp)->UseRealTime();
  benchmark::RegisterBenchmark("RoundTrip/unix", BM_RoundTrip_Unix)->UseRealTime();
  for (int64_t n : {4096, 65536, 1 << 20}) {
    benchmark::RegisterBenchmark("DmaFromGuest/ipc", BM_DmaFromGuest_Ipc)->Arg(n)->UseRealTime();
    benchmark::RegisterBenchmark("DmaToGuest/ipc", BM_DmaToGuest_Ipc)->Arg(n)->UseRealTime();
    benchmark::RegisterBenchmark("DmaFromGuest/unix", BM_DmaFromGuest_Unix)->Arg(n)->UseRealTime();
    benchmark::RegisterBenchmark("DmaToGuest/unix", BM_DmaToGuest_Unix)->Arg(n)->UseRealTime();
  }
  benchmark::RegisterBenchmark("EpfTestRead/ipc", BM_EpfTestRead_Ipc)->Arg(1 << 20)->UseRealTime();
  benchmark::RegisterBenchmark("EpfTestRead/unix", BM_EpfTestRead_Unix)->Arg(1 << 20)->UseRealTime();
}

// ---- summary -----------------------------------------------------------------------------

void print_summary() {
  std::printf("\n==== cosim-bench-transport summary: each operation and its baseline, interleaved ====\n");
  std::printf("%-32s %9s %9s %9s | %-27s %9s %9s | %7s %9s\n", "operation", "p50 us", "p99 us", "mean us",
              "baseline", "p50 us", "p99 us", "x base", "GB/s");
  for (const auto& key : order) {
    const Pair& p = results[key];
    std::printf("%-32s %9.1f %9.1f %9.1f | %-27s %9.2f %9.2f | %7.2f", key.c_str(), p.op.p50_us, p.op.p99_us,
                p.op.mean_us, p.base_name.c_str(), p.base.p50_us, p.base.p99_us,
                p.base.p50_us > 0 ? p.op.p50_us / p.base.p50_us : 0.0);
    if (p.op.bytes > 0) std::printf(" %9.3f (memcpy %.1f)", gbps(p.op), gbps(p.base));
    std::printf("\n");
  }
  std::string line;
  for (const char* k : {"inproc", "ipc", "tcp", "unix"}) {
    if (!results.count(k)) continue;
    const Pair& p = results[k];
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s %s %.1f us (%.1f x bare)", line.empty() ? "round trip:" : ",", k, p.op.p50_us,
                  p.op.p50_us / p.base.p50_us);
    line += buf;
  }
  std::printf("%s\n", line.c_str());
  const std::string mib = std::to_string(1 << 20);
  for (const char* net : {"ipc", "unix"}) {
    line.clear();
    for (const char* dir : {"guest->device", "device->guest"}) {
      const std::string k = std::string("dma ") + dir + " " + net + "/" + mib;
      if (!results.count(k)) continue;
      const Pair& p = results[k];
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s %s %.2f GB/s (%.3f x memcpy)",
                    line.empty() ? (std::string("DMA 1 MiB over ") + net + ":").c_str() : ",", dir, gbps(p.op),
                    gbps(p.op) / gbps(p.base));
      line += buf;
    }
    if (!line.empty()) std::printf("%s\n", line.c_str());
  }
  std::printf("goals (reported, not asserted): round trip within 2x of bare; 1 MiB DMA above 1 GB/s over ipc\n");
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  Parent parent;
  g = &parent;
  char tmpl[] = "/tmp/cosim-bench-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    std::perror("mkdtemp");
    return 2;
  }
  parent.tmpdir = tmpl;
  parent.ep.ipc = "ipc://" + parent.tmpdir + "/epf.sock";
  parent.ep.dma_ipc = "ipc://" + parent.tmpdir + "/dma.sock";
  parent.ep.tcp = "tcp://127.0.0.1:" + std::to_string(free_tcp_port());
  parent.ep.unix_epf = "unix://" + parent.tmpdir + "/epf-unix.sock";
  parent.ep.dma_unix = "unix://" + parent.tmpdir + "/dma-unix.sock";

  // Fork first: no ZeroMQ context exists yet in this process.
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0) {
    std::perror("socketpair");
    return 2;
  }
  const pid_t self = ::getpid();
  parent.child = ::fork();
  if (parent.child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != self) ::_exit(1);
    ::close(sv[0]);
    child_main(sv[1], parent.ep);
  }
  ::close(sv[1]);
  parent.child_fd = sv[0];
  char r = 0;
  if (::recv(parent.child_fd, &r, 1, 0) != 1 || r != 'R') {
    std::fprintf(stderr, "the server child did not come up\n");
    return 1;
  }

  // The in-process pair: an echo thread and an inproc:// server thread.
  int tv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, tv) != 0) {
    std::perror("socketpair");
    return 2;
  }
  parent.thread_fd = tv[0];
  parent.echo_thread = std::thread([fd = tv[1]] {
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0 || ::send(fd, buf, static_cast<size_t>(n), 0) != n) break;
    }
    ::close(fd);
  });
  parent.inproc_dev = std::make_unique<cosim::epf_test::NativeEpfTest>();
  parent.inproc_thread = std::thread(serve_forever, std::ref(*parent.inproc_dev), parent.inproc,
                                     std::ref(parent.inproc_ready), std::cref(parent.inproc_stop),
                                     std::ref(parent.inproc_server));
  while (parent.inproc_ready < 1) std::this_thread::sleep_for(milliseconds(1));

  register_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  print_summary();

  for (auto& [ep, d] : parent.devices) d->close("benchmark done");
  parent.devices.clear();
  parent.inproc_stop = true;
  if (parent.inproc_server) parent.inproc_server->stop();
  parent.inproc_thread.join();
  ::shutdown(parent.thread_fd, SHUT_RDWR);
  parent.echo_thread.join();
  ::close(parent.thread_fd);
  ::close(parent.child_fd);  // the child's echo loop ends, and with it the child
  int st = 0;
  ::waitpid(parent.child, &st, 0);
  std::string cmd = parent.tmpdir;
  ::unlink((cmd + "/epf.sock").c_str());
  ::unlink((cmd + "/dma.sock").c_str());
  ::unlink((cmd + "/epf-unix.sock").c_str());  // the child exits without closing its listeners
  ::unlink((cmd + "/dma-unix.sock").c_str());
  ::rmdir(cmd.c_str());
  benchmark::Shutdown();
  return 0;
}
