// Codec: round trips of every message type and every malformed-input case,
// through both decoders (copying from a span, lending from a kept frame), and
// the encoder that lets DMA data be written straight into the frame.
#include <gtest/gtest.h>

#include <cstring>

#include "cosim/bridge/codec.h"
#include "cosim/v1/cosim.pb.h"

namespace cosim::proto {
namespace {

DeviceDescription sample_description() {
  DeviceDescription d;
  d.name = "sample";
  d.vendor_id = 0x104c;
  d.device_id = 0xb500;
  d.subsystem_vendor_id = 0x1af4;
  d.subsystem_id = 0x1100;
  d.revision = 3;
  d.class_code = 0xff0000;
  d.bars[0] = {65536, BarKind::kMem32, false};
  d.bars[2] = {1 << 20, BarKind::kMem64, true};
  d.bars[4] = {256, BarKind::kIo, false};
  d.intx_pin = 1;
  d.msi_vectors = 32;
  d.msix_vectors = 2048;
  d.msix_table_offset = 4096;
  d.msix_pba_offset = 4096 + 32768;
  return d;
}

std::vector<Message> all_messages() {
  std::vector<uint8_t> payload(1000);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i * 7);
  return {
      {1, 0, 10, Hello{1, 0, Role::kFrontend, "qemu", kCapTimeSync}},
      {2, 1, 20, Describe{sample_description()}},
      {3, 0, 30, BarRead{5, 0xfff00, 8}},
      {4, 3, 40, BarReadReply{ErrorCode::kOk, 0x0123456789abcdefull, ""}},
      {5, 3, 41, BarReadReply{ErrorCode::kBadOffset, 0, "beyond BAR"}},
      {6, 0, 50, BarWrite{0, 4, 4, 0xA0A0A0A0}},
      {7, 0, 60, DmaRead{0x1'0000'0000ull, 4096}},
      {8, 7, 70, DmaReadReply{ErrorCode::kOk, payload, ""}},
      {9, 7, 71, DmaReadReply{ErrorCode::kDmaFault, {}, "outside RAM"}},
      {10, 0, 80, DmaWrite{0xdead0000, payload}},
      {11, 10, 90, DmaWriteReply{ErrorCode::kOk, ""}},
      {12, 0, 100, Interrupt{IrqKind::kIntx, 0, true}},
      {13, 0, 101, Interrupt{IrqKind::kMsix, 2047, false}},
      {14, 0, 110, TimeSync{123456789, 987654321}},
      {15, 0, 120, Reset{ResetKind::kFunctionLevel}},
      {16, 0, 130, Goodbye{"done"}},
      {17, 3, 140, Error{ErrorCode::kBusy, "busy"}},
      {18, 0, 150, Ping{}},
      {19, 18, 151, Pong{}},
  };
}

TEST(Codec, EveryMessageRoundTrips) {
  for (const Message& m : all_messages()) {
    SCOPED_TRACE(body_name(m.body));
    auto frame = encode(m);
    ASSERT_TRUE(frame) << frame.status().to_string();
    auto back = decode(*frame);
    ASSERT_TRUE(back) << back.status().to_string();
    EXPECT_EQ(*back, m);
  }
}

TEST(Codec, MaximumPayloadRoundTrips) {
  Message m{1, 0, 0, DmaWrite{0x1000, std::vector<uint8_t>(kMaxPayloadBytes, 0x5a)}};
  auto frame = encode(m);
  ASSERT_TRUE(frame);
  auto back = decode(*frame);
  ASSERT_TRUE(back) << back.status().to_string();
  EXPECT_EQ(std::get<DmaWrite>(back->body).data.size(), kMaxPayloadBytes);
}

TEST(Codec, OversizedPayloadIsRefusedWhenEncoding) {
  Message m{1, 0, 0, DmaWrite{0x1000, std::vector<uint8_t>(kMaxPayloadBytes + 1)}};
  auto frame = encode(m);
  ASSERT_FALSE(frame);
  EXPECT_EQ(frame.status().code(), ErrorCode::kBadSize);
  EXPECT_NE(frame.status().message().find("DmaWrite"), std::string::npos);
}

Frame valid_frame() { return *encode({1, 0, 0, BarRead{0, 0, 4}}); }

void expect_error(std::span<const uint8_t> bytes, ErrorCode code, const std::string& needle) {
  auto r = decode(bytes);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), code) << r.status().to_string();
  EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
}

