// Session logic on both sides: handshake, request/reply matching, ordering,
// errors. Only ever sees the Device/HostPort interface and a Transport.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cosim/bridge/device.h"
#include "cosim/bridge/log.h"
#include "cosim/bridge/protocol.h"
#include "cosim/bridge/transport.h"
#include "cosim/timescale/sync.h"

namespace cosim {

struct SessionOptions {
  std::string peer_name = "cosim";
  // How long to wait for the handshake answer.
  std::chrono::milliseconds handshake_timeout{5000};
  // How long one request (BAR read, DMA chunk) may wait for its reply;
  // negative = forever. Peer liveness is checked independently by the transport.
  std::chrono::milliseconds reply_timeout{-1};
  uint32_t dma_chunk = proto::kDefaultDmaChunk;
  // Host side, time mode off: while the device has a next event, it is run in
  // steps of at least this much simulated time, checking for messages between steps.
  uint64_t run_quantum_ps = 1'000'000;  // 1 us
  // Virtual time (docs/time.md). Frontend: the mode it asks for in Hello.
  // Host: with time_mode_fixed, the only mode it accepts (a frontend asking
  // for another is refused); otherwise it runs whatever the frontend asks.
  // In freeze and lockstep the host never runs the device on its own: only up
  // to the time stamped on an access or granted by a TimeSync.
  timescale::Mode time_mode = timescale::Mode::kOff;
  bool time_mode_fixed = false;
  // Frontend: called with true once a BAR read has waited `slow_read_after`
  // for its reply, and with false when that wait ends. QEMU stops guest time
  // for slow reads only: stopping it costs two clock updates, which on a busy
  // host can be preempted between them and skew the guest's clocks against
  // each other, so fast reads (most of them) are better left alone.
  std::chrono::milliseconds slow_read_after{1};
  std::function<void(bool waiting)> on_slow_read;
  LogSink log;
};

// Frontend (QEMU) side: a Device whose accesses go to a remote device. While a
// BAR read waits for its reply it serves the device's DMA and interrupt
// messages through the attached HostPort -- otherwise a device that DMAs
// before answering would deadlock against a vCPU holding the big lock.
// Writes are posted; the channel is FIFO, so they stay ordered before later reads.
class RemoteDevice final : public Device {
 public:
  // Performs the handshake; on failure returns the Status (version mismatch,
  // timeout, busy host, ...).
  static Result<std::unique_ptr<RemoteDevice>> connect(std::unique_ptr<Transport> transport,
                                                       SessionOptions options);
  ~RemoteDevice() override;

  const DeviceDescription& description() const override;
  void attach(HostPort* host) override;
  Status bar_read(unsigned bar, uint64_t offset, unsigned size, uint64_t& value) override;
  Status bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) override;
  void reset(ResetKind kind) override;
  // Grant-based sync (freeze/lockstep): asks the host to run the device up to
  // `time_ps` (device timeline) and waits for its answer, serving DMA and
  // interrupts meanwhile. In time mode off it only sends the TimeSync.
  void advance_to(uint64_t time_ps) override;
  // The device's time and next event, as of its last answer.
  uint64_t now_ps() const override;
  std::optional<uint64_t> next_event_ps() const override;
  // Time stamped on the accesses that follow (device timeline); the host
  // brings the device to it before performing them.
  void stamp(uint64_t time_ps);
  // The time mode both sides agreed in the handshake.
  timescale::Mode time_mode() const;
  // Posted writes sent since the last completed sync.
  uint64_t writes_since_sync() const;

  // Serves whatever the device sent asynchronously (DMA, interrupts, errors).
  // Call when notify_fd() is readable, and whenever has_pending() says so.
  void poll();
  int notify_fd() const;
  bool has_pending();
  // False once the peer is lost or said goodbye; every access then fails with
  // kPeerLost (reads return all-ones, like a surprise-removed device).
  bool alive() const;
  const Status& failure() const;
  // Remote peer's Hello.
  const proto::Hello& peer() const;
  std::string endpoint() const;
  // Sends Goodbye (best effort) and stops using the transport.
  void close(const std::string& reason);

  struct Stats {
    uint64_t bar_reads = 0, bar_writes = 0, dma_reads = 0, dma_writes = 0, dma_bytes = 0,
             interrupts = 0, syncs = 0;
  };
  const Stats& stats() const;

 private:
  struct Impl;
  explicit RemoteDevice(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Device (host) side: serves one Device to one frontend over a transport until
// the frontend says goodbye or is lost. Implements the device's HostPort by
// sending DMA/interrupt messages; a DMA waits for its completion, queueing BAR
// accesses that arrive meanwhile so they are executed in order afterwards.
class DeviceServer {
 public:
  DeviceServer(Device& device, SessionOptions options);
  ~DeviceServer();
  // Runs one session on `transport` (whose first frame must be Hello). Returns
  // ok on an orderly Goodbye, else why the session ended.
  Status serve(Transport& transport);
  // Asks a running serve() to return at its next wake-up (thread-safe).
  void stop();

  struct Stats {
    uint64_t bar_reads = 0, bar_writes = 0, dma_reads = 0, dma_writes = 0, dma_bytes = 0,
             interrupts = 0, errors = 0, syncs = 0;
    uint64_t device_ps = 0;  // device time at the end of the session
    timescale::Mode time_mode = timescale::Mode::kOff;
    // The counts since `earlier` (one session's share); times and mode as now.
    Stats since(const Stats& earlier) const {
      Stats d = *this;
      d.bar_reads -= earlier.bar_reads;
      d.bar_writes -= earlier.bar_writes;
      d.dma_reads -= earlier.dma_reads;
      d.dma_writes -= earlier.dma_writes;
      d.dma_bytes -= earlier.dma_bytes;
      d.interrupts -= earlier.interrupts;
      d.errors -= earlier.errors;
      d.syncs -= earlier.syncs;
      return d;
    }
  };
  // Counts over every session served so far (Stats::since for one session's).
  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Frame sent by a host to a second frontend while it serves another: Error(kBusy).
Bytes busy_frame(const std::string& host_name);

}  // namespace cosim
