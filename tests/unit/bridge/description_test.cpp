// Description validation and BAR access checks.
#include <gtest/gtest.h>

#include "cosim/bridge/device.h"

namespace cosim {
namespace {

DeviceDescription base() {
  DeviceDescription d;
  d.name = "t";
  d.bars[0] = {4096, BarKind::kMem32, false};
  d.bars[1] = {16, BarKind::kIo, false};
  d.bars[2] = {1 << 20, BarKind::kMem64, true};
  d.intx_pin = 1;
  d.msi_vectors = 4;
  return d;
}

void expect_invalid(const DeviceDescription& d, const std::string& needle) {
  Status s = validate(d);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.code(), ErrorCode::kConfig);
  EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
}

TEST(Description, ValidOneIsAccepted) { EXPECT_TRUE(validate(base())) << validate(base()).to_string(); }

TEST(Description, InconsistenciesAreNamed) {
  auto d = base();
  d.bars[0].size = 1000;
  expect_invalid(d, "BAR0 size 1000");
  d = base();
  d.bars[3] = {4096, BarKind::kMem32, false};  // upper half of 64-bit BAR2
  expect_invalid(d, "BAR3 must be left unused");
  d = base();
  d.bars[5] = {4096, BarKind::kMem64, false};
  expect_invalid(d, "BAR5 cannot be 64-bit");
  d = base();
  d.msi_vectors = 3;
  expect_invalid(d, "MSI vector count 3");
  d = base();
  d.msix_vectors = 4096;
  expect_invalid(d, "2048");
  d = base();
  d.intx_pin = 5;
  expect_invalid(d, "INTx pin 5");
  d = base();
  d.class_code = 0x1000000;
  expect_invalid(d, "24 bits");
  d = base();
  d.bars[1] = {512, BarKind::kIo, false};
  expect_invalid(d, "I/O BARs are at most 256");
  d = base();
  d.msix_vectors = 64;
  d.msix_table_bar = 1;  // I/O BAR
  expect_invalid(d, "not a memory BAR");
  d = base();
  d.msix_vectors = 512;  // 8 KiB table in a 4 KiB BAR
  expect_invalid(d, "does not fit");
  d = base();
  d.msix_vectors = 64;
  d.msix_table_offset = 0;
  d.msix_pba_offset = 512;
  expect_invalid(d, "overlap");
}

TEST(Description, MsixPlacementThatFitsIsAccepted) {
  auto d = base();
  d.msix_vectors = 64;
  d.msix_table_offset = 0;
  d.msix_pba_offset = 1024;
  EXPECT_TRUE(validate(d)) << validate(d).to_string();
}

TEST(BarAccess, ChecksEveryDimension) {
  auto d = base();
  EXPECT_TRUE(check_bar_access(d, 0, 0, 4));
  EXPECT_TRUE(check_bar_access(d, 0, 4088, 8));
  EXPECT_TRUE(check_bar_access(d, 1, 12, 4));
  EXPECT_TRUE(check_bar_access(d, 2, (1 << 20) - 1, 1));

  Status s = check_bar_access(d, 6, 0, 4);
  EXPECT_EQ(s.code(), ErrorCode::kBadBar);
  EXPECT_NE(s.message().find("out of range"), std::string::npos);
  s = check_bar_access(d, 4, 0, 4);
  EXPECT_EQ(s.code(), ErrorCode::kBadBar);
  EXPECT_NE(s.message().find("BAR4 is not implemented"), std::string::npos);
  s = check_bar_access(d, 0, 0, 3);
  EXPECT_EQ(s.code(), ErrorCode::kBadSize);
  s = check_bar_access(d, 1, 0, 8);
  EXPECT_EQ(s.code(), ErrorCode::kBadSize);
  EXPECT_NE(s.message().find("I/O"), std::string::npos);
  s = check_bar_access(d, 0, 4093, 4);
  EXPECT_EQ(s.code(), ErrorCode::kBadOffset);
  s = check_bar_access(d, 0, ~uint64_t{0} - 1, 4);  // offset + size overflows
  EXPECT_EQ(s.code(), ErrorCode::kBadOffset);
}

}  // namespace
}  // namespace cosim
