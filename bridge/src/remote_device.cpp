// Frontend side of a session: a Device whose registers live in a remote host.
#include <chrono>

#include "cosim/bridge/session.h"
#include "session_util.h"

namespace cosim {

using detail::format;
using detail::Overloaded;
using namespace std::chrono;

struct RemoteDevice::Impl {
  Impl(std::unique_ptr<Transport> t, SessionOptions o) : transport(std::move(t)), ep(o) {}

  std::unique_ptr<Transport> transport;
  detail::Endpoint ep;
  DeviceDescription desc;
  proto::Hello peer;
  HostPort* host = nullptr;
  bool alive = true;
  Status failure;
  uint64_t peer_time_ps = 0;
  // Virtual time agreed in the handshake; the device's lookahead (nullopt =
  // idle) and the posted writes not yet known to be done.
  timescale::Mode mode = timescale::Mode::kOff;
  std::optional<uint64_t> peer_next_ps;
  uint64_t writes_since_sync = 0;
  Stats stats;

  void note_time_sync(const proto::TimeSync& t) {
    peer_time_ps = std::max(peer_time_ps, t.now_ps);
    peer_next_ps = t.next_event_ps ? std::optional<uint64_t>(t.next_event_ps) : std::nullopt;
  }

  void lose(const Status& why) {
    if (!alive) return;
    alive = false;
    failure = why;
    ep.log(LogLevel::kError, "device " + desc.name + " at " + transport->endpoint() +
                                 " is no longer reachable (" + why.to_string() +
                                 "); reads now return all-ones");
  }

  Status handshake() {
    proto::Hello hello;
    hello.role = proto::Role::kFrontend;
    hello.peer_name = ep.options().peer_name;
    hello.capabilities = proto::kCapTimeSync | proto::kCapLookahead | proto::kCapGrantSync;
    hello.time_mode = timescale::to_wire(ep.options().time_mode);
    ep.send(*transport, hello);
    const auto deadline = steady_clock::now() + ep.options().handshake_timeout;
    bool have_hello = false;
    for (;;) {
      auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
      if (left.count() <= 0)
        return {ErrorCode::kTimeout, "no handshake answer from " + transport->endpoint() + " within " +
                                         std::to_string(ep.options().handshake_timeout.count()) + " ms"};
      proto::Message m;
      auto got = ep.receive(*transport, left, m);
      if (got != detail::Endpoint::Got::kMessage) continue;
      if (auto* e = std::get_if<proto::Error>(&m.body))
        return {e->code, "host at " + transport->endpoint() + " refused the session: " + e->text};
      if (auto* h = std::get_if<proto::Hello>(&m.body)) {
        if (h->major != proto::kProtocolMajor)
          return {ErrorCode::kVersionMismatch,
                  format("host '%s' speaks protocol %u.%u, this frontend speaks %u.%u", h->peer_name.c_str(),
                         h->major, h->minor, proto::kProtocolMajor, proto::kProtocolMinor)};
        if (h->role != proto::Role::kDevice)
          return {ErrorCode::kProtocol, "peer at " + transport->endpoint() + " is not a device host"};
        const timescale::Mode want = ep.options().time_mode;
        if (want != timescale::Mode::kOff && !(h->capabilities & proto::kCapGrantSync))
          return {ErrorCode::kVersionMismatch,
                  format("host '%s' speaks protocol %u.%u without grant-based time sync: virtual time mode '%s' "
                         "needs a host of protocol 1.1 or later",
                         h->peer_name.c_str(), h->major, h->minor, timescale::to_string(want))};
        if (h->time_mode != timescale::to_wire(want)) {
          const auto theirs = timescale::mode_from_wire(h->time_mode);
          return {ErrorCode::kConfig, format("host '%s' runs virtual time mode '%s', this frontend asked for '%s'",
                                             h->peer_name.c_str(), theirs ? timescale::to_string(*theirs) : "unknown",
                                             timescale::to_string(want))};
        }
        mode = want;
        peer = *h;
        have_hello = true;
        continue;
      }
      if (auto* d = std::get_if<proto::Describe>(&m.body)) {
        if (!have_hello) return {ErrorCode::kProtocol, "host sent Describe before Hello"};
        if (Status s = validate(d->description); !s)
          return {ErrorCode::kConfig, "device '" + d->description.name + "' describes itself inconsistently: " +
                                          s.message()};
        desc = d->description;
        peer_time_ps = m.time_ps;
        return {};
      }
      return {ErrorCode::kProtocol,
              std::string("unexpected ") + proto::body_name(m.body) + " during the handshake"};
    }
  }

