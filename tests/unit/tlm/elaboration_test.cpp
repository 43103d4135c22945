// Errors when a TLM device is made: unknown models, bad parameters, models
// that fail to elaborate (missing sockets, unbound ports, exceptions, SystemC
// errors), and a second elaboration in one process. Every elaboration runs in
// a child process of its own (SystemC elaborates once per process). Suites are
// named TlmElab*.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "cosim/sc/tlm_device.h"
#include "model_registry.h"
#include "test_model.h"

namespace cosim::sc::testing {
namespace {

// A model with one deliberate flaw.
enum class Flaw { kNoBarSocket, kNoIntxPort, kNoMsiPort, kBadDescription, kUnboundPort, kThrows, kReportsError };

class FlawedModel final : public TlmModel {
 public:
  FlawedModel(const sc_core::sc_module_name& name, Flaw flaw)
      : TlmModel(name), flaw_(flaw), bar0_("bar0"), intx_("intx"), msi_("msi"), extra_("extra") {
    desc_.vendor_id = 0x1234;
    desc_.device_id = 0x1;
    desc_.bars[0] = {4096, BarKind::kMem32, false};
    desc_.bars[1] = {4096, BarKind::kMem32, false};
    desc_.intx_pin = 1;
    desc_.msi_vectors = flaw == Flaw::kBadDescription ? 3 : 1;
    bar0_.register_b_transport(this, &FlawedModel::b_transport);
    bar1_ = std::make_unique<tlm_utils::simple_target_socket<FlawedModel>>("bar1");
    bar1_->register_b_transport(this, &FlawedModel::b_transport);
    if (flaw == Flaw::kThrows) throw std::runtime_error("flawed model: constructor gave up");
    if (flaw == Flaw::kReportsError) SC_REPORT_ERROR("flawed-model", "cannot open the model's data file");
  }
  const DeviceDescription& description() const override { return desc_; }
  BarTargetSocket* bar_socket(unsigned bar) override {
    if (bar == 0) return &bar0_;
    if (bar == 1 && flaw_ != Flaw::kNoBarSocket) return bar1_.get();
    return nullptr;
  }
  sc_core::sc_out<bool>* intx_port() override { return flaw_ == Flaw::kNoIntxPort ? nullptr : &intx_; }
  sc_core::sc_port<InterruptIf>* msi_port() override { return flaw_ == Flaw::kNoMsiPort ? nullptr : &msi_; }
  void reset(ResetKind) override {}

 private:
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time&) { t.set_response_status(tlm::TLM_OK_RESPONSE); }

