// TLM -> Wishbone B4 classic adapter at 8, 16 and 32 bits against wb_regfile
// (registered ACK, 0..3 wait states): every access size on every width, SEL,
// ERR, RTY with retries and a retry limit, and the bus rules cycle by cycle.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "adapters_bench.h"

namespace cosim::rtl::test {
namespace {

class RtlWishbone : public ::testing::Test {
 protected:
  AdapterBench& tb = AdapterBench::get();
  void TearDown() override {
    for (const auto& v : tb.wb8_mon.violations) ADD_FAILURE() << "Wishbone 8: " << v;
    for (const auto& v : tb.wb16_mon.violations) ADD_FAILURE() << "Wishbone 16: " << v;
    for (const auto& v : tb.wb32_mon.violations) ADD_FAILURE() << "Wishbone 32: " << v;
  }

  // Random traffic against a shadow of the port's 16 words.
  template <unsigned DW>
  void shadow_traffic(WbPort<DW>& port, unsigned seed) {
    constexpr uint32_t kBytes = 16 * DW / 8;
    auto& m = port.master;
    std::vector<uint8_t> shadow(kBytes);
    for (uint32_t a = 0; a < kBytes; ++a) {
      uint64_t v = 0;
      ASSERT_EQ(m.read(a, v, 1), tlm::TLM_OK_RESPONSE);
      shadow[a] = static_cast<uint8_t>(v);
    }
    std::mt19937 rng(seed);
    const uint64_t words0 = port.adapter.words();
    for (int i = 0; i < 200; ++i) {
      const unsigned size = 1u << (rng() % 4);
      if (size > kBytes) continue;
      const uint32_t off = rng() % (kBytes - size + 1);
      if (rng() % 2) {
        const uint64_t value = (uint64_t{rng()} << 32) | rng();
        ASSERT_EQ(m.write(off, value, size), tlm::TLM_OK_RESPONSE);
        for (unsigned b = 0; b < size; ++b) shadow[off + b] = static_cast<uint8_t>(value >> (8 * b));
      } else {
        uint64_t got = 0, want = 0;
        ASSERT_EQ(m.read(off, got, size), tlm::TLM_OK_RESPONSE);
        for (unsigned b = 0; b < size; ++b) want |= uint64_t{shadow[off + b]} << (8 * b);
        ASSERT_EQ(got, want) << DW << "-bit read of " << size << " at 0x" << std::hex << off;
      }
    }
    EXPECT_GT(port.adapter.words() - words0, 200u);
  }

  template <unsigned DW>
  void errors_and_retries(WbPort<DW>& port) {
    auto& m = port.master;
    uint64_t v = 0;
    EXPECT_EQ(m.read(0xc0, v, DW / 8), tlm::TLM_GENERIC_ERROR_RESPONSE) << "ERR";
    EXPECT_EQ(m.write(0xc0, 1, DW / 8), tlm::TLM_GENERIC_ERROR_RESPONSE) << "ERR";
    const uint64_t r0 = port.adapter.retries();
    EXPECT_EQ(m.read(0x80, v, DW / 8), tlm::TLM_OK_RESPONSE) << "RTY twice, then ACK";
    EXPECT_EQ(port.adapter.retries() - r0, 2u);
    EXPECT_EQ(v, (DW == 32 ? 0xffffffffull : (1ull << DW) - 1));
    port.adapter.set_retry_limit(1);
    EXPECT_EQ(m.read(0x80, v, DW / 8), tlm::TLM_GENERIC_ERROR_RESPONSE) << "retry limit 1";
    port.adapter.set_retry_limit(16);
  }
};

TEST_F(RtlWishbone, EightBitPort) {
  tb.run([&] {
    auto& m = tb.wb8.master;
    ASSERT_EQ(m.write(0x4, 0x44332211, 4), tlm::TLM_OK_RESPONSE);  // four cycles of one byte
    EXPECT_EQ(m.read32(0x4), 0x44332211u);
    uint64_t v = 0;
    ASSERT_EQ(m.read(0x5, v, 2), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(v, 0x3322u);
    shadow_traffic(tb.wb8, 1);
    errors_and_retries(tb.wb8);
  });
}

TEST_F(RtlWishbone, SixteenBitPort) {
  tb.run([&] {
    auto& m = tb.wb16.master;
    ASSERT_EQ(m.write(0x8, 0x8877665544332211ull, 8), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(m.write(0x9, 0xaa, 1), tlm::TLM_OK_RESPONSE);  // SEL = 0b10
    uint64_t v = 0;
    ASSERT_EQ(m.read(0x8, v, 8), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(v, 0x887766554433aa11ull);
    shadow_traffic(tb.wb16, 2);
    errors_and_retries(tb.wb16);
  });
}

TEST_F(RtlWishbone, ThirtyTwoBitPort) {
  tb.run([&] {
    auto& m = tb.wb32.master;
    ASSERT_EQ(m.write(0x10, 0xdeadbeef, 4), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(m.write(0x12, 0x1234, 2), tlm::TLM_OK_RESPONSE);  // SEL = 0b1100
    EXPECT_EQ(m.read32(0x10), 0x1234beefu);
    shadow_traffic(tb.wb32, 3);
    errors_and_retries(tb.wb32);
    EXPECT_GT(tb.wb32_mon.acks, 0u);
  });
}

}  // namespace
}  // namespace cosim::rtl::test