  // Handles one message that is not the reply being waited for.
  void dispatch(proto::Message& m) {
    peer_time_ps = std::max(peer_time_ps, m.time_ps);
    std::visit(
        Overloaded{
            [&](proto::DmaRead& r) {
              ++stats.dma_reads;
              // Guest memory is read straight into the outgoing frame's payload.
              Result<uint64_t> sent = Status{ErrorCode::kDmaFault, "no host port attached"};
              if (host)
                sent = ep.send_with_payload(*transport, proto::DmaReadReply{}, m.seq, r.length,
                                            [&](std::span<uint8_t> out) { return host->dma_read(r.address, out); });
              if (sent) {
                stats.dma_bytes += r.length;
                return;
              }
              proto::DmaReadReply reply;
              reply.status = ErrorCode::kDmaFault;
              reply.error = format("DMA read of %u bytes at 0x%" PRIx64 " failed: %s", r.length, r.address,
                                   sent.status().message().c_str());
              ep.log(LogLevel::kWarning, reply.error);
              ep.send(*transport, std::move(reply), m.seq);
            },
            [&](proto::DmaWrite& w) {
              ++stats.dma_writes;
              proto::DmaWriteReply reply;
              Status s = host ? host->dma_write(w.address, w.data)
                              : Status{ErrorCode::kDmaFault, "no host port attached"};
              if (!s) {
                reply.status = ErrorCode::kDmaFault;
                reply.error = format("DMA write of %zu bytes at 0x%" PRIx64 " failed: %s", w.data.size(), w.address,
                                     s.message().c_str());
                ep.log(LogLevel::kWarning, reply.error);
              } else {
                stats.dma_bytes += w.data.size();
              }
              ep.send(*transport, std::move(reply), m.seq);
            },
            [&](proto::Interrupt& i) { deliver(i); },
            [&](proto::TimeSync& t) { note_time_sync(t); },
            [&](proto::Ping&) { ep.send(*transport, proto::Pong{}, m.seq); },
            [&](proto::Pong&) {},
            [&](proto::BarReadReply&) {
              // Answer to a read that already timed out: its caller has moved on.
              ep.log(LogLevel::kWarning, "discarding a late BarReadReply to seq " + std::to_string(m.reply_to));
            },
            [&](proto::Error& e) {
              ep.log(LogLevel::kError, "host at " + transport->endpoint() + " reports " +
                                           Status(e.code, e.text).to_string());
            },
            [&](proto::Goodbye& g) {
              // Acknowledge, so the host's goodbye is known to have arrived.
              if (m.reply_to == 0) ep.send(*transport, proto::Goodbye{"acknowledged"}, m.seq);
              lose({ErrorCode::kPeerLost, "host said goodbye: " + g.reason});
            },
            [&](auto& other) {
              ep.log(LogLevel::kError, std::string("host sent an unexpected ") + proto::body_name(m.body) +
                                           " (seq " + std::to_string(m.seq) + "); ignored");
              ep.send(*transport,
                      proto::Error{ErrorCode::kProtocol,
                                   std::string(proto::body_name(m.body)) + " is not valid from a device"},
                      m.seq);
              (void)other;
            },
        },
        m.body);
  }

  void deliver(const proto::Interrupt& i) {
    ++stats.interrupts;
    if (!host) return;
    switch (i.kind) {
      case IrqKind::kIntx:
        if (desc.intx_pin == 0) {
          ep.log(LogLevel::kError, "device raised INTx but describes no INTx pin");
          return;
        }
        host->set_intx(i.level);
        return;
      case IrqKind::kMsi:
        if (i.vector >= desc.msi_vectors) {
          ep.log(LogLevel::kError, format("device raised MSI vector %u but has %u", i.vector, desc.msi_vectors));
          return;
        }
        host->raise_msi(i.vector);
        return;
      case IrqKind::kMsix:
        if (i.vector >= desc.msix_vectors) {
          ep.log(LogLevel::kError,
                 format("device raised MSI-X vector %u but has %u", i.vector, desc.msix_vectors));
          return;
        }
        host->raise_msix(i.vector);
        return;
    }
  }

