// The interrupt decision both epf-test models share (epf_test_logic.h):
// which delivery a completion makes, and the guest errors that raise nothing.
#include <gtest/gtest.h>

#include "epf_test_logic.h"

namespace cosim::epf_test {
namespace {

DeviceDescription desc_with(uint8_t intx_pin, uint16_t msi, uint16_t msix) {
  DeviceDescription d;
  d.intx_pin = intx_pin;
  d.msi_vectors = msi;
  d.msix_vectors = msix;
  return d;
}

using Deliver = IrqDecision::Deliver;

TEST(EpfIrqDecision, IntxNeedsAPin) {
  EXPECT_EQ(decide_irq(desc_with(1, 0, 0), {kIrqIntx, 0}, "RAISE_INTX").deliver, Deliver::kIntx);
  const IrqDecision d = decide_irq(desc_with(0, 32, 2048), {kIrqIntx, 0}, "READ");
  EXPECT_EQ(d.deliver, Deliver::kNone);
  EXPECT_EQ(d.error, "READ: INTx requested but the device has no INTx pin (intx=0)");
}

TEST(EpfIrqDecision, VectorsAreOneBasedInTheRegisterAndZeroBasedOut) {
  const IrqDecision first = decide_irq(desc_with(1, 32, 2048), {kIrqMsi, 1}, "RAISE_MSI");
  EXPECT_EQ(first.deliver, Deliver::kMsi);
  EXPECT_EQ(first.vector, 0u);
  EXPECT_TRUE(first.error.empty());
  const IrqDecision last = decide_irq(desc_with(1, 32, 2048), {kIrqMsix, 2048}, "COPY");
  EXPECT_EQ(last.deliver, Deliver::kMsix);
  EXPECT_EQ(last.vector, 2047u);
}

TEST(EpfIrqDecision, AVectorTheDeviceDoesNotHaveRaisesNothing) {
  for (const IrqRequest bad : {IrqRequest{kIrqMsi, 0}, IrqRequest{kIrqMsi, 5}, IrqRequest{kIrqMsix, 9},
                               IrqRequest{kIrqMsix, 0}}) {
    const IrqDecision d = decide_irq(desc_with(1, 4, 8), bad, "WRITE");
    EXPECT_EQ(d.deliver, Deliver::kNone) << bad.type << " " << bad.number;
    EXPECT_FALSE(d.error.empty());
  }
  EXPECT_EQ(decide_irq(desc_with(1, 4, 8), {kIrqMsix, 9}, "WRITE").error,
            "WRITE: MSI-X vector IRQ_NUMBER 9 is not 1..8; no interrupt raised");
  EXPECT_EQ(decide_irq(desc_with(1, 0, 8), {kIrqMsi, 1}, "RAISE_MSI").error,
            "RAISE_MSI: MSI vector IRQ_NUMBER 1 is not 1..0; no interrupt raised");
}

TEST(EpfIrqDecision, AnUnknownIrqTypeRaisesNothing) {
  const IrqDecision d = decide_irq(desc_with(1, 32, 2048), {7, 1}, "READ");
  EXPECT_EQ(d.deliver, Deliver::kNone);
  EXPECT_EQ(d.error, "READ: ? vector IRQ_NUMBER 1 is not 1..0; no interrupt raised");
}

}  // namespace
}  // namespace cosim::epf_test