TEST(Codec, EmptyAndShortFramesAreMalformed) {
  expect_error({}, ErrorCode::kMalformed, "shorter than");
  const uint8_t three[3] = {1, 2, 3};
  expect_error(three, ErrorCode::kMalformed, "shorter than");
}

TEST(Codec, TruncatedFrameIsMalformed) {
  Frame f = valid_frame();
  f.pop_back();
  expect_error(f, ErrorCode::kMalformed, "truncated");
}

TEST(Codec, OversizedHeaderLengthIsRefused) {
  Frame f = valid_frame();
  f[0] = 0xff;
  f[1] = 0xff;
  f[2] = 0xff;
  f[3] = 0x7f;
  expect_error(f, ErrorCode::kBadSize, "header length");
}

TEST(Codec, OversizedFrameIsRefused) {
  Frame f(kMaxFrameBytes + 1);
  expect_error(f, ErrorCode::kBadSize, "exceeds");
}

TEST(Codec, GarbageHeaderIsMalformed) {
  Frame f = {5, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff};
  expect_error(f, ErrorCode::kMalformed, "not a valid");
}

TEST(Codec, PayloadLengthMismatchIsMalformed) {
  Frame f = valid_frame();
  f.push_back(0);  // a byte of payload the header does not announce
  expect_error(f, ErrorCode::kMalformed, "payload length mismatch");
}

TEST(Codec, PayloadOnAMessageThatTakesNoneIsMalformed) {
  cosim::v1::Envelope env;
  env.set_seq(1);
  env.set_payload_length(2);
  env.mutable_ping();
  std::string header = env.SerializeAsString();
  Frame f(4 + header.size() + 2);
  f[0] = static_cast<uint8_t>(header.size());
  std::copy(header.begin(), header.end(), f.begin() + 4);
  expect_error(f, ErrorCode::kMalformed, "cannot have");
}

Frame frame_of(const cosim::v1::Envelope& env) {
  std::string header = env.SerializeAsString();
  Frame f(4 + header.size());
  f[0] = static_cast<uint8_t>(header.size());
  f[1] = static_cast<uint8_t>(header.size() >> 8);
  std::copy(header.begin(), header.end(), f.begin() + 4);
  return f;
}

TEST(Codec, UnknownMessageTypeIsMalformed) {
  // A field number no v1 peer knows: parses, but sets no body.
  // seq = 1, then field 99 (varint) = 1.
  const Frame f = {5, 0, 0, 0, 0x08, 0x01, 0x98, 0x06, 0x01};
  expect_error(f, ErrorCode::kMalformed, "unknown or missing message type");
}

TEST(Codec, OutOfRangeFieldsAreRejected) {
  {
    cosim::v1::Envelope env;
    env.mutable_hello()->set_role(static_cast<cosim::v1::Role>(7));
    expect_error(frame_of(env), ErrorCode::kMalformed, "role");
  }
  {
    cosim::v1::Envelope env;
    auto* d = env.mutable_describe();
    for (int i = 0; i < 6; ++i) d->add_bars();
    d->set_vendor_id(0x10000);
    expect_error(frame_of(env), ErrorCode::kMalformed, "16 bits");
  }
  {
    cosim::v1::Envelope env;
    env.mutable_describe()->add_bars();
    expect_error(frame_of(env), ErrorCode::kMalformed, "expected 6");
  }
  {
    cosim::v1::Envelope env;
    env.mutable_interrupt()->set_kind(static_cast<cosim::v1::IrqKind>(9));
    expect_error(frame_of(env), ErrorCode::kMalformed, "Interrupt");
  }
  {
    cosim::v1::Envelope env;
    env.mutable_dma_read()->set_length(kMaxPayloadBytes + 1);
    expect_error(frame_of(env), ErrorCode::kBadSize, "DmaRead length");
  }
  {
    cosim::v1::Envelope env;
    env.mutable_dma_read()->set_length(0);
    expect_error(frame_of(env), ErrorCode::kBadSize, "DmaRead length");
  }
  {
    cosim::v1::Envelope env;
    env.mutable_bar_read_reply()->set_status(1000);
    expect_error(frame_of(env), ErrorCode::kMalformed, "unknown status");
  }
  {
    cosim::v1::Envelope env;
    env.mutable_reset()->set_kind(static_cast<cosim::v1::ResetKind>(5));
    expect_error(frame_of(env), ErrorCode::kMalformed, "Reset");
  }
}

