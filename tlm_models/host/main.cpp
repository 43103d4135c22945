// cosim-host: serves one device model to a QEMU frontend at an endpoint.
//   cosim-host --model native:epf-test --endpoint ipc:///tmp/cosim.sock [--param k=v]...
// Models: native (plain C++), tlm (SystemC/TLM-2.0, run by the adapter in
// tlm_models/sc), rtl (Verilated RTL behind the same adapter, rtl_wrappers/)
// and plug-ins (shared objects, tlm_models/plugin).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "cosim/bridge/session.h"
#include "cosim/bridge/transport.h"
#include "cosim/model_params.h"
#include "cosim/sc/tlm_device.h"
#include "cosim/timescale/sync.h"
#include "model_registry.h"
#include "slow_device.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
cosim::DeviceServer* g_server = nullptr;

void on_signal(int) {
  g_stop = 1;
  if (g_server) g_server->stop();  // only sets an atomic flag
}

int g_verbosity = static_cast<int>(cosim::LogLevel::kInfo);

void log_line(cosim::LogLevel level, const std::string& text) {
  if (static_cast<int>(level) > g_verbosity) return;
  static const char* names[] = {"error", "warning", "info", "debug"};
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", std::localtime(&ts.tv_sec));
  std::fprintf(stderr, "cosim-host %s.%03ld %s: %s\n", stamp, ts.tv_nsec / 1000000, names[static_cast<int>(level)],
               text.c_str());
}

