// Parameter values (cosim/model_params.h), the TLM adapter's options and the
// epf-test TLM timing keys. Nothing here elaborates. Suites are named TlmParams*.
#include <gtest/gtest.h>

#include "cosim/model_params.h"
#include "cosim/sc/tlm_device.h"
#include "tlm/epf_test_tlm.h"

namespace cosim {
namespace {

TEST(TlmParams, DurationsInEveryUnit) {
  EXPECT_EQ(parse_duration_ps("250ps"), 250u);
  EXPECT_EQ(parse_duration_ps("10ns"), 10'000u);
  EXPECT_EQ(parse_duration_ps("1us"), 1'000'000u);
  EXPECT_EQ(parse_duration_ps("1.5us"), 1'500'000u);
  EXPECT_EQ(parse_duration_ps("0.001ns"), 1u);
  EXPECT_EQ(parse_duration_ps("2ms"), 2'000'000'000u);
  EXPECT_EQ(parse_duration_ps("1s"), 1'000'000'000'000u);
  EXPECT_EQ(parse_duration_ps("0ns"), 0u);
  EXPECT_EQ(parse_duration_ps("1.50ps"), std::nullopt) << "finer than a picosecond, even as a trailing 0";
}

TEST(TlmParams, DurationsRefusedWithoutAUnitOrExactValue) {
  for (const char* bad : {"", "10", "ns", "1.ns", ".5ns", "1 us", "-1ns", "1.5ps", "1e3ns", "1h", "0x10ns",
                          "20000000s"})
    EXPECT_EQ(parse_duration_ps(bad), std::nullopt) << "'" << bad << "'";
}

TEST(TlmParams, PositiveRatesAndIntegers) {
  EXPECT_EQ(parse_positive("4"), 4.0);
  EXPECT_EQ(parse_positive("0.25"), 0.25);
  for (const char* bad : {"", "0", "-1", "fast", "1e3", "inf", "2 "})
    EXPECT_EQ(parse_positive(bad), std::nullopt) << "'" << bad << "'";
  EXPECT_EQ(parse_uint("0x1f"), 31u);
  EXPECT_EQ(parse_uint("12"), 12u);
  EXPECT_EQ(parse_uint("0x"), std::nullopt);
  EXPECT_EQ(parse_uint("-3"), std::nullopt);
}

TEST(TlmParams, DurationsFormatExactly) {
  EXPECT_EQ(format_duration(1'000'000), "1 us");
  EXPECT_EQ(format_duration(1'500'000), "1500 ns");
  EXPECT_EQ(format_duration(250), "250 ps");
  EXPECT_EQ(format_duration(0), "0 ps");
  EXPECT_EQ(format_duration(3'000'000'000'000), "3 s");
}

TEST(TlmParams, TakeParamRemovesTheKey) {
  ModelParams p{{"a", "1"}, {"b", "2"}};
  EXPECT_EQ(take_param(p, "a"), "1");
  EXPECT_EQ(take_param(p, "a"), std::nullopt);
  EXPECT_EQ(p, (ModelParams{{"b", "2"}}));
}

TEST(TlmParams, AdapterOptionsAreTakenFromTheModelsParameters) {
  ModelParams p{{"quantum", "250ns"}, {"access_timeout", "10ms"}, {"bar0", "4k"}};
  sc::TlmOptions defaults;
  auto o = sc::take_tlm_options(p, defaults);
  ASSERT_TRUE(o) << o.status().to_string();
  EXPECT_EQ(o->quantum_ps, 250'000u);
  EXPECT_EQ(o->access_timeout_ps, 10'000'000'000u);
  EXPECT_EQ(p, (ModelParams{{"bar0", "4k"}})) << "the model's own keys stay";

  ModelParams none;
  defaults.quantum_ps = 42;
  EXPECT_EQ(sc::take_tlm_options(none, defaults)->quantum_ps, 42u) << "absent: the default (cosim-host --quantum)";

  ModelParams bad{{"quantum", "soon"}};
  auto e = sc::take_tlm_options(bad, defaults);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.status().code(), ErrorCode::kConfig);
  EXPECT_NE(e.status().message().find("quantum='soon'"), std::string::npos);
}

TEST(TlmParams, EpfTestTimingKeys) {
  ModelParams p{{"reg_latency", "25ns"}, {"dma_bw", "0.5"}, {"crc_bw", "16"}, {"msi", "4"}};
  auto t = epf_test::take_epf_test_timing(p);
  ASSERT_TRUE(t) << t.status().to_string();
  EXPECT_EQ(*t, (epf_test::EpfTestTiming{25'000, 0.5, 16.0}));
  EXPECT_EQ(p, (ModelParams{{"msi", "4"}}));

  ModelParams empty;
  EXPECT_EQ(*epf_test::take_epf_test_timing(empty), epf_test::EpfTestTiming{}) << "defaults";

  ModelParams bad{{"dma_bw", "-2"}};
  auto e = epf_test::take_epf_test_timing(bad);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.status().message(), "epf-test option dma_bw='-2': must be a positive number of bytes per ns");
}

}  // namespace
}  // namespace cosim
