// Frames <-> plain messages: the only file that includes the generated protobuf
// code. Frame layout: u32 little-endian header length, Envelope, raw payload.
// DMA data travels as the raw payload so a 1 MiB transfer is not copied through
// protobuf's string fields; decode(Frame&&) lends it out of the received frame
// and encode_with_payload() lets the caller write it into the outgoing one.
#include "cosim/bridge/codec.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>

#include "cosim/v1/cosim.pb.h"

namespace cosim::proto {
namespace {

namespace pb = ::cosim::v1;

template <typename... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <typename... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

Status malformed(const std::string& what) { return {ErrorCode::kMalformed, what}; }

std::string fmt(const char* f, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, f, args...);
  return buf;
}

void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t get_u32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

// Range checks for fields whose protobuf type is wider than the plain type.
template <typename T>
bool fits(uint64_t v) {
  return v <= std::numeric_limits<T>::max();
}

bool valid_error_code(uint32_t c) { return c <= static_cast<uint32_t>(ErrorCode::kInternal); }

}  // namespace

Payload::Payload(std::vector<uint8_t> bytes) {
  if (bytes.empty()) return;
  auto owned = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  data_ = owned->data();
  size_ = owned->size();
  owner_ = std::move(owned);
}

bool operator==(const Payload& a, const Payload& b) {
  return a.size() == b.size() && (a.empty() || a.data() == b.data() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

const char* body_name(const Body& body) {
  static constexpr const char* kNames[] = {"Hello",     "Describe",      "BarRead",   "BarReadReply",
                                           "BarWrite",  "DmaRead",       "DmaReadReply", "DmaWrite",
                                           "DmaWriteReply", "Interrupt", "TimeSync",  "Reset",
                                           "Goodbye",   "Error",         "Ping",      "Pong"};
  static_assert(std::size(kNames) == std::variant_size_v<Body>);
  return kNames[body.index()];
}

namespace {

// The Envelope of `m`; `payload` is set to its DMA data, if the body has any.
pb::Envelope envelope_of(const Message& m, const Payload*& payload) {
  pb::Envelope env;
  env.set_seq(m.seq);
  env.set_reply_to(m.reply_to);
  env.set_time_ps(m.time_ps);
  payload = nullptr;

  std::visit(
      Overloaded{
          [&](const Hello& h) {
            auto* o = env.mutable_hello();
            o->set_major(h.major);
            o->set_minor(h.minor);
            o->set_role(static_cast<pb::Role>(h.role));
            o->set_peer_name(h.peer_name);
            o->set_capabilities(h.capabilities);
            o->set_time_mode(h.time_mode);
          },
          [&](const Describe& d) {
            const DeviceDescription& s = d.description;
            auto* o = env.mutable_describe();
            o->set_name(s.name);
            o->set_vendor_id(s.vendor_id);
            o->set_device_id(s.device_id);
            o->set_subsystem_vendor_id(s.subsystem_vendor_id);
            o->set_subsystem_id(s.subsystem_id);
            o->set_revision(s.revision);
            o->set_class_code(s.class_code);
            for (const BarInfo& b : s.bars) {
              auto* bar = o->add_bars();
              bar->set_size(b.size);
              bar->set_kind(static_cast<pb::BarKind>(b.kind));
              bar->set_prefetchable(b.prefetchable);
            }
            o->set_intx_pin(s.intx_pin);
            o->set_msi_vectors(s.msi_vectors);
            o->set_msix_vectors(s.msix_vectors);
            o->set_msix_table_bar(s.msix_table_bar);
            o->set_msix_table_offset(s.msix_table_offset);
            o->set_msix_pba_bar(s.msix_pba_bar);
            o->set_msix_pba_offset(s.msix_pba_offset);
          },
          [&](const BarRead& r) {
            auto* o = env.mutable_bar_read();
            o->set_bar(r.bar);
            o->set_offset(r.offset);
            o->set_size(r.size);
          },
          [&](const BarReadReply& r) {
            auto* o = env.mutable_bar_read_reply();
            o->set_status(static_cast<uint32_t>(r.status));
            o->set_data(r.data);
            o->set_error(r.error);
          },
          [&](const BarWrite& w) {
            auto* o = env.mutable_bar_write();
            o->set_bar(w.bar);
            o->set_offset(w.offset);
            o->set_size(w.size);
            o->set_data(w.data);
          },
          [&](const DmaRead& r) {
            auto* o = env.mutable_dma_read();
            o->set_address(r.address);
            o->set_length(r.length);
          },
          [&](const DmaReadReply& r) {
            auto* o = env.mutable_dma_read_reply();
            o->set_status(static_cast<uint32_t>(r.status));
            o->set_error(r.error);
            payload = &r.data;
          },
          [&](const DmaWrite& w) {
            env.mutable_dma_write()->set_address(w.address);
            payload = &w.data;
          },
          [&](const DmaWriteReply& r) {
            auto* o = env.mutable_dma_write_reply();
            o->set_status(static_cast<uint32_t>(r.status));
            o->set_error(r.error);
          },
          [&](const Interrupt& i) {
            auto* o = env.mutable_interrupt();
            o->set_kind(static_cast<pb::IrqKind>(i.kind));
            o->set_vector(i.vector);
            o->set_level(i.level);
          },
          [&](const TimeSync& t) {
            auto* o = env.mutable_time_sync();
            o->set_now_ps(t.now_ps);
            o->set_next_event_ps(t.next_event_ps);
          },
          [&](const Reset& r) { env.mutable_reset()->set_kind(static_cast<pb::ResetKind>(r.kind)); },
          [&](const Goodbye& g) { env.mutable_goodbye()->set_reason(g.reason); },
          [&](const Error& e) {
            auto* o = env.mutable_error();
            o->set_code(static_cast<uint32_t>(e.code));
            o->set_text(e.text);
          },
          [&](const Ping&) { env.mutable_ping(); },
          [&](const Pong&) { env.mutable_pong(); },
      },
      m.body);
  return env;
}

// Serialises `env` into a frame with `payload_len` bytes of (zeroed) payload
// after it; `payload_offset` is where they start.
Result<Frame> frame_of(const Message& m, pb::Envelope& env, size_t payload_len, size_t& payload_offset) {
  if (payload_len > kMaxPayloadBytes)
    return Status{ErrorCode::kBadSize,
                  fmt("%s payload of %zu bytes exceeds the limit of %u bytes", body_name(m.body),
                      payload_len, kMaxPayloadBytes)};
  env.set_payload_length(static_cast<uint32_t>(payload_len));
  const size_t header_len = env.ByteSizeLong();
  if (header_len > kMaxHeaderBytes)
    return Status{ErrorCode::kBadSize, fmt("%s header of %zu bytes exceeds the limit of %u bytes",
                                           body_name(m.body), header_len, kMaxHeaderBytes)};
  Frame frame(4 + header_len + payload_len);
  put_u32(frame.data(), static_cast<uint32_t>(header_len));
  if (!env.SerializeToArray(frame.data() + 4, static_cast<int>(header_len)))
    return Status{ErrorCode::kInternal, fmt("could not serialise %s", body_name(m.body))};
  payload_offset = 4 + header_len;
  return frame;
}

}  // namespace

Result<Frame> encode(const Message& m) {
  const Payload* payload = nullptr;
  pb::Envelope env = envelope_of(m, payload);
  const size_t payload_len = payload ? payload->size() : 0;
  size_t offset = 0;
  Result<Frame> frame = frame_of(m, env, payload_len, offset);
  if (frame && payload_len) std::memcpy(frame->data() + offset, payload->data(), payload_len);
  return frame;
}

Result<PayloadFrame> encode_with_payload(const Message& m, size_t payload_length) {
  const Payload* payload = nullptr;
  pb::Envelope env = envelope_of(m, payload);
  if (!payload || !payload->empty())
    return Status{ErrorCode::kInternal, fmt("encode_with_payload: %s %s", body_name(m.body),
                                            payload ? "already carries its data" : "takes no payload")};
  PayloadFrame out;
  Result<Frame> frame = frame_of(m, env, payload_length, out.payload_offset);
  if (!frame) return frame.status();
  out.frame = std::move(frame).value();
  return out;
}

namespace {

// Decodes `frame`; when `keep` is given (it owns the bytes `frame` views), a DMA
// payload shares that buffer instead of being copied.
Result<Message> decode_frame(std::span<const uint8_t> frame, Frame* keep) {
  if (frame.size() < 4) return malformed(fmt("frame of %zu bytes is shorter than its 4-byte header length", frame.size()));
  if (frame.size() > kMaxFrameBytes)
    return Status{ErrorCode::kBadSize, fmt("frame of %zu bytes exceeds the limit of %u bytes", frame.size(), kMaxFrameBytes)};
  const uint32_t header_len = get_u32(frame.data());
  if (header_len > kMaxHeaderBytes)
    return Status{ErrorCode::kBadSize, fmt("header length %u exceeds the limit of %u bytes", header_len, kMaxHeaderBytes)};
  if (header_len > frame.size() - 4)
    return malformed(fmt("truncated frame: header length %u but only %zu bytes follow", header_len, frame.size() - 4));

  pb::Envelope env;
  if (!env.ParseFromArray(frame.data() + 4, static_cast<int>(header_len)))
    return malformed(fmt("header of %u bytes is not a valid cosim.v1.Envelope", header_len));
  const size_t payload_len = frame.size() - 4 - header_len;
  if (payload_len != env.payload_length())
    return malformed(fmt("payload length mismatch: header says %u bytes, frame carries %zu",
                         env.payload_length(), payload_len));
  const uint8_t* payload = frame.data() + 4 + header_len;

  Message m;
  m.seq = env.seq();
  m.reply_to = env.reply_to();
  m.time_ps = env.time_ps();
  const bool takes_payload =
      env.body_case() == pb::Envelope::kDmaReadReply || env.body_case() == pb::Envelope::kDmaWrite;
  if (payload_len && !takes_payload)
    return malformed(fmt("message of type %d carries a %zu-byte payload it cannot have",
                         static_cast<int>(env.body_case()), payload_len));
  // Only a valid DMA message gets here with payload bytes: hand them out.
  auto take_payload = [&]() -> Payload {
    if (payload_len == 0) return {};
    if (!keep) return Payload(std::vector<uint8_t>(payload, payload + payload_len));
    // Moving a vector keeps its buffer, so `payload` still points into it.
    auto owner = std::make_shared<const Frame>(std::move(*keep));
    return Payload(std::move(owner), {payload, payload_len});
  };

  switch (env.body_case()) {
    case pb::Envelope::kHello: {
      const auto& i = env.hello();
      if (i.role() != pb::ROLE_FRONTEND && i.role() != pb::ROLE_DEVICE)
        return malformed(fmt("Hello with unknown role %d", static_cast<int>(i.role())));
      m.body = Hello{i.major(), i.minor(), static_cast<Role>(i.role()), i.peer_name(), i.capabilities(), i.time_mode()};
      break;
    }
    case pb::Envelope::kDescribe: {
      const auto& i = env.describe();
      if (i.bars_size() != static_cast<int>(kNumBars))
        return malformed(fmt("Describe lists %d BARs, expected 6", i.bars_size()));
      if (!fits<uint16_t>(i.vendor_id()) || !fits<uint16_t>(i.device_id()) ||
          !fits<uint16_t>(i.subsystem_vendor_id()) || !fits<uint16_t>(i.subsystem_id()))
        return malformed("Describe has an id wider than 16 bits");
      if (!fits<uint8_t>(i.revision()) || !fits<uint8_t>(i.intx_pin()) || !fits<uint16_t>(i.msi_vectors()) ||
          !fits<uint16_t>(i.msix_vectors()) || !fits<uint8_t>(i.msix_table_bar()) ||
          !fits<uint8_t>(i.msix_pba_bar()))
        return malformed("Describe has a field out of its range");
      DeviceDescription d;
      d.name = i.name();
      d.vendor_id = static_cast<uint16_t>(i.vendor_id());
      d.device_id = static_cast<uint16_t>(i.device_id());
      d.subsystem_vendor_id = static_cast<uint16_t>(i.subsystem_vendor_id());
      d.subsystem_id = static_cast<uint16_t>(i.subsystem_id());
      d.revision = static_cast<uint8_t>(i.revision());
      d.class_code = i.class_code();
      for (unsigned b = 0; b < kNumBars; ++b) {
        const auto& bar = i.bars(static_cast<int>(b));
        if (bar.kind() < pb::BAR_NONE || bar.kind() > pb::BAR_IO)
          return malformed(fmt("Describe: BAR%u has unknown kind %d", b, static_cast<int>(bar.kind())));
        d.bars[b] = BarInfo{bar.size(), static_cast<BarKind>(bar.kind()), bar.prefetchable()};
      }
      d.intx_pin = static_cast<uint8_t>(i.intx_pin());
      d.msi_vectors = static_cast<uint16_t>(i.msi_vectors());
      d.msix_vectors = static_cast<uint16_t>(i.msix_vectors());
      d.msix_table_bar = static_cast<uint8_t>(i.msix_table_bar());
      d.msix_table_offset = i.msix_table_offset();
      d.msix_pba_bar = static_cast<uint8_t>(i.msix_pba_bar());
      d.msix_pba_offset = i.msix_pba_offset();
      m.body = Describe{std::move(d)};
      break;
    }
    case pb::Envelope::kBarRead: {
      const auto& i = env.bar_read();
      m.body = BarRead{i.bar(), i.offset(), i.size()};
      break;
    }
    case pb::Envelope::kBarReadReply: {
      const auto& i = env.bar_read_reply();
      if (!valid_error_code(i.status())) return malformed(fmt("BarReadReply with unknown status %u", i.status()));
      m.body = BarReadReply{static_cast<ErrorCode>(i.status()), i.data(), i.error()};
      break;
    }
    case pb::Envelope::kBarWrite: {
      const auto& i = env.bar_write();
      m.body = BarWrite{i.bar(), i.offset(), i.size(), i.data()};
      break;
    }
    case pb::Envelope::kDmaRead: {
      const auto& i = env.dma_read();
      if (i.length() == 0 || i.length() > kMaxPayloadBytes)
        return Status{ErrorCode::kBadSize,
                      fmt("DmaRead length %u is not in 1..%u", i.length(), kMaxPayloadBytes)};
      m.body = DmaRead{i.address(), i.length()};
      break;
    }
    case pb::Envelope::kDmaReadReply: {
      const auto& i = env.dma_read_reply();
      if (!valid_error_code(i.status())) return malformed(fmt("DmaReadReply with unknown status %u", i.status()));
      m.body = DmaReadReply{static_cast<ErrorCode>(i.status()), take_payload(), i.error()};
      break;
    }
    case pb::Envelope::kDmaWrite: {
      if (payload_len == 0) return Status{ErrorCode::kBadSize, "DmaWrite carries no data"};
      m.body = DmaWrite{env.dma_write().address(), take_payload()};
      break;
    }
    case pb::Envelope::kDmaWriteReply: {
      const auto& i = env.dma_write_reply();
      if (!valid_error_code(i.status())) return malformed(fmt("DmaWriteReply with unknown status %u", i.status()));
      m.body = DmaWriteReply{static_cast<ErrorCode>(i.status()), i.error()};
      break;
    }
    case pb::Envelope::kInterrupt: {
      const auto& i = env.interrupt();
      if (i.kind() < pb::IRQ_INTX || i.kind() > pb::IRQ_MSIX)
        return malformed(fmt("Interrupt with unknown kind %d", static_cast<int>(i.kind())));
      m.body = Interrupt{static_cast<IrqKind>(i.kind()), i.vector(), i.level()};
      break;
    }
    case pb::Envelope::kTimeSync:
      m.body = TimeSync{env.time_sync().now_ps(), env.time_sync().next_event_ps()};
      break;
    case pb::Envelope::kReset: {
      const auto k = env.reset().kind();
      if (k != pb::RESET_SYSTEM && k != pb::RESET_FLR)
        return malformed(fmt("Reset with unknown kind %d", static_cast<int>(k)));
      m.body = Reset{static_cast<ResetKind>(k)};
      break;
    }
    case pb::Envelope::kGoodbye:
      m.body = Goodbye{env.goodbye().reason()};
      break;
    case pb::Envelope::kError: {
      const auto& i = env.error();
      // An unknown code from a newer peer is still an error: keep its text.
      const ErrorCode code = valid_error_code(i.code()) ? static_cast<ErrorCode>(i.code()) : ErrorCode::kInternal;
      m.body = Error{code, i.text()};
      break;
    }
    case pb::Envelope::kPing:
      m.body = Ping{};
      break;
    case pb::Envelope::kPong:
      m.body = Pong{};
      break;
    case pb::Envelope::BODY_NOT_SET:
      return malformed("unknown or missing message type (no known body field set)");
  }
  return m;
}

}  // namespace

Result<Message> decode(std::span<const uint8_t> frame) { return decode_frame(frame, nullptr); }

Result<Message> decode(Frame&& frame) { return decode_frame(frame, &frame); }

}  // namespace cosim::proto
