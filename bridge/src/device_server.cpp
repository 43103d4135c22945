// Host side of a session: serves one Device to one frontend. The device's
// HostPort is implemented here by DMA/interrupt messages.
#include <atomic>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>

#include "cosim/bridge/session.h"
#include "session_util.h"

namespace cosim {

using detail::format;
using detail::Overloaded;
using namespace std::chrono;

namespace {
// DMA chunk requests kept in flight at once: enough to hide a round trip.
constexpr size_t kDmaWindow = 8;
}  // namespace

struct DeviceServer::Impl final : HostPort {
  Impl(Device& d, SessionOptions o) : device(d), ep(std::move(o)) {}

  Device& device;
  detail::Endpoint ep;
  Transport* transport = nullptr;
  // BAR accesses etc. that arrived while a DMA waited; executed in order after it.
  std::deque<proto::Message> deferred;
  std::atomic<bool> stop_requested{false};
  bool ending = false;  // Goodbye received
  // Agreed in the handshake. In freeze/lockstep the device only runs as far
  // as the frontend's stamps and grants.
  timescale::Mode mode = timescale::Mode::kOff;
  // Lookahead last told to the frontend (0 = none), so an unchanged one is not repeated.
  uint64_t announced_next = 0;
  Status end_status;
  mutable std::mutex stats_mu;
  Stats stats;

  void count(uint64_t Stats::*field, uint64_t n = 1) {
    std::lock_guard lock(stats_mu);
    stats.*field += n;
  }

  void stamp() { ep.set_time(device.now_ps()); }
  bool timed() const { return mode != timescale::Mode::kOff; }

  // Freeze/lockstep: runs the device up to `t` (serving its DMA and interrupts
  // on the way); never backwards, never beyond.
  void catch_up(uint64_t t) {
    if (timed() && t > device.now_ps()) device.advance_to(t);
  }
  // The device's next event on the wire: 0 means none, so an event due at 0 is sent as 1 ps.
  uint64_t lookahead() const {
    const std::optional<uint64_t> next = device.next_event_ps();
    return next ? std::max<uint64_t>(*next, 1) : 0;
  }
  void announce_lookahead() {
    const uint64_t next = lookahead();
    if (next == announced_next || ending) return;
    announced_next = next;
    stamp();
    ep.send(*transport, proto::TimeSync{device.now_ps(), next});
  }

  // ----- HostPort: what the device does to the outside world.

  // Waits for replies to `pending` (seq -> chunk index) and calls on_reply for
  // each; anything else is deferred. Returns the first failure.
  template <typename Reply, typename OnReply>
  Status collect(std::map<uint64_t, size_t>& pending, OnReply&& on_reply, Status& first_error) {
    while (!pending.empty()) {
      proto::Message m;
      auto got = ep.receive(*transport, ep.options().reply_timeout, m);
      if (got == detail::Endpoint::Got::kTimeout)
        return {ErrorCode::kTimeout, "no DMA completion from the frontend within " +
                                         std::to_string(ep.options().reply_timeout.count()) + " ms"};
      if (got == detail::Endpoint::Got::kMalformed) continue;
      auto it = pending.find(m.reply_to);
      if (it != pending.end()) {
        if (auto* r = std::get_if<Reply>(&m.body)) {
          Status s = on_reply(*r, it->second);
          if (!s && first_error) first_error = s;
          pending.erase(it);
          continue;
        }
        if (auto* e = std::get_if<proto::Error>(&m.body)) {
          if (first_error) first_error = Status{e->code, e->text};
          pending.erase(it);
          continue;
        }
      }
      if (std::holds_alternative<proto::Goodbye>(m.body)) {
        ending = true;
        end_status = {};
        return {ErrorCode::kPeerLost, "frontend said goodbye during a DMA"};
      }
      if (std::holds_alternative<proto::Ping>(m.body)) {
        ep.send(*transport, proto::Pong{}, m.seq);
        continue;
      }
      deferred.push_back(std::move(m));
    }
    return {};
  }

  template <typename F>
  Status guarded(const char* what, F&& f) {
    if (!transport || ending) return {ErrorCode::kPeerLost, std::string(what) + ": no frontend connected"};
    try {
      return f();
    } catch (const BridgeError& e) {
      if (e.status().code() == ErrorCode::kPeerLost) {
        ending = true;
        end_status = e.status();
      }
      return e.status();
    }
  }

