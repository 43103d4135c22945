// epf-test options and self-description: defaults from the spec, every kind
// of bad value named in the error, MSI-X placement inside BAR0.
#include <gtest/gtest.h>

#include <bit>
#include <map>
#include <ostream>
#include <string>

#include "params.h"

namespace cosim::epf_test {
namespace {

using Params = std::map<std::string, std::string>;

TEST(EpfParams, NoOptionsGiveTheSpecDefaults) {
  auto r = parse_epf_test_params({});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const EpfTestConfig& c = *r;
  EXPECT_EQ(c, EpfTestConfig{});
  EXPECT_EQ(c.vendor_id, 0x104c);
  EXPECT_EQ(c.device_id, 0xb500);
  EXPECT_EQ(c.class_code, 0xff0000u);
  EXPECT_EQ(c.bar_sizes, (std::array<uint64_t, 6>{512, 512, 1024, 16384, 131072, 1048576}));
  EXPECT_EQ(c.msi_vectors, 32u);
  EXPECT_EQ(c.msix_vectors, 2048u);
  EXPECT_EQ(c.intx_pin, 1);
  EXPECT_TRUE(check_config(c).is_ok());
}

TEST(EpfParams, OverridesInEveryNotation) {
  auto r = parse_epf_test_params({{"vendor", "0x16c3"},
                                  {"device", "0xEDDA"},
                                  {"revision", "7"},
                                  {"class", "0x058000"},
                                  {"bar0", "4k"},
                                  {"bar1", "0x1000"},
                                  {"bar2", "16"},
                                  {"bar3", "1M"},
                                  {"bar4", "0"},
                                  {"bar5", "2m"},
                                  {"msi", "1"},
                                  {"msix", "0"},
                                  {"intx", "0"},
                                  {"seed", "0xdeadbeefcafef00d"}});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->vendor_id, 0x16c3);
  EXPECT_EQ(r->device_id, 0xedda);
  // Subsystem ids follow the ids unless given.
  EXPECT_EQ(r->subsystem_vendor_id, 0x16c3);
  EXPECT_EQ(r->subsystem_id, 0xedda);
  EXPECT_EQ(r->revision, 7);
  EXPECT_EQ(r->class_code, 0x058000u);
  EXPECT_EQ(r->bar_sizes, (std::array<uint64_t, 6>{4096, 4096, 16, 1048576, 0, 2097152}));
  EXPECT_EQ(r->msi_vectors, 1u);
  EXPECT_EQ(r->msix_vectors, 0u);
  EXPECT_EQ(r->intx_pin, 0);
  EXPECT_EQ(r->write_seed, 0xdeadbeefcafef00dull);
}

TEST(EpfParams, ExplicitSubsystemIdsStay) {
  auto r = parse_epf_test_params({{"vendor", "0x16c3"}, {"subsystem_vendor", "0x1af4"}, {"subsystem", "4660"}});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->subsystem_vendor_id, 0x1af4);
  EXPECT_EQ(r->subsystem_id, 4660);
  EXPECT_EQ(r->device_id, 0xb500);
}

struct BadCase {
  const char* key;
  const char* value;
  const char* hint;  // part of the "what is allowed" text
};

void PrintTo(const BadCase& b, std::ostream* os) { *os << b.key << "='" << b.value << "'"; }

class EpfParamsRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(EpfParamsRejects, NamingTheKeyAndTheValue) {
  const BadCase& b = GetParam();
  auto r = parse_epf_test_params({{b.key, b.value}});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kConfig);
  const std::string& m = r.status().message();
  EXPECT_NE(m.find(b.key), std::string::npos) << m;
  EXPECT_NE(m.find(std::string("'") + b.value + "'"), std::string::npos) << m;
  EXPECT_NE(m.find(b.hint), std::string::npos) << m;
}