  template <typename F>
  Status guarded(F&& f) {
    try {
      return f();
    } catch (const BridgeError& e) {
      if (e.status().code() == ErrorCode::kPeerLost) lose(e.status());
      return e.status();
    }
  }
};

Result<std::unique_ptr<RemoteDevice>> RemoteDevice::connect(std::unique_ptr<Transport> transport,
                                                            SessionOptions options) {
  auto impl = std::make_unique<Impl>(std::move(transport), std::move(options));
  Status s;
  try {
    s = impl->handshake();
  } catch (const BridgeError& e) {
    s = e.status();
  }
  if (!s) return s;
  return std::unique_ptr<RemoteDevice>(new RemoteDevice(std::move(impl)));
}

RemoteDevice::RemoteDevice(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RemoteDevice::~RemoteDevice() {
  if (impl_->alive) close("frontend closed");
}

const DeviceDescription& RemoteDevice::description() const { return impl_->desc; }
void RemoteDevice::attach(HostPort* host) { impl_->host = host; }

Status RemoteDevice::bar_read(unsigned bar, uint64_t offset, unsigned size, uint64_t& value) {
  Impl& d = *impl_;
  value = size >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * size)) - 1;  // all-ones, as a removed device
  if (Status s = check_bar_access(d.desc, bar, offset, size); !s) return s;
  if (!d.alive) return d.failure;
  ++d.stats.bar_reads;
  return d.guarded([&]() -> Status {
    const uint64_t seq = d.ep.send(*d.transport, proto::BarRead{bar, offset, size});
    const auto timeout = d.ep.options().reply_timeout;
    const auto start = steady_clock::now();
    const auto deadline = timeout.count() < 0 ? steady_clock::time_point::max() : start + timeout;
    // Slow-read notification (SessionOptions::on_slow_read), undone on every way out.
    const auto& on_slow = d.ep.options().on_slow_read;
    const auto slow_at = start + d.ep.options().slow_read_after;
    struct SlowGuard {
      const std::function<void(bool)>& cb;
      bool on = false;
      ~SlowGuard() {
        if (on) cb(false);
      }
    } slow{on_slow};
    for (;;) {
      auto left = timeout.count() < 0 ? milliseconds(-1)
                                      : duration_cast<milliseconds>(deadline - steady_clock::now());
      if (timeout.count() >= 0 && left.count() <= 0)
        return {ErrorCode::kTimeout, format("no reply to the read of BAR%u+0x%" PRIx64 " within %lld ms", bar,
                                            offset, static_cast<long long>(timeout.count()))};
      if (on_slow && !slow.on) {
        const auto now = steady_clock::now();
        if (now >= slow_at) {
          slow.on = true;
          on_slow(true);
        } else {
          const auto until_slow = duration_cast<milliseconds>(slow_at - now) + milliseconds(1);
          if (left.count() < 0 || until_slow < left) left = until_slow;
        }
      }
      proto::Message m;
      if (d.ep.receive(*d.transport, left, m) != detail::Endpoint::Got::kMessage) continue;
      if (m.reply_to == seq) {
        if (auto* r = std::get_if<proto::BarReadReply>(&m.body)) {
          d.peer_time_ps = std::max(d.peer_time_ps, m.time_ps);
          d.writes_since_sync = 0;  // FIFO: the host performed every earlier write
          if (r->status != ErrorCode::kOk) return {r->status, r->error};
          value = r->data;
          return {};
        }
        if (auto* e = std::get_if<proto::Error>(&m.body)) return {e->code, e->text};
      }
      // The device may DMA or interrupt before it answers: serve it now.
      d.dispatch(m);
      if (!d.alive) return d.failure;
    }
  });
}

Status RemoteDevice::bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) {
  Impl& d = *impl_;
  if (Status s = check_bar_access(d.desc, bar, offset, size); !s) return s;
  if (!d.alive) return d.failure;
  ++d.stats.bar_writes;
  return d.guarded([&]() -> Status {
    d.ep.send(*d.transport, proto::BarWrite{bar, offset, size, value});
    ++d.writes_since_sync;
    return {};
  });
}

