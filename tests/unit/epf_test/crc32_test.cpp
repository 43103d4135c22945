// crc32_le must equal Linux's crc32_le(~0, buf, len): the driver compares it
// with its own, so one wrong bit fails every READ and every COPY check.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "epf_test_regs.h"

namespace cosim::epf_test {
namespace {

const uint8_t* bytes(const char* s) { return reinterpret_cast<const uint8_t*>(s); }

// Bit at a time, straight from the definition.
uint32_t reference_crc(uint32_t crc, const uint8_t* p, size_t len) {
  while (len--) {
    crc ^= *p++;
    for (int k = 0; k < 8; ++k) crc = (crc & 1) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
  }
  return crc;
}

std::vector<uint8_t> random_bytes(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(gen());
  return v;
}

TEST(EpfCrc32, CheckVectorWithoutFinalInversion) {
  // Standard CRC-32("123456789") is 0xCBF43926; Linux's form skips the final NOT.
  EXPECT_EQ(crc32_le(0xFFFFFFFFu, bytes("123456789"), 9), 0x340BC6D9u);
  EXPECT_EQ(~crc32_le(0xFFFFFFFFu, bytes("123456789"), 9), 0xCBF43926u);
}

TEST(EpfCrc32, SecondKnownVector) {
  const char* fox = "The quick brown fox jumps over the lazy dog";
  EXPECT_EQ(~crc32_le(~0u, bytes(fox), std::strlen(fox)), 0x414FA339u);
}

TEST(EpfCrc32, EmptyBufferReturnsInitialValue) {
  const uint8_t b = 0;
  EXPECT_EQ(crc32_le(0xFFFFFFFFu, &b, 0), 0xFFFFFFFFu);
  EXPECT_EQ(crc32_le(0x12345678u, &b, 0), 0x12345678u);
}

TEST(EpfCrc32, ChainingTwoHalvesEqualsOnePass) {
  const auto data = random_bytes(1000, 1);
  const uint32_t whole = crc32_le(~0u, data.data(), data.size());
  for (size_t split : {0, 1, 3, 7, 8, 9, 15, 500, 993, 999, 1000}) {
    const uint32_t first = crc32_le(~0u, data.data(), split);
    EXPECT_EQ(crc32_le(first, data.data() + split, data.size() - split), whole) << "split at " << split;
  }
}

TEST(EpfCrc32, MatchesBitwiseReferenceAtEveryLengthAndAlignment) {
  const auto data = random_bytes(300, 2);
  for (size_t start = 0; start < 9; ++start)
    for (size_t len = 0; len + start <= 140; ++len)
      ASSERT_EQ(crc32_le(~0u, data.data() + start, len), reference_crc(~0u, data.data() + start, len))
          << "start " << start << " len " << len;
}

TEST(EpfCrc32, MatchesReferenceOnAMegabytePlusOne) {
  const auto data = random_bytes(1024 * 1024 + 1, 3);
  EXPECT_EQ(crc32_le(~0u, data.data(), data.size()), reference_crc(~0u, data.data(), data.size()));
}

}  // namespace
}  // namespace cosim::epf_test
