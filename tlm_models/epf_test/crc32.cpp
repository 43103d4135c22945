// CRC-32 as Linux's crc32_le(): reflected polynomial 0xEDB88320, caller-chosen
// seed, no final inversion. Slicing-by-8 so a 1 MiB READ costs ~1 ms, not ~4.
#include <array>
#include <bit>
#include <cstring>

#include "epf_test_regs.h"

namespace cosim::epf_test {
namespace {

using Table = std::array<std::array<uint32_t, 256>, 8>;

constexpr Table make_tables() {
  Table t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    t[0][i] = c;
  }
  // t[k][i]: the CRC of byte i followed by k zero bytes.
  for (size_t k = 1; k < t.size(); ++k)
    for (uint32_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
  return t;
}

constexpr Table kTables = make_tables();

inline uint32_t load_le32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}

}  // namespace

uint32_t crc32_le(uint32_t crc, const uint8_t* data, uint64_t len) {
  const auto& t = kTables;
  while (len >= 8) {
    const uint32_t lo = load_le32(data) ^ crc;
    const uint32_t hi = load_le32(data + 4);
    crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
          t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^ t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
    data += 8;
    len -= 8;
  }
  while (len--) crc = t[0][(crc ^ *data++) & 0xff] ^ (crc >> 8);
  return crc;
}

}  // namespace cosim::epf_test