void RemoteDevice::reset(ResetKind kind) {
  Impl& d = *impl_;
  if (!d.alive) return;
  (void)d.guarded([&]() -> Status {
    d.ep.send(*d.transport, proto::Reset{kind});
    return {};
  });
}

void RemoteDevice::advance_to(uint64_t time_ps) {
  Impl& d = *impl_;
  d.ep.set_time(time_ps);
  if (!d.alive) return;
  (void)d.guarded([&]() -> Status {
    const uint64_t seq = d.ep.send(*d.transport, proto::TimeSync{time_ps, 0});
    if (d.mode == timescale::Mode::kOff) return {};
    // A grant: wait for the host's answer, serving the device's DMA and
    // interrupts meanwhile (they happen during the advance). Liveness is the
    // transport's business; a slow simulation may take as long as it takes.
    for (;;) {
      proto::Message m;
      if (d.ep.receive(*d.transport, milliseconds(-1), m) != detail::Endpoint::Got::kMessage) continue;
      if (m.reply_to == seq) {
        if (auto* t = std::get_if<proto::TimeSync>(&m.body)) {
          d.note_time_sync(*t);
          d.writes_since_sync = 0;
          ++d.stats.syncs;
          return {};
        }
        if (auto* e = std::get_if<proto::Error>(&m.body)) {
          d.ep.log(LogLevel::kError, "host refused the time grant: " + Status(e->code, e->text).to_string());
          return {e->code, e->text};
        }
      }
      d.dispatch(m);
      if (!d.alive) return d.failure;
    }
  });
}

uint64_t RemoteDevice::now_ps() const { return impl_->peer_time_ps; }
std::optional<uint64_t> RemoteDevice::next_event_ps() const { return impl_->peer_next_ps; }
void RemoteDevice::stamp(uint64_t time_ps) { impl_->ep.set_time(time_ps); }
timescale::Mode RemoteDevice::time_mode() const { return impl_->mode; }
uint64_t RemoteDevice::writes_since_sync() const { return impl_->writes_since_sync; }

void RemoteDevice::poll() {
  Impl& d = *impl_;
  if (!d.alive) return;
  (void)d.guarded([&]() -> Status {
    for (;;) {
      proto::Message m;
      auto got = d.ep.receive(*d.transport, milliseconds(0), m);
      if (got == detail::Endpoint::Got::kTimeout) break;
      if (got == detail::Endpoint::Got::kMessage) d.dispatch(m);
      if (!d.alive) break;
    }
    if (d.transport->peer_lost()) d.lose({ErrorCode::kPeerLost, "host at " + d.transport->endpoint() + " disconnected"});
    return {};
  });
}

int RemoteDevice::notify_fd() const { return impl_->transport->notify_fd(); }
bool RemoteDevice::has_pending() {
  if (!impl_->alive) return false;
  try {
    return impl_->transport->has_pending();
  } catch (const BridgeError&) {
    return true;
  }
}
bool RemoteDevice::alive() const { return impl_->alive; }
const Status& RemoteDevice::failure() const { return impl_->failure; }
const proto::Hello& RemoteDevice::peer() const { return impl_->peer; }
std::string RemoteDevice::endpoint() const { return impl_->transport->endpoint(); }
const RemoteDevice::Stats& RemoteDevice::stats() const { return impl_->stats; }

void RemoteDevice::close(const std::string& reason) {
  Impl& d = *impl_;
  if (!d.alive) return;
  try {
    // Wait briefly for the host's acknowledgement: QEMU may exit right after
    // this, and a goodbye still queued in the transport would be lost.
    const uint64_t seq = d.ep.send(*d.transport, proto::Goodbye{reason});
    const auto until = steady_clock::now() + milliseconds(250);
    for (auto left = milliseconds(250); left.count() > 0;
         left = duration_cast<milliseconds>(until - steady_clock::now())) {
      proto::Message m;
      if (d.ep.receive(*d.transport, left, m) == detail::Endpoint::Got::kMessage && m.reply_to == seq &&
          std::holds_alternative<proto::Goodbye>(m.body))
        break;
    }
  } catch (const BridgeError&) {
  }
  d.alive = false;
  d.failure = {ErrorCode::kPeerLost, "session closed: " + reason};
}

}  // namespace cosim
