// cosim-it-frontend: a frontend in a process of its own, for the test where
// the frontend vanishes mid-DMA. It connects to ENDPOINT, leaves a mark in the
// device (MAGIC), starts a READ of SIZE bytes and, inside the first DMA request
// it is asked to serve, says "DMA-STARTED" on stdout and blocks until killed --
// so the host is left waiting for a DMA completion that never comes.
//   cosim-it-frontend ENDPOINT SIZE
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cosim/bridge/session.h"
#include "cosim/bridge/transport.h"
#include "epf_test_regs.h"
#include "guest_memory.h"

using namespace cosim;
using namespace cosim::epf_test;
using namespace std::chrono;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: cosim-it-frontend ENDPOINT SIZE\n");
    return 2;
  }
  const std::string endpoint = argv[1];
  const auto size = static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 0));

  integration::GuestMemory memory;
  const uint64_t src = memory.alloc(size, 0);
  memory.on_dma_read = [](uint64_t address, uint64_t length) {
    std::printf("DMA-STARTED at 0x%llx, %llu bytes\n", static_cast<unsigned long long>(address),
                static_cast<unsigned long long>(length));
    std::fflush(stdout);
    for (;;) ::pause();  // the test kills us here
  };

  SessionOptions options;
  options.peer_name = "it-frontend-child";
  options.log = [](LogLevel, const std::string& text) { std::fprintf(stderr, "frontend: %s\n", text.c_str()); };
  Result<std::unique_ptr<RemoteDevice>> dev = Status{};
  try {
    dev = RemoteDevice::connect(connect_transport(endpoint), options);
  } catch (const BridgeError& e) {
    dev = e.status();
  }
  if (!dev) {
    std::fprintf(stderr, "cosim-it-frontend: %s\n", dev.status().to_string().c_str());
    return 1;
  }
  RemoteDevice& d = **dev;
  d.attach(&memory);

  // A mark the next frontend must not see: the host resets the device between sessions.
  d.bar_write(0, kMagic, 4, 0x12345678);
  uint64_t magic = 0;
  if (Status s = d.bar_read(0, kMagic, 4, magic); !s || magic != 0x12345678) {
    std::fprintf(stderr, "cosim-it-frontend: MAGIC reads 0x%llx (%s)\n", static_cast<unsigned long long>(magic),
                 s.to_string().c_str());
    return 1;
  }
  d.bar_write(0, kChecksum, 4, 0);
  d.bar_write(0, kSrcAddrLo, 4, static_cast<uint32_t>(src));
  d.bar_write(0, kSrcAddrHi, 4, static_cast<uint32_t>(src >> 32));
  d.bar_write(0, kSize, 4, size);
  d.bar_write(0, kIrqType, 4, kIrqMsi);
  d.bar_write(0, kIrqNumber, 4, 1);
  d.bar_write(0, kCommand, 4, kCmdRead);

  const auto deadline = steady_clock::now() + seconds(30);
  while (steady_clock::now() < deadline && d.alive()) {
    d.poll();
    if (d.has_pending()) continue;
    pollfd p{d.notify_fd(), POLLIN, 0};
    (void)::poll(&p, 1, 20);
  }
  std::fprintf(stderr, "cosim-it-frontend: no DMA request within 30 s (%s)\n",
               d.alive() ? "device alive" : d.failure().to_string().c_str());
  return 1;
}
