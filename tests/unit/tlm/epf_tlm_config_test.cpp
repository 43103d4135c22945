// The epf-test TLM model built from `--param` options as cosim-host builds it
// (tlm:epf-test through the registry): no INTx pin, one MSI vector, no MSI-X,
// small BARs, and its own timing. Suites are named EpfTlmConfig*.
#include <gtest/gtest.h>

#include "epf_test_regs.h"
#include "model_registry.h"
#include "tlm/epf_test_tlm.h"
#include "tlm_bench.h"

namespace cosim::epf_test::testing {
namespace {

using sc::TlmDevice;
using sc::testing::logged;
using sc::testing::logs;
using sc::testing::run_until_idle;
using sc::testing::TimedHost;

constexpr uint64_t kRam = 0x8000'0000ull;
constexpr uint64_t kNs = 1000;

class EpfTlmConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    dev = &sc::testing::shared_device([]() -> Result<std::unique_ptr<TlmDevice>> {
      register_tlm_models();
      auto spec = parse_model_spec("tlm:epf-test",
                                   "intx=0;msi=1;msix=0;bar1=0;bar2=64;bar3=0;bar4=0;bar5=16;vendor=0x16c3;"
                                   "device=0xedda;reg_latency=0ns;dma_bw=1;crc_bw=0.5;quantum=100ns");
      if (!spec) return spec.status();
      auto device = ModelRegistry::instance().create(*spec, sc::testing::log_sink());
      if (!device) return device.status();
      return std::unique_ptr<TlmDevice>(static_cast<TlmDevice*>(std::move(device).value().release()));
    });
    model = &static_cast<EpfTestTlm&>(dev->model());
    host.add_region(kRam, 1024 * 1024);
    timed.device = dev;
    dev->attach(&timed);
    dev->reset(ResetKind::kSystem);
    host.clear_records();
    timed.events.clear();
    logs().clear();
  }
  void TearDown() override { dev->attach(nullptr); }

  uint32_t rd(uint32_t reg) {
    uint64_t v = 0;
    EXPECT_TRUE(dev->bar_read(0, reg, 4, v).is_ok());
    return static_cast<uint32_t>(v);
  }
  void wr(uint32_t reg, uint32_t value) { EXPECT_TRUE(dev->bar_write(0, reg, 4, value).is_ok()); }
  void command(uint32_t bits) {
    wr(kCommand, bits);
    ASSERT_TRUE(run_until_idle(*dev));
  }

  TlmDevice* dev = nullptr;
  EpfTestTlm* model = nullptr;
  FakeHost host;
  TimedHost timed{host};
};

TEST_F(EpfTlmConfig, DescriptionFollowsTheParameters) {
  const DeviceDescription& d = dev->description();
  EXPECT_EQ(d.vendor_id, 0x16c3);
  EXPECT_EQ(d.device_id, 0xedda);
  EXPECT_EQ(d.intx_pin, 0);
  EXPECT_EQ(d.msi_vectors, 1);
  EXPECT_EQ(d.msix_vectors, 0);
  EXPECT_EQ(d.bars[0].size, 512u);
  EXPECT_FALSE(d.bars[1].implemented());
  EXPECT_EQ(d.bars[2].size, 64u);
  EXPECT_EQ(d.bars[5].size, 16u);
  EXPECT_EQ(model->timing(), (EpfTestTiming{0, 1.0, 0.5}));
  // Only the BARs that exist have sockets.
  EXPECT_EQ(model->bar_socket(1), nullptr);
  EXPECT_NE(model->bar_socket(5), nullptr);
  uint64_t v = 0;
  EXPECT_EQ(dev->bar_read(1, 0, 4, v).code(), ErrorCode::kBadBar);
  EXPECT_TRUE(dev->bar_write(5, 12, 4, 0xabcd).is_ok());
  EXPECT_TRUE(dev->bar_read(5, 12, 4, v).is_ok());
  EXPECT_EQ(v, 0xabcdu);
}

TEST_F(EpfTlmConfig, IntxWithoutAPinRaisesNothing) {
  command(kCmdRaiseIntx);
  EXPECT_EQ(rd(kStatus), 0u);
  EXPECT_TRUE(host.intx_changes.empty());
  EXPECT_TRUE(logged("no INTx pin"));
}

TEST_F(EpfTlmConfig, OneMsiVectorAndNoMsix) {
  wr(kIrqNumber, 1);
  command(kCmdRaiseMsi);
  EXPECT_EQ(host.msi, std::vector<uint32_t>{0});
  wr(kIrqNumber, 2);
  command(kCmdRaiseMsi);
  EXPECT_TRUE(logged("IRQ_NUMBER 2 is not 1..1"));
  wr(kIrqNumber, 1);
  command(kCmdRaiseMsix);
  EXPECT_TRUE(logged("IRQ_NUMBER 1 is not 1..0"));
  EXPECT_EQ(host.msi, std::vector<uint32_t>{0});
  EXPECT_TRUE(host.msix.empty());
}

TEST_F(EpfTlmConfig, TimingParametersSetTheCompletionTime) {
  wr(kIrqType, kIrqMsi);
  wr(kIrqNumber, 1);
  wr(kSize, 1000);
  wr(kSrcAddrLo, static_cast<uint32_t>(kRam));
  wr(kChecksum, crc32_le(~0u, host.bytes(kRam, 1000).data(), 1000));
  const uint64_t before = dev->now_ps();
  EXPECT_EQ(before, 0u) << "reg_latency=0ns: register accesses take no time";
  command(kCmdRead);
  ASSERT_EQ(timed.events.size(), 1u);
  // 1000 B of DMA at 1 B/ns, then 1000 B of CRC at 0.5 B/ns.
  EXPECT_EQ(timed.events[0].time_ps, before + 1000 * kNs + 2000 * kNs);
  EXPECT_EQ(rd(kStatus), kStReadSuccess | kStIrqRaised);
}

}  // namespace
}  // namespace cosim::epf_test::testing