  Status dma_read(uint64_t address, std::span<uint8_t> out) override {
    return guarded("DMA read", [&]() -> Status {
      stamp();
      count(&Stats::dma_reads);
      const uint32_t chunk = ep.options().dma_chunk;
      std::map<uint64_t, size_t> pending;
      Status first_error;
      size_t next = 0;
      auto on_reply = [&](proto::DmaReadReply& r, size_t off) -> Status {
        if (r.status != ErrorCode::kOk) return {r.status, r.error};
        const size_t want = std::min<size_t>(chunk, out.size() - off);
        if (r.data.size() != want)
          return {ErrorCode::kProtocol, format("DMA read reply carries %zu bytes, expected %zu", r.data.size(), want)};
        std::memcpy(out.data() + off, r.data.data(), r.data.size());
        return {};
      };
      while ((next < out.size() && first_error) || !pending.empty()) {
        while (next < out.size() && first_error && pending.size() < kDmaWindow) {
          const uint32_t len = static_cast<uint32_t>(std::min<size_t>(chunk, out.size() - next));
          pending[ep.send(*transport, proto::DmaRead{address + next, len})] = next;
          next += len;
        }
        std::map<uint64_t, size_t> window;
        window.swap(pending);
        if (Status s = collect<proto::DmaReadReply>(window, on_reply, first_error); !s) return s;
      }
      if (!first_error) return {first_error.code(), format("DMA read of %zu bytes at 0x%" PRIx64 ": %s", out.size(),
                                                           address, first_error.message().c_str())};
      count(&Stats::dma_bytes, out.size());
      return {};
    });
  }

  Status dma_write(uint64_t address, std::span<const uint8_t> data) override {
    return guarded("DMA write", [&]() -> Status {
      stamp();
      count(&Stats::dma_writes);
      const uint32_t chunk = ep.options().dma_chunk;
      std::map<uint64_t, size_t> pending;
      Status first_error;
      size_t next = 0;
      auto on_reply = [&](proto::DmaWriteReply& r, size_t) -> Status {
        if (r.status != ErrorCode::kOk) return {r.status, r.error};
        return {};
      };
      while ((next < data.size() && first_error) || !pending.empty()) {
        while (next < data.size() && first_error && pending.size() < kDmaWindow) {
          const size_t len = std::min<size_t>(chunk, data.size() - next);
          // The device's bytes are copied once, straight into the frame.
          Result<uint64_t> seq = ep.send_with_payload(*transport, proto::DmaWrite{address + next, {}}, 0, len,
                                                      [&](std::span<uint8_t> out) {
                                                        std::memcpy(out.data(), data.data() + next, len);
                                                        return Status{};
                                                      });
          pending[seq.value()] = next;
          next += len;
        }
        std::map<uint64_t, size_t> window;
        window.swap(pending);
        if (Status s = collect<proto::DmaWriteReply>(window, on_reply, first_error); !s) return s;
      }
      if (!first_error) return {first_error.code(), format("DMA write of %zu bytes at 0x%" PRIx64 ": %s",
                                                           data.size(), address, first_error.message().c_str())};
      count(&Stats::dma_bytes, data.size());
      return {};
    });
  }

  void send_irq(proto::Interrupt irq) {
    (void)guarded("interrupt", [&]() -> Status {
      stamp();
      count(&Stats::interrupts);
      ep.send(*transport, irq);
      return {};
    });
  }
  void set_intx(bool asserted) override { send_irq({IrqKind::kIntx, 0, asserted}); }
  void raise_msi(uint32_t vector) override { send_irq({IrqKind::kMsi, vector, true}); }
  void raise_msix(uint32_t vector) override { send_irq({IrqKind::kMsix, vector, true}); }

  // ----- Requests from the frontend.