void usage(FILE* out) {
  std::fprintf(out,
               "usage: cosim-host --model KIND:NAME --endpoint URL [options]\n"
               "  --model SPEC          model to serve: native:epf-test, tlm:epf-test, rtl:epf-test,\n"
               "                        plugin:NAME[#MODEL] (libcosim-NAME.so on $COSIM_PLUGIN_PATH or\n"
               "                        <prefix>/lib/cosim/plugins) or plugin:/path/to/lib.so[#MODEL]\n"
               "  --param KEY=VALUE     model parameter (repeatable), e.g. bar5=64k\n"
               "  --quantum DURATION    TLM models: the global quantum (temporal decoupling), e.g. 1us,\n"
               "                        500ns (default 1us; --param quantum= overrides it per model)\n"
               "  --endpoint URL        ipc:///path, tcp://127.0.0.1:PORT or inproc://name\n"
               "  --time off|freeze|lockstep  virtual time mode to insist on (docs/time.md); a frontend\n"
               "                        asking for another is refused. Default: whatever the frontend asks\n"
               "  --slow SPEC           make the simulation slower in wall-clock terms (to reproduce\n"
               "                        timeouts): per-sim-us=D, per-access=D, per-irq=D, comma-separated,\n"
               "                        e.g. per-irq=2s (each interrupt takes 2 s of wall time)\n"
               "  --once                serve one session, then exit with its status\n"
               "  --name NAME           name announced in the handshake (default cosim-host)\n"
               "  --heartbeat-timeout MS  declare a silent frontend lost after MS (default 5000)\n"
               "  --verbose / --quiet   more / less logging\n"
               "  --list-models         print the known models and exit\n"
               "\n"
               "epf-test parameters (every kind): vendor, device, subsystem_vendor, subsystem, revision,\n"
               "  class, bar0..bar5 (BAR sizes, k/M suffix, 0 = none), bar1_kind..bar5_kind=mem|io,\n"
               "  msi, msix, intx, seed\n"
               "tlm:/rtl: adapter: quantum=DURATION, access_timeout=DURATION (simulated time one BAR\n"
               "  access may take, default 1s)\n"
               "rtl:epf-test (Verilated RTL; BARs at most the spec's default sizes, which it is built with):\n"
               "  clock=DURATION        clock period, even picoseconds (default 10ns)\n"
               "  check_axi=0|1         log AXI protocol violations on the BAR and DMA buses\n"
               "  bus_timeout=CYCLES    a BAR access the RTL does not answer by then fails (1000000)\n"
               "  waves=fst|vcd|off     waveforms (default off); files <waves_dir>/<waves_test>.<window>.fst\n"
               "  waves_dir=PATH        output folder (default ./waves)\n"
               "  waves_test=NAME       first part of every file name (default epf-test-rtl)\n"
               "  waves_window=A-B      simulated-time windows, e.g. 10us-20us (several: A-B+C-D)\n"
               "  waves_txn=N           around the N-th BAR access the host forwards (several: N+M)\n"
               "  waves_trigger=barB:OFF  around each BAR write to that offset, e.g. bar0:0x4\n"
               "  waves_pre=, waves_post=DURATION  stretch before/after a transaction or trigger (1us/10us)\n"
               "  waves_triggers=N      BAR-write windows at most (16; 0 = no limit)\n"
               "  waves_segment=DURATION  segment length (100us); waves_cap=SIZE (256M, k/M/G; 0 = none)\n"
               "  waves_depth=N         hierarchy levels traced\n"
               "  No window key records the whole run; with waves_cap the oldest part is dropped first.\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::string model, endpoint, name = "cosim-host", params;
  bool once = false;
  long heartbeat_ms = 5000;
  std::optional<cosim::timescale::Mode> time_mode;
  cosim::SlowOptions slow;
  cosim::register_native_models();
  cosim::register_tlm_models();
  cosim::register_rtl_models();
  cosim::register_plugin_models();

  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* opt) -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "cosim-host: option %s needs a value\n", opt);
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--model") model = value("--model");
    else if (arg == "--endpoint") endpoint = value("--endpoint");
    else if (arg == "--param") params += value("--param") + ";";
    else if (arg == "--quantum") {
      const std::string q = value("--quantum");
      auto ps = cosim::parse_duration_ps(q);
      if (!ps) {
        std::fprintf(stderr, "cosim-host: --quantum '%s': must be a duration such as 1us, 500ns or 0ns\n", q.c_str());
        return 2;
      }
      cosim::sc::set_default_quantum_ps(*ps);
    } else if (arg == "--time") {
      const std::string t = value("--time");
      time_mode = cosim::timescale::parse_mode(t);
      if (!time_mode) {
        std::fprintf(stderr, "cosim-host: --time '%s': expected off, freeze or lockstep\n", t.c_str());
        return 2;
      }
    } else if (arg == "--slow") {
      auto o = cosim::parse_slow_options(value("--slow"));
      if (!o) {
        std::fprintf(stderr, "cosim-host: --slow %s\n", o.status().message().c_str());
        return 2;
      }
      slow = *o;
    } else if (arg == "--once") once = true;
    else if (arg == "--name") name = value("--name");
    else if (arg == "--heartbeat-timeout") heartbeat_ms = std::strtol(value("--heartbeat-timeout").c_str(), nullptr, 0);
    else if (arg == "--verbose") g_verbosity = static_cast<int>(cosim::LogLevel::kDebug);
    else if (arg == "--quiet") g_verbosity = static_cast<int>(cosim::LogLevel::kWarning);
    else if (arg == "--list-models") {
      for (const auto& line : cosim::ModelRegistry::instance().list()) std::printf("%s\n", line.c_str());
      return 0;
    } else if (arg == "--help" || arg == "-h") {
      usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "cosim-host: unknown option '%s'\n", arg.c_str());
      usage(stderr);
      return 2;
    }
  }
  if (model.empty() || endpoint.empty()) {
    std::fprintf(stderr, "cosim-host: --model and --endpoint are required\n");
    usage(stderr);
    return 2;
  }
  if (heartbeat_ms < 100) {
    std::fprintf(stderr, "cosim-host: --heartbeat-timeout %ld is below 100 ms\n", heartbeat_ms);
    return 2;
  }

  auto spec = cosim::parse_model_spec(model, params);
  if (!spec) {
    std::fprintf(stderr, "cosim-host: --model/--param: %s\n", spec.status().message().c_str());
    return 2;
  }
  auto device = cosim::ModelRegistry::instance().create(*spec, log_line);
  if (!device) {
    std::fprintf(stderr, "cosim-host: %s\n", device.status().message().c_str());
    return 2;
  }

  cosim::TransportOptions topts;
  topts.heartbeat_timeout = std::chrono::milliseconds(heartbeat_ms);
  topts.heartbeat_interval = std::chrono::milliseconds(std::max<long>(50, heartbeat_ms / 5));
  std::unique_ptr<cosim::Listener> listener;
  try {
    listener = cosim::listen_transport(endpoint, topts);
  } catch (const cosim::BridgeError& e) {
    std::fprintf(stderr, "cosim-host: --endpoint: %s\n", e.status().message().c_str());
    return 2;
  }
  listener->set_busy_reply(cosim::busy_frame(name));

  cosim::SessionOptions sopts;
  sopts.peer_name = name;
  sopts.log = log_line;
  if (time_mode) {
    sopts.time_mode = *time_mode;
    sopts.time_mode_fixed = true;
  }
  std::unique_ptr<cosim::SlowDevice> slowed;
  cosim::Device* served = device->get();
  if (slow.any()) {
    slowed = std::make_unique<cosim::SlowDevice>(**device, slow);
    served = slowed.get();
    log_line(cosim::LogLevel::kInfo, "slowed on purpose: " + slow.to_string());
  }
  cosim::DeviceServer server(*served, sopts);
  g_server = &server;
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  const auto& d = (*device)->description();
  log_line(cosim::LogLevel::kInfo, "serving " + spec->to_string() + " (" + d.name + ") at " + endpoint);
  int exit_code = 0;
  while (!g_stop) {
    std::unique_ptr<cosim::Transport> peer;
    try {
      peer = listener->accept(std::chrono::milliseconds(200));
    } catch (const cosim::BridgeError& e) {
      log_line(cosim::LogLevel::kError, e.what());
      return 1;
    }
    if (!peer) continue;
    const auto before = server.stats();
    cosim::Status s = server.serve(*peer);
    const auto st = server.stats().since(before);  // this session's counts
    char summary[512];
    std::snprintf(summary, sizeof summary,
                  "session ended: %s; %llu BAR reads, %llu BAR writes, %llu DMA reads, %llu DMA writes, "
                  "%llu DMA bytes, %llu interrupts, %llu errors; time %s, device at %s, %llu syncs",
                  s.to_string().c_str(), (unsigned long long)st.bar_reads, (unsigned long long)st.bar_writes,
                  (unsigned long long)st.dma_reads, (unsigned long long)st.dma_writes,
                  (unsigned long long)st.dma_bytes, (unsigned long long)st.interrupts,
                  (unsigned long long)st.errors, cosim::timescale::to_string(st.time_mode),
                  cosim::timescale::format_seconds(st.device_ps).c_str(), (unsigned long long)st.syncs);
    log_line(s ? cosim::LogLevel::kInfo : cosim::LogLevel::kError, summary);
    if (slowed)
      log_line(cosim::LogLevel::kInfo, "wall time added by --slow so far: " +
                                           cosim::timescale::format_seconds(
                                               cosim::timescale::ns_to_ps(slowed->added().count())));
    // The next frontend expects a device fresh from reset.
    served->reset(cosim::ResetKind::kSystem);
    if (once) {
      exit_code = s ? 0 : 1;
      break;
    }
  }
  g_server = nullptr;
  return exit_code;
}