  Flaw flaw_;
  DeviceDescription desc_;
  tlm_utils::simple_target_socket<FlawedModel> bar0_;
  std::unique_ptr<tlm_utils::simple_target_socket<FlawedModel>> bar1_;
  sc_core::sc_out<bool> intx_;
  sc_core::sc_port<InterruptIf> msi_;
  sc_core::sc_in<bool> extra_;  // nobody binds it: elaboration must fail for kUnboundPort
};

TlmOptions quiet() {
  TlmOptions o;
  o.log = [](LogLevel, const std::string&) {};
  return o;
}

Result<std::unique_ptr<TlmDevice>> make_flawed(Flaw flaw) {
  return TlmDevice::create("flawed", [flaw] { return Result<std::unique_ptr<TlmModel>>(std::make_unique<FlawedModel>("flawed", flaw)); }, quiet());
}

Result<std::unique_ptr<TlmDevice>> make_good() {
  return TlmDevice::create("good", [] { return Result<std::unique_ptr<TlmModel>>(std::make_unique<TestModel>("good")); }, quiet());
}

// In a child: prints the Status and exits 0 when it has `code`. The parent
// matches the printed message.
void report(const Status& s, ErrorCode code) {
  std::fprintf(stderr, "status: %s\n", s.to_string().c_str());
  std::fflush(stderr);
  std::_Exit(s.code() == code ? 0 : 1);
}

#define EXPECT_CHILD_STATUS(expr, code, regex) \
  EXPECT_EXIT(report((expr), (code)), ::testing::ExitedWithCode(0), regex)

// All of these except the "unbound port" case fail at the first constructor
// statement that notices the flaw, with no kernel run.
Status flawed_status(Flaw flaw) {
  auto d = make_flawed(flaw);
  return d ? Status{} : d.status();
}

TEST(TlmElab, MissingSocketForADescribedBar) {
  EXPECT_CHILD_STATUS(flawed_status(Flaw::kNoBarSocket), ErrorCode::kConfig,
                      "the model describes BAR1 but has no target socket for it");
}

TEST(TlmElab, MissingIntxOutputForAnIntxPin) {
  EXPECT_CHILD_STATUS(flawed_status(Flaw::kNoIntxPort), ErrorCode::kConfig, "INTx pin but no INTx output");
}

TEST(TlmElab, MissingMsiPortForMsiVectors) {
  EXPECT_CHILD_STATUS(flawed_status(Flaw::kNoMsiPort), ErrorCode::kConfig, "MSI/MSI-X vectors but no MSI port");
}

TEST(TlmElab, InconsistentDescription) {
  EXPECT_CHILD_STATUS(flawed_status(Flaw::kBadDescription), ErrorCode::kConfig,
                      "the model describes itself inconsistently: .*MSI");
}

TEST(TlmElab, UnboundPortFailsAtTheEndOfElaboration) {
  EXPECT_CHILD_STATUS(flawed_status(Flaw::kUnboundPort), ErrorCode::kConfig,
                      "the model failed to elaborate: .*port not bound.*flawed.extra");
}

TEST(TlmElab, ConstructorThatThrows) {
  EXPECT_CHILD_STATUS(flawed_status(Flaw::kThrows), ErrorCode::kConfig,
                      "the model failed to elaborate: flawed model: constructor gave up");
}

TEST(TlmElab, ConstructorThatReportsASystemCError) {
  EXPECT_CHILD_STATUS(flawed_status(Flaw::kReportsError), ErrorCode::kConfig,
                      "the model failed to elaborate: flawed-model: cannot open the model's data file");
}

TEST(TlmElab, FactoryErrorsPassThrough) {
  auto factory_error = [] {
    auto d = TlmDevice::create("x", [] { return Result<std::unique_ptr<TlmModel>>(Status{ErrorCode::kConfig, "option x='y' is bad"}); }, quiet());
    return d ? Status{} : d.status();
  };
  EXPECT_CHILD_STATUS(factory_error(), ErrorCode::kConfig, "status: configuration error: option x='y' is bad\n");
}

TEST(TlmElab, ASecondElaborationIsRefused) {
  auto second = [] {
    auto first = make_good();
    if (!first) return Status{ErrorCode::kInternal, "the first elaboration failed: " + first.status().message()};
    auto again = make_good();
    return again ? Status{} : again.status();
  };
  EXPECT_CHILD_STATUS(second(), ErrorCode::kConfig, "already elaborated a SystemC simulation, and SystemC cannot be restarted");
}

TEST(TlmElab, NothingElaboratesAfterAFailedElaboration) {
  auto after_failure = [] {
    (void)make_flawed(Flaw::kUnboundPort);
    auto d = make_good();
    return d ? Status{} : d.status();
  };
  EXPECT_CHILD_STATUS(after_failure(), ErrorCode::kConfig, "already elaborated");
}

// ---- Through the registry, as cosim-host makes models -----------------------------------

TEST(TlmElabRegistry, UnknownModelListsTheKnownOnes) {
  register_native_models();
  register_tlm_models();
  auto spec = parse_model_spec("tlm:nope");
  ASSERT_TRUE(spec);
  auto d = ModelRegistry::instance().create(*spec, {});
  ASSERT_FALSE(d);
  EXPECT_EQ(d.status().code(), ErrorCode::kConfig);
  EXPECT_NE(d.status().message().find("unknown model 'tlm:nope' (known: "), std::string::npos) << d.status().message();
  EXPECT_NE(d.status().message().find("tlm:epf-test"), std::string::npos) << d.status().message();
}

TEST(TlmElabRegistry, BadParametersFailBeforeElaboration) {
  register_tlm_models();
  struct Case {
    const char* params;
    const char* message;
  } cases[] = {
      {"dma_bw=fast", "tlm:epf-test: epf-test option dma_bw='fast': must be a positive number of bytes per ns"},
      {"crc_bw=0", "epf-test option crc_bw='0'"},
      {"reg_latency=10", "epf-test option reg_latency='10': must be a duration"},
      {"quantum=1 us", "tlm:epf-test: option quantum='1 us': must be a duration"},
      {"access_timeout=0s", "option access_timeout='0s': must be a positive duration"},
      {"bar0=100", "epf-test option bar0='100'"},
      {"colour=blue", "no option 'colour' (given 'blue'); options are vendor, device, subsystem_vendor, subsystem, "
                      "revision, class, bar0..bar5, bar1_kind..bar5_kind, msi, msix, intx, seed, reg_latency, dma_bw, crc_bw, quantum, "
                      "access_timeout"},
  };
  for (const Case& c : cases) {
    auto spec = parse_model_spec("tlm:epf-test", c.params);
    ASSERT_TRUE(spec) << c.params;
    auto d = ModelRegistry::instance().create(*spec, {});
    ASSERT_FALSE(d) << c.params;
    EXPECT_EQ(d.status().code(), ErrorCode::kConfig) << c.params;
    EXPECT_NE(d.status().message().find(c.message), std::string::npos) << c.params << ": " << d.status().message();
  }
  // None of them elaborated: this process can still build the model.
  EXPECT_EQ(sc_core::sc_get_status(), sc_core::SC_ELABORATION);
}

}  // namespace
}  // namespace cosim::sc::testing