INSTANTIATE_TEST_SUITE_P(
    EveryKind, EpfParamsRejects,
    ::testing::Values(BadCase{"colour", "blue", "options are"},         // unknown key
                      BadCase{"vendor", "0x10000", "16-bit"},           // too wide
                      BadCase{"vendor", "ti", "16-bit"},                // not a number
                      BadCase{"device", "", "16-bit"},                  // empty
                      BadCase{"subsystem", "-1", "16-bit"},             // signed
                      BadCase{"subsystem_vendor", " 12", "16-bit"},     // spaces
                      BadCase{"revision", "256", "0..255"},             //
                      BadCase{"class", "0x1000000", "24 bits"},         //
                      BadCase{"bar0", "0", "register block"},           // BAR0 is required
                      BadCase{"bar0", "32", "register block"},          // too small for 0x30 bytes
                      BadCase{"bar1", "100", "power of two"},           //
                      BadCase{"bar2", "8", "power of two from 16"},     // too small
                      BadCase{"bar3", "512M", "256M"},                  // too big
                      BadCase{"bar4", "1G", "k/M suffix"},              // unknown suffix
                      BadCase{"bar5", "4kk", "k/M suffix"},             //
                      BadCase{"bar1", "0x", "power of two"},            //
                      BadCase{"bar2", "0x1fffffffffffffffk", "power"},  // overflows
                      BadCase{"msi", "3", "power of two up to 32"},     //
                      BadCase{"msi", "64", "power of two up to 32"},    //
                      BadCase{"msix", "2049", "0..2048"},               //
                      BadCase{"intx", "5", "INTA..INTD"},               //
                      BadCase{"seed", "0x1ffffffffffffffff", "64-bit"}  // overflows
                      ));

TEST(EpfParams, BarKeysBeyondFiveAreUnknown) {
  auto r = parse_epf_test_params({{"bar6", "16"}});
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("no option 'bar6'"), std::string::npos) << r.status().message();
}

TEST(EpfParams, CheckConfigNamesTheField) {
  EpfTestConfig c;
  c.bar_sizes[3] = 3000;
  Status s = check_config(c);
  EXPECT_EQ(s.code(), ErrorCode::kConfig);
  EXPECT_NE(s.message().find("bar3 = 3000"), std::string::npos) << s.message();
  c = {};
  c.intx_pin = 9;
  EXPECT_NE(check_config(c).message().find("intx"), std::string::npos);
  c = {};
  c.class_code = 0x1000000;
  EXPECT_NE(check_config(c).message().find("class"), std::string::npos);
}

// ---- Description ---------------------------------------------------------------

TEST(EpfDescription, DefaultDescription) {
  const DeviceDescription d = describe(EpfTestConfig{});
  EXPECT_TRUE(validate(d).is_ok()) << validate(d).to_string();
  EXPECT_EQ(d.name, "epf-test");
  EXPECT_EQ(d.vendor_id, 0x104c);
  EXPECT_EQ(d.device_id, 0xb500);
  EXPECT_EQ(d.class_code, 0xff0000u);
  EXPECT_EQ(d.intx_pin, 1);
  EXPECT_EQ(d.msi_vectors, 32);
  EXPECT_EQ(d.msix_vectors, 2048);
  for (unsigned i = 0; i < kNumBars; ++i) {
    EXPECT_EQ(d.bars[i].kind, BarKind::kMem32) << "BAR" << i;
    EXPECT_FALSE(d.bars[i].prefetchable) << "BAR" << i;
    if (i > 0) {
      EXPECT_EQ(d.bars[i].size, kDefaultBarSizes[i]) << "BAR" << i;
    }
  }
  // 2048 vectors: a 32 KiB table at 4 KiB, the 256-byte PBA after it; BAR0 grows to 64 KiB.
  EXPECT_EQ(d.msix_table_bar, 0);
  EXPECT_EQ(d.msix_table_offset, 0x1000u);
  EXPECT_EQ(d.msix_pba_bar, 0);
  EXPECT_EQ(d.msix_pba_offset, 0x1000u + 32 * 1024);
  EXPECT_EQ(d.bars[0].size, 64u * 1024);
}

TEST(EpfDescription, WithoutMsixBar0KeepsItsConfiguredSize) {
  EpfTestConfig c;
  c.msix_vectors = 0;
  c.bar_sizes[0] = 64;
  const DeviceDescription d = describe(c);
  EXPECT_TRUE(validate(d).is_ok()) << validate(d).to_string();
  EXPECT_EQ(d.bars[0].size, 64u);
  EXPECT_EQ(d.msix_vectors, 0);
}