TEST(Codec, EveryTruncationOfEveryMessageFailsCleanly) {
  for (const Message& m : all_messages()) {
    Frame f = *encode(m);
    for (size_t len = 0; len < f.size(); ++len) {
      auto r = decode(std::span<const uint8_t>(f.data(), len));
      EXPECT_FALSE(r) << body_name(m.body) << " truncated to " << len << " bytes decoded";
    }
  }
}

TEST(Codec, RandomBytesNeverCrash) {
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (int round = 0; round < 20000; ++round) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    Frame f(4 + (x % 64));
    for (auto& b : f) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      b = static_cast<uint8_t>(x);
    }
    f[0] = static_cast<uint8_t>(f.size() - 4);
    f[1] = f[2] = f[3] = 0;
    (void)decode(f);  // must return, valid or not
  }
  SUCCEED();
}

// ---- zero-copy paths ------------------------------------------------------------------

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 31 + seed + (i >> 11));
  return v;
}

bool inside(const uint8_t* p, const Frame& f) { return p >= f.data() && p < f.data() + f.size(); }

TEST(Codec, EveryMessageRoundTripsThroughTheKeepingDecoder) {
  for (const Message& m : all_messages()) {
    SCOPED_TRACE(body_name(m.body));
    auto frame = encode(m);
    ASSERT_TRUE(frame) << frame.status().to_string();
    auto back = decode(std::move(frame).value());
    ASSERT_TRUE(back) << back.status().to_string();
    EXPECT_EQ(*back, m);
  }
}

// The kept frame's buffer becomes the payload's: no copy of the DMA data, and
// the bytes stay valid for as long as any copy of the payload lives.
TEST(Codec, AKeptFrameLendsItsPayloadInsteadOfCopyingIt) {
  const auto data = pattern(kMaxPayloadBytes, 3);
  for (const Message& m : {Message{1, 0, 0, DmaWrite{0x1000, data}},
                           Message{2, 1, 0, DmaReadReply{ErrorCode::kOk, data, ""}}}) {
    SCOPED_TRACE(body_name(m.body));
    Frame frame = *encode(m);
    const Frame view(frame.begin(), frame.end());  // where the bytes were, for comparison
    const uint8_t* const buffer = frame.data();
    const size_t size = frame.size();
    Payload payload;
    {
      auto back = decode(std::move(frame));
      ASSERT_TRUE(back) << back.status().to_string();
      EXPECT_EQ(*back, m);
      payload = std::holds_alternative<DmaWrite>(back->body) ? std::get<DmaWrite>(back->body).data
                                                             : std::get<DmaReadReply>(back->body).data;
    }  // the message is gone; its payload's copy still holds the frame
    ASSERT_EQ(payload.size(), kMaxPayloadBytes);
    EXPECT_GE(payload.data(), buffer);
    EXPECT_EQ(payload.data() + payload.size(), buffer + size) << "the payload is the frame's tail";
    EXPECT_EQ(payload, Payload(data));
    EXPECT_EQ(payload.to_vector(), data);
  }
}

// Decoding from a span copies: the caller may free its buffer at once.
TEST(Codec, ASpanDecoderCopiesThePayload) {
  const auto data = pattern(5000, 9);
  Frame frame = *encode({1, 0, 0, DmaWrite{0x2000, data}});
  auto back = decode(std::span<const uint8_t>(frame));
  ASSERT_TRUE(back);
  const Payload& p = std::get<DmaWrite>(back->body).data;
  EXPECT_FALSE(inside(p.data(), frame));
  frame.assign(frame.size(), 0);
  EXPECT_EQ(p.to_vector(), data);
}