  void handle(proto::Message& m) {
    std::visit(
        Overloaded{
            [&](proto::BarRead& r) {
              count(&Stats::bar_reads);
              catch_up(m.time_ps);
              if (ending) return;
              proto::BarReadReply reply;
              Status s = check_bar_access(device.description(), r.bar, r.offset, r.size);
              if (s) s = device.bar_read(r.bar, r.offset, r.size, reply.data);
              if (!s) {
                count(&Stats::errors);
                reply.status = s.code();
                reply.error = s.message();
                reply.data = 0;
              }
              // The frontend learns the device's lookahead before the reply
              // that ends its wait, so it can schedule the next sync.
              if (timed()) announce_lookahead();
              stamp();
              if (!ending) ep.send(*transport, std::move(reply), m.seq);
            },
            [&](proto::BarWrite& w) {
              count(&Stats::bar_writes);
              catch_up(m.time_ps);
              if (ending) return;
              Status s = check_bar_access(device.description(), w.bar, w.offset, w.size);
              if (s) s = device.bar_write(w.bar, w.offset, w.size, w.data);
              if (!s) {
                // Posted: the frontend hears about a failure as an Error.
                count(&Stats::errors);
                ep.log(LogLevel::kWarning, "BAR write failed: " + s.to_string());
                if (!ending) {
                  stamp();
                  ep.send(*transport, proto::Error{s.code(), "BAR write: " + s.message()}, m.seq);
                }
              }
            },
            [&](proto::Reset& r) { device.reset(r.kind); },
            [&](proto::TimeSync& t) {
              if (!timed()) {
                device.advance_to(t.now_ps);
                return;
              }
              // A grant: run up to it, then answer with where the device is
              // and its next event (lookahead).
              catch_up(t.now_ps);
              if (ending) return;
              count(&Stats::syncs);
              announced_next = lookahead();
              stamp();
              ep.send(*transport, proto::TimeSync{device.now_ps(), announced_next}, m.seq);
            },
            [&](proto::Ping&) { ep.send(*transport, proto::Pong{}, m.seq); },
            [&](proto::Pong&) {},
            [&](proto::Goodbye& g) {
              ep.log(LogLevel::kInfo, "frontend said goodbye: " + g.reason);
              if (m.reply_to == 0) ep.send(*transport, proto::Goodbye{"acknowledged"}, m.seq);
              ending = true;
              end_status = {};
            },
            [&](proto::Error& e) {
              count(&Stats::errors);
              ep.log(LogLevel::kError, "frontend reports " + Status(e.code, e.text).to_string());
            },
            [&](auto&) {
              count(&Stats::errors);
              const std::string what = std::string(proto::body_name(m.body)) + " is not valid from a frontend here";
              ep.log(LogLevel::kError, what);
              ep.send(*transport, proto::Error{ErrorCode::kProtocol, what}, m.seq);
            },
        },
        m.body);
  }

  Status handshake() {
    proto::Message m;
    auto got = ep.receive(*transport, ep.options().handshake_timeout, m);
    if (got != detail::Endpoint::Got::kMessage)
      return {ErrorCode::kProtocol, "the frontend's first frame was not a valid Hello"};
    auto* h = std::get_if<proto::Hello>(&m.body);
    if (!h) {
      ep.send(*transport, proto::Error{ErrorCode::kProtocol, "expected Hello"}, m.seq);
      return {ErrorCode::kProtocol, std::string("the frontend opened with ") + proto::body_name(m.body)};
    }
    if (h->major != proto::kProtocolMajor) {
      const std::string text =
          format("frontend '%s' speaks protocol %u.%u, this host speaks %u.%u", h->peer_name.c_str(), h->major,
                 h->minor, proto::kProtocolMajor, proto::kProtocolMinor);
      ep.send(*transport, proto::Error{ErrorCode::kVersionMismatch, text}, m.seq);
      return {ErrorCode::kVersionMismatch, text};
    }
    if (h->role != proto::Role::kFrontend) {
      ep.send(*transport, proto::Error{ErrorCode::kProtocol, "this is a device host; connect as a frontend"}, m.seq);
      return {ErrorCode::kProtocol, "peer '" + h->peer_name + "' did not say it is a frontend"};
    }
    const std::optional<timescale::Mode> asked = timescale::mode_from_wire(h->time_mode);
    if (!asked) {
      const std::string text = format("frontend '%s' asks for unknown virtual time mode %u (0 off, 1 freeze, 2 lockstep)",
                                      h->peer_name.c_str(), h->time_mode);
      ep.send(*transport, proto::Error{ErrorCode::kProtocol, text}, m.seq);
      return {ErrorCode::kProtocol, text};
    }
    if (ep.options().time_mode_fixed && *asked != ep.options().time_mode) {
      const std::string text = format(
          "frontend '%s' asks for virtual time mode '%s', this host runs '%s' (--time): start both with the same mode",
          h->peer_name.c_str(), timescale::to_string(*asked), timescale::to_string(ep.options().time_mode));
      ep.send(*transport, proto::Error{ErrorCode::kConfig, text}, m.seq);
      return {ErrorCode::kConfig, text};
    }
    mode = *asked;
    announced_next = 0;
    ep.log(LogLevel::kInfo, "frontend '" + h->peer_name + "' connected (virtual time " + timescale::to_string(mode) + ")");
    {
      std::lock_guard lock(stats_mu);
      stats.time_mode = mode;
    }
    proto::Hello mine;
    mine.role = proto::Role::kDevice;
    mine.peer_name = ep.options().peer_name;
    mine.capabilities = proto::kCapTimeSync | proto::kCapLookahead | proto::kCapGrantSync;
    mine.time_mode = timescale::to_wire(mode);
    stamp();
    ep.send(*transport, mine, m.seq);
    ep.send(*transport, proto::Describe{device.description()}, m.seq);
    return {};
  }