TEST(EpfDescription, AbsentBarsAreNotDescribed) {
  EpfTestConfig c;
  c.bar_sizes[2] = 0;
  c.bar_sizes[5] = 0;
  const DeviceDescription d = describe(c);
  EXPECT_TRUE(validate(d).is_ok()) << validate(d).to_string();
  EXPECT_FALSE(d.bars[2].implemented());
  EXPECT_FALSE(d.bars[5].implemented());
  EXPECT_EQ(d.bars[2], BarInfo{});
  EXPECT_TRUE(d.bars[3].implemented());
}

TEST(EpfDescription, IoBarsAreDescribedAsIo) {
  auto r = parse_epf_test_params({{"bar2", "256"}, {"bar2_kind", "io"}, {"bar3_kind", "mem"}});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const DeviceDescription d = describe(*r);
  EXPECT_EQ(d.bars[2].kind, BarKind::kIo);
  EXPECT_EQ(d.bars[2].size, 256u);
  EXPECT_EQ(d.bars[3].kind, BarKind::kMem32);
  EXPECT_TRUE(validate(d).is_ok());
}

TEST(EpfParams, IoBarRulesNameTheKey) {
  // Larger than PCI's 256-byte I/O BARs, BAR0 (registers, MSI-X table), a bad kind.
  for (const Params& p : {Params{{"bar2_kind", "io"}}, Params{{"bar0_kind", "io"}},
                          Params{{"bar1_kind", "port"}}}) {
    auto r = parse_epf_test_params(p);
    ASSERT_FALSE(r.is_ok()) << p.begin()->first;
    EXPECT_EQ(r.status().code(), ErrorCode::kConfig);
    const std::string key = p.begin()->first == "bar2_kind" ? "bar2" : p.begin()->first;
    EXPECT_NE(r.status().message().find(key), std::string::npos) << r.status().message();
  }
}

TEST(EpfDescription, MsixTableAndPbaFitInsideBar0ForEveryCount) {
  for (uint64_t bar0 : {64u, 512u, 4096u, 8192u, 1u << 20})
    for (uint32_t vectors : {1u, 7u, 63u, 64u, 65u, 256u, 2047u, 2048u}) {
      EpfTestConfig c;
      c.bar_sizes[0] = bar0;
      c.msix_vectors = vectors;
      const DeviceDescription d = describe(c);
      SCOPED_TRACE("bar0 " + std::to_string(bar0) + " vectors " + std::to_string(vectors));
      ASSERT_TRUE(validate(d).is_ok()) << validate(d).to_string();
      EXPECT_TRUE(check_config(c).is_ok());
      const uint64_t table = uint64_t{vectors} * 16;
      const uint64_t pba = (vectors + 63) / 64 * 8;
      EXPECT_EQ(d.msix_table_offset % 4096, 0u);
      EXPECT_GE(d.msix_table_offset, bar0) << "table overlaps the configured BAR0 bytes";
      EXPECT_EQ(d.msix_pba_offset % 8, 0u);
      EXPECT_GE(d.msix_pba_offset, d.msix_table_offset + table);
      EXPECT_LE(d.msix_pba_offset + pba, d.bars[0].size);
      EXPECT_TRUE(std::has_single_bit(d.bars[0].size));
      EXPECT_LT(d.bars[0].size / 2, d.msix_pba_offset + pba) << "BAR0 larger than needed";
      const MsixLayout l = msix_layout(c);
      EXPECT_EQ(l.table_offset, d.msix_table_offset);
      EXPECT_EQ(l.pba_offset, d.msix_pba_offset);
      EXPECT_EQ(l.bar0_size, d.bars[0].size);
    }
}

TEST(EpfDescription, IdentityFieldsComeFromTheConfiguration) {
  auto r = parse_epf_test_params({{"vendor", "0x16c3"}, {"device", "0xedda"}, {"revision", "2"}, {"intx", "4"}});
  ASSERT_TRUE(r.is_ok());
  const DeviceDescription d = describe(*r);
  EXPECT_EQ(d.vendor_id, 0x16c3);
  EXPECT_EQ(d.device_id, 0xedda);
  EXPECT_EQ(d.subsystem_vendor_id, 0x16c3);
  EXPECT_EQ(d.subsystem_id, 0xedda);
  EXPECT_EQ(d.revision, 2);
  EXPECT_EQ(d.intx_pin, 4);
}

}  // namespace
}  // namespace cosim::epf_test