TEST(Codec, MalformedFramesFailTheSameThroughBothDecoders) {
  std::vector<Frame> bad = {{}, {1, 2, 3}, {5, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff},
                            {5, 0, 0, 0, 0x08, 0x01, 0x98, 0x06, 0x01}, Frame(kMaxFrameBytes + 1)};
  Frame truncated = valid_frame();
  truncated.pop_back();
  bad.push_back(truncated);
  Frame extra = valid_frame();
  extra.push_back(0);
  bad.push_back(extra);
  Frame huge_header = valid_frame();
  huge_header[3] = 0x7f;
  bad.push_back(huge_header);
  {
    cosim::v1::Envelope env;
    env.set_payload_length(2);
    env.mutable_ping();
    Frame f = frame_of(env);
    f.insert(f.end(), {1, 2});
    bad.push_back(f);
  }
  {
    cosim::v1::Envelope env;
    env.mutable_dma_write()->set_address(1);  // DmaWrite without data
    bad.push_back(frame_of(env));
  }
  for (size_t i = 0; i < bad.size(); ++i) {
    auto a = decode(std::span<const uint8_t>(bad[i]));
    auto b = decode(Frame(bad[i]));
    ASSERT_FALSE(a) << "case " << i;
    ASSERT_FALSE(b) << "case " << i;
    EXPECT_EQ(a.status().code(), b.status().code()) << "case " << i;
    EXPECT_EQ(a.status().message(), b.status().message()) << "case " << i;
  }
  for (const Message& m : all_messages()) {
    const Frame f = *encode(m);
    for (size_t len = 0; len < f.size(); ++len)
      EXPECT_FALSE(decode(Frame(f.begin(), f.begin() + static_cast<ptrdiff_t>(len))))
          << body_name(m.body) << " truncated to " << len << " bytes decoded";
  }
}

// A frame built with room for its payload, then filled in place, is the frame
// encode() makes from the same message with its data.
TEST(Codec, EncodeWithPayloadBuildsTheSameFrameAsEncode) {
  const auto data = pattern(70000, 5);
  const std::pair<Message, Message> cases[] = {
      {{4, 0, 77, DmaWrite{0xabc000, {}}}, {4, 0, 77, DmaWrite{0xabc000, data}}},
      {{5, 9, 78, DmaReadReply{ErrorCode::kOk, {}, ""}}, {5, 9, 78, DmaReadReply{ErrorCode::kOk, data, ""}}},
  };
  for (const auto& [header_only, whole] : cases) {
    SCOPED_TRACE(body_name(whole.body));
    auto pf = encode_with_payload(header_only, data.size());
    ASSERT_TRUE(pf) << pf.status().to_string();
    ASSERT_EQ(pf->payload().size(), data.size());
    std::memcpy(pf->payload().data(), data.data(), data.size());
    EXPECT_EQ(pf->frame, *encode(whole));
    auto back = decode(std::move(pf->frame));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, whole);
  }
}

TEST(Codec, EncodeWithPayloadKeepsTheLimits) {
  const Message w{1, 0, 0, DmaWrite{0x1000, {}}};
  auto max = encode_with_payload(w, kMaxPayloadBytes);
  ASSERT_TRUE(max) << max.status().to_string();
  EXPECT_EQ(max->payload().size(), kMaxPayloadBytes);
  auto over = encode_with_payload(w, kMaxPayloadBytes + 1);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.status().code(), ErrorCode::kBadSize);
  EXPECT_NE(over.status().message().find("DmaWrite"), std::string::npos);
  auto no_payload = encode_with_payload({1, 0, 0, BarRead{0, 0, 4}}, 4);
  ASSERT_FALSE(no_payload);
  EXPECT_EQ(no_payload.status().code(), ErrorCode::kInternal);
  EXPECT_NE(no_payload.status().message().find("BarRead"), std::string::npos);
  auto has_data = encode_with_payload({1, 0, 0, DmaWrite{0x1000, std::vector<uint8_t>{1}}}, 4);
  ASSERT_FALSE(has_data);
  EXPECT_EQ(has_data.status().code(), ErrorCode::kInternal);
}

TEST(Codec, PayloadsCompareByContent) {
  EXPECT_EQ(Payload(), Payload(std::vector<uint8_t>{}));
  EXPECT_TRUE(Payload().empty());
  EXPECT_EQ(Payload(std::vector<uint8_t>{1, 2, 3}), Payload(std::vector<uint8_t>{1, 2, 3}));
  EXPECT_FALSE(Payload(std::vector<uint8_t>{1, 2, 3}) == Payload(std::vector<uint8_t>{1, 2, 4}));
  EXPECT_FALSE(Payload(std::vector<uint8_t>{1, 2}) == Payload(std::vector<uint8_t>{1, 2, 3}));
  auto owner = std::make_shared<std::vector<uint8_t>>(std::vector<uint8_t>{9, 1, 2, 3, 9});
  const Payload shared(owner, std::span<const uint8_t>(owner->data() + 1, 3));
  EXPECT_EQ(shared, Payload(std::vector<uint8_t>{1, 2, 3}));
  const std::span<const uint8_t> view = shared;
  EXPECT_EQ(view.size(), 3u);
}

}  // namespace
}  // namespace cosim::proto
