// TLM -> AXI4-Lite adapter against axil_regfile (wait states on every
// channel): reads, writes, sizes 1/2/4/8, byte enables, SLVERR/DECERR,
// back-to-back traffic against a shadow copy, timeouts, payload checks.
#include <gtest/gtest.h>

#include <array>
#include <random>

#include "adapters_bench.h"

namespace cosim::rtl::test {
namespace {

class RtlAxiLite : public ::testing::Test {
 protected:
  AdapterBench& tb = AdapterBench::get();
  void TearDown() override { EXPECT_TRUE(tb.axil_check.violations().empty()) << tb.axil_check.summary(); }
};

TEST_F(RtlAxiLite, WritesThenReadsEveryRegister) {
  tb.run([&] {
    for (uint32_t r = 0; r < 16; ++r) ASSERT_EQ(tb.axil_m.write(4 * r, 0x1000'0001u * (r + 1), 4), tlm::TLM_OK_RESPONSE);
    for (uint32_t r = 0; r < 16; ++r) EXPECT_EQ(tb.axil_m.read32(4 * r), 0x1000'0001u * (r + 1)) << r;
  });
}

TEST_F(RtlAxiLite, SizesAndByteEnablesBecomeWstrb) {
  tb.run([&] {
    auto& m = tb.axil_m;
    ASSERT_EQ(m.write(0x10, 0x44332211, 4), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(m.write(0x11, 0xaa, 1), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(m.write(0x12, 0xccbb, 2), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(m.read32(0x10), 0xccbbaa11u);
    uint64_t v = 0;
    ASSERT_EQ(m.read(0x13, v, 1), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(v, 0xccu);
    ASSERT_EQ(m.read(0x12, v, 2), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(v, 0xccbbu);
    // 8 bytes on a 32-bit bus: two transactions, lower address first.
    const uint64_t words_before = tb.axil.words();
    ASSERT_EQ(m.write(0x18, 0x8877665544332211ull, 8), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(tb.axil.words() - words_before, 2u);
    EXPECT_EQ(m.read32(0x18), 0x44332211u);
    EXPECT_EQ(m.read32(0x1c), 0x88776655u);
    ASSERT_EQ(m.read(0x18, v, 8), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(v, 0x8877665544332211ull);
    // An unaligned 4-byte access touches two words.
    ASSERT_EQ(m.write(0x1a, 0xdeadbeef, 4), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(m.read32(0x18), 0xbeef2211u);
    EXPECT_EQ(m.read32(0x1c), 0x8877deadu);
    // Byte enables: lanes 0 and 2 only; a read with byte enables leaves
    // disabled bytes of the buffer alone.
    unsigned char d[4] = {0x01, 0x02, 0x03, 0x04};
    ASSERT_EQ(m.transport(true, 0x20, d, 4, {0xff, 0x00}), tlm::TLM_OK_RESPONSE);  // pattern repeats
    ASSERT_EQ(m.write(0x24, 0, 4), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(m.write(0x20, 0xa0a0a0a0, 4), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(m.transport(true, 0x20, d, 4, {0xff, 0x00}), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(m.read32(0x20), 0xa003a001u);
    unsigned char r[4] = {0x55, 0x55, 0x55, 0x55};
    ASSERT_EQ(m.transport(false, 0x20, r, 4, {0x00, 0xff, 0x00, 0x00}), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(r[0], 0x55);
    EXPECT_EQ(r[1], 0xa0);
    EXPECT_EQ(r[2], 0x55);
    // No byte enabled: no bus traffic at all.
    const uint64_t w = tb.axil.words();
    ASSERT_EQ(m.transport(true, 0x20, d, 4, {0x00}), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(tb.axil.words(), w);
  });
}

TEST_F(RtlAxiLite, ErrorResponsesMapToTlmStatuses) {
  tb.run([&] {
    auto& m = tb.axil_m;
    uint64_t v = 0;
    EXPECT_EQ(m.read(0x40, v, 4), tlm::TLM_GENERIC_ERROR_RESPONSE) << "SLVERR";
    EXPECT_EQ(m.write(0x44, 1, 4), tlm::TLM_GENERIC_ERROR_RESPONSE) << "SLVERR";
    EXPECT_EQ(m.read(0x80, v, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE) << "DECERR";
    EXPECT_EQ(m.write(0x1000, 1, 2), tlm::TLM_ADDRESS_ERROR_RESPONSE) << "DECERR";
    // The first word of an 8-byte write lands, the second fails: the payload fails.
    ASSERT_EQ(m.write(0x3c, 0, 4), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(m.write(0x3c, 0x1111111122222222ull, 8), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(m.read32(0x3c), 0x22222222u);
  });
}

TEST_F(RtlAxiLite, BackToBackRandomTrafficMatchesAShadow) {
  tb.run([&] {
    auto& m = tb.axil_m;
    std::array<uint8_t, 64> shadow{};
    for (uint32_t r = 0; r < 16; ++r) {
      const uint32_t v = m.read32(4 * r);
      for (int b = 0; b < 4; ++b) shadow[4 * r + b] = static_cast<uint8_t>(v >> (8 * b));
    }
    std::mt19937 rng(3);
    const uint64_t c0 = tb.cr.cycles();
    const int n = 400;
    for (int i = 0; i < n; ++i) {
      const unsigned size = 1u << (rng() % 4);
      const uint32_t off = rng() % (64 - size + 1);
      if (rng() % 2) {
        const uint64_t value = (uint64_t{rng()} << 32) | rng();
        ASSERT_EQ(m.write(off, value, size), tlm::TLM_OK_RESPONSE);
        for (unsigned b = 0; b < size; ++b) shadow[off + b] = static_cast<uint8_t>(value >> (8 * b));
      } else {
        uint64_t got = 0, want = 0;
        ASSERT_EQ(m.read(off, got, size), tlm::TLM_OK_RESPONSE);
        for (unsigned b = 0; b < size; ++b) want |= uint64_t{shadow[off + b]} << (8 * b);
        ASSERT_EQ(got, want) << "read of " << size << " at 0x" << std::hex << off;
      }
    }
    // Wait states average about one cycle per channel: well under 12 cycles a word.
    EXPECT_LT(tb.cr.cycles() - c0, 12u * 2 * n);
  });
}

TEST_F(RtlAxiLite, UnansweredAccessTimesOut) {
  tb.run([&] {
    uint64_t v = 0;
    const uint64_t c0 = tb.cr.cycles();
    EXPECT_EQ(tb.dead_m.read(0, v, 4), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(tb.dead_m.write(0, 1, 4), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_LE(tb.cr.cycles() - c0, 2u * 54);
    sc_core::wait(sc_core::SC_ZERO_TIME);  // the adapter's last writes settle
    EXPECT_FALSE(tb.dead_sig.arvalid.read());
    EXPECT_FALSE(tb.dead_sig.awvalid.read());
  });
}

TEST_F(RtlAxiLite, PayloadChecks) {
  tb.run([&] {
    tlm::tlm_generic_payload gp;
    unsigned char d[4] = {};
    sc_core::sc_time t = sc_core::SC_ZERO_TIME;
    gp.set_command(tlm::TLM_IGNORE_COMMAND);
    gp.set_address(0);
    gp.set_data_ptr(d);
    gp.set_data_length(4);
    gp.set_streaming_width(4);
    tb.axil_m.socket->b_transport(gp, t);
    EXPECT_EQ(gp.get_response_status(), tlm::TLM_OK_RESPONSE);
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_streaming_width(2);
    tb.axil_m.socket->b_transport(gp, t);
    EXPECT_EQ(gp.get_response_status(), tlm::TLM_BURST_ERROR_RESPONSE);
    gp.set_streaming_width(4);
    gp.set_data_length(0);
    tb.axil_m.socket->b_transport(gp, t);
    EXPECT_EQ(gp.get_response_status(), tlm::TLM_GENERIC_ERROR_RESPONSE);
    // The annotated delay is waited out before the pins move.
    const sc_core::sc_time before = sc_core::sc_time_stamp();
    unsigned char w[4] = {1, 2, 3, 4};
    EXPECT_EQ(tb.axil_m.transport(true, 0, w, 4, {}, sc_core::sc_time(1, sc_core::SC_US)), tlm::TLM_OK_RESPONSE);
    EXPECT_GE(sc_core::sc_time_stamp() - before, sc_core::sc_time(1, sc_core::SC_US));
  });
}

}  // namespace
}  // namespace cosim::rtl::test
