// TLM -> APB adapter against apb_regfile (0..3 wait states): reads, writes,
// PSTRB, PSLVERR, back-to-back traffic against a shadow, and the APB rules
// checked cycle by cycle (ApbMonitor).
#include <gtest/gtest.h>

#include <array>
#include <random>

#include "adapters_bench.h"

namespace cosim::rtl::test {
namespace {

class RtlApb : public ::testing::Test {
 protected:
  AdapterBench& tb = AdapterBench::get();
  void TearDown() override {
    for (const auto& v : tb.apb_mon.violations) ADD_FAILURE() << "APB rule: " << v;
  }
};

TEST_F(RtlApb, ReadsWritesAndStrobes) {
  tb.run([&] {
    auto& m = tb.apb_m;
    for (uint32_t r = 0; r < 16; ++r) ASSERT_EQ(m.write(4 * r, 0xabcd0000u + r, 4), tlm::TLM_OK_RESPONSE);
    for (uint32_t r = 0; r < 16; ++r) EXPECT_EQ(m.read32(4 * r), 0xabcd0000u + r);
    ASSERT_EQ(m.write(0x9, 0x77, 1), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(m.read32(0x8), 0xabcd7702u);
    ASSERT_EQ(m.write(0x0, 0x0123456789abcdefull, 8), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(m.read32(0x0), 0x89abcdefu);
    EXPECT_EQ(m.read32(0x4), 0x01234567u);
    EXPECT_GT(tb.apb_mon.transfers, 30u);
  });
}

TEST_F(RtlApb, PslverrIsAGenericError) {
  tb.run([&] {
    uint64_t v = 0;
    EXPECT_EQ(tb.apb_m.read(0x40, v, 4), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(tb.apb_m.write(0x100, 5, 4), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(tb.apb_m.write(0x3c, 0x5555555566666666ull, 8), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(tb.apb_m.read32(0x3c), 0x66666666u);
  });
}

TEST_F(RtlApb, BackToBackRandomTrafficMatchesAShadow) {
  tb.run([&] {
    auto& m = tb.apb_m;
    std::array<uint8_t, 64> shadow{};
    for (uint32_t r = 0; r < 16; ++r) {
      const uint32_t v = m.read32(4 * r);
      for (int b = 0; b < 4; ++b) shadow[4 * r + b] = static_cast<uint8_t>(v >> (8 * b));
    }
    std::mt19937 rng(5);
    for (int i = 0; i < 300; ++i) {
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
  });
}

}  // namespace
}  // namespace cosim::rtl::test