  // A refused handshake's Error must reach the frontend even when this process
  // exits right after (cosim-host --once): sockets close without lingering,
  // so wait briefly for the frontend to read it and hang up.
  void linger_after_refusal() {
    const auto until = steady_clock::now() + milliseconds(250);
    try {
      for (auto left = milliseconds(250); left.count() > 0 && !transport->peer_lost();
           left = duration_cast<milliseconds>(until - steady_clock::now())) {
        proto::Message m;
        (void)ep.receive(*transport, std::min(left, milliseconds(20)), m);
      }
    } catch (const BridgeError&) {
      // The frontend hung up: it has the answer.
    }
  }

  Status serve(Transport& t) {
    transport = &t;
    ending = false;
    end_status = {};
    deferred.clear();
    device.attach(this);
    Status result;
    try {
      result = handshake();
      if (!result) linger_after_refusal();
      while (result && !ending) {
        if (stop_requested.exchange(false)) {
          // Sockets close without lingering: wait briefly for the frontend's
          // acknowledgement so the goodbye leaves before the process exits.
          const uint64_t seq = ep.send(*transport, proto::Goodbye{"host stopping"});
          const auto until = steady_clock::now() + milliseconds(250);
          for (auto left = milliseconds(250); left.count() > 0;
               left = duration_cast<milliseconds>(until - steady_clock::now())) {
            proto::Message ack;
            if (ep.receive(*transport, left, ack) == detail::Endpoint::Got::kMessage && ack.reply_to == seq &&
                std::holds_alternative<proto::Goodbye>(ack.body))
              break;
          }
          break;
        }
        proto::Message m;
        if (!deferred.empty()) {
          m = std::move(deferred.front());
          deferred.pop_front();
          handle(m);
          continue;
        }
        // Time mode off: a busy device keeps running between messages; an
        // idle one waits. Freeze/lockstep: it waits for the frontend's grants.
        const std::optional<uint64_t> next = timed() ? std::nullopt : device.next_event_ps();
        const auto got = ep.receive(*transport, next ? milliseconds(0) : milliseconds(200), m);
        if (got == detail::Endpoint::Got::kMessage) {
          handle(m);
        } else if (next && got == detail::Endpoint::Got::kTimeout) {
          device.advance_to(std::max(*next, device.now_ps() + ep.options().run_quantum_ps));
        }
      }
      if (result) result = end_status;
    } catch (const BridgeError& e) {
      result = e.status();
    }
    device.attach(nullptr);
    transport = nullptr;
    {
      std::lock_guard lock(stats_mu);
      stats.device_ps = device.now_ps();
    }
    mode = timescale::Mode::kOff;
    return result;
  }
};

DeviceServer::DeviceServer(Device& device, SessionOptions options)
    : impl_(std::make_unique<Impl>(device, std::move(options))) {}
DeviceServer::~DeviceServer() = default;
Status DeviceServer::serve(Transport& transport) { return impl_->serve(transport); }
void DeviceServer::stop() { impl_->stop_requested = true; }
DeviceServer::Stats DeviceServer::stats() const {
  std::lock_guard lock(impl_->stats_mu);
  return impl_->stats;
}

Bytes busy_frame(const std::string& host_name) {
  proto::Message m{0, 0, 0,
                   proto::Error{ErrorCode::kBusy, "host '" + host_name + "' is already serving another frontend"}};
  return std::move(proto::encode(m)).value();
}

}  // namespace cosim
