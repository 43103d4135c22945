// Plug-ins for the loader tests, one per COSIM_TEST_PLUGIN value:
//   good          models "echo" (native), "echo-tlm" (TLM), "bad-desc" (native,
//                 describes itself inconsistently)
//   api2          built for plug-in API 2.0
//   newer_minor   built for plug-in API 1.<host minor + 1>
//   no_entry      exports no entry point
//   empty         offers no models
//   two_factories a model with neither factory set
#include <cstring>

#include "cosim/plugin.h"

#define COSIM_TEST_PLUGIN_IS(x) (COSIM_TEST_PLUGIN_##x == COSIM_TEST_PLUGIN)
#define COSIM_TEST_PLUGIN_good 1
#define COSIM_TEST_PLUGIN_api2 2
#define COSIM_TEST_PLUGIN_newer_minor 3
#define COSIM_TEST_PLUGIN_no_entry 4
#define COSIM_TEST_PLUGIN_empty 5
#define COSIM_TEST_PLUGIN_two_factories 6

#if COSIM_TEST_PLUGIN_IS(good)
#include "test_model.h"
#endif

namespace {

// 16 bytes of BAR0 memory.
class Echo final : public cosim::Device {
 public:
  explicit Echo(bool consistent) {
    desc_.name = "echo";
    desc_.vendor_id = 0x1234;
    desc_.device_id = 0xec40;
    desc_.bars[0] = {16, cosim::BarKind::kMem32, false};
    desc_.msi_vectors = consistent ? 1 : 3;  // 3 is not a power of two
  }
  const cosim::DeviceDescription& description() const override { return desc_; }
  void attach(cosim::HostPort*) override {}
  cosim::Status bar_read(unsigned bar, uint64_t offset, unsigned size, uint64_t& value) override {
    if (cosim::Status s = cosim::check_bar_access(desc_, bar, offset, size); !s) return s;
    value = 0;
    std::memcpy(&value, mem_ + offset, size);
    return {};
  }
  cosim::Status bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) override {
    if (cosim::Status s = cosim::check_bar_access(desc_, bar, offset, size); !s) return s;
    std::memcpy(mem_ + offset, &value, size);
    return {};
  }
  void reset(cosim::ResetKind) override { std::memset(mem_, 0, sizeof mem_); }

 private:
  cosim::DeviceDescription desc_;
  uint8_t mem_[16] = {};
};

[[maybe_unused]] cosim::Result<std::unique_ptr<cosim::Device>> make_echo(const cosim::ModelParams& params,
                                                                         const cosim::LogSink&) {
  if (!params.empty())
    return cosim::Status{cosim::ErrorCode::kConfig, "echo has no option '" + params.begin()->first + "'"};
  return std::unique_ptr<cosim::Device>(new Echo(true));
}

[[maybe_unused]] cosim::Result<std::unique_ptr<cosim::Device>> make_bad_desc(const cosim::ModelParams&,
                                                                             const cosim::LogSink&) {
  return std::unique_ptr<cosim::Device>(new Echo(false));
}

#if COSIM_TEST_PLUGIN_IS(good)
cosim::Result<std::unique_ptr<cosim::sc::TlmModel>> make_echo_tlm(const cosim::ModelParams&, const cosim::LogSink&) {
  return std::unique_ptr<cosim::sc::TlmModel>(new cosim::sc::testing::TestModel("echo_tlm"));
}
const cosim::plugin::Model kModels[] = {
    {"echo", "16 bytes of memory", &make_echo, nullptr},
    {"echo-tlm", "the adapter's test model", nullptr, &make_echo_tlm},
    {"bad-desc", "a device whose description is inconsistent", &make_bad_desc, nullptr},
};
}  // namespace
COSIM_PLUGIN("test-good", "0.0.1", kModels)

#elif COSIM_TEST_PLUGIN_IS(api2) || COSIM_TEST_PLUGIN_IS(newer_minor)
const cosim::plugin::Model kModels[] = {{"echo", "16 bytes of memory", &make_echo, nullptr}};
const cosim::plugin::Plugin kPlugin{"test-version", "0.0.1", kModels, 1};
}  // namespace
extern "C" __attribute__((visibility("default"))) uint32_t cosim_plugin_api_version(void) {
#if COSIM_TEST_PLUGIN_IS(api2)
  return 2u << 16;
#else
  return cosim::plugin::kApiMajor << 16 | (cosim::plugin::kApiMinor + 1);
#endif
}
extern "C" __attribute__((visibility("default"))) const cosim::plugin::Plugin* cosim_plugin(void) { return &kPlugin; }

#elif COSIM_TEST_PLUGIN_IS(no_entry)
}  // namespace
extern "C" __attribute__((visibility("default"))) int not_a_cosim_entry(void) { return 0; }

#elif COSIM_TEST_PLUGIN_IS(empty)
const cosim::plugin::Plugin kPlugin{"test-empty", "0.0.1", nullptr, 0};
}  // namespace
extern "C" __attribute__((visibility("default"))) uint32_t cosim_plugin_api_version(void) {
  return cosim::plugin::kApiVersion;
}
extern "C" __attribute__((visibility("default"))) const cosim::plugin::Plugin* cosim_plugin(void) { return &kPlugin; }

#elif COSIM_TEST_PLUGIN_IS(two_factories)
const cosim::plugin::Model kModels[] = {{"nothing", "no factory at all", nullptr, nullptr}};
}  // namespace
COSIM_PLUGIN("test-two-factories", "0.0.1", kModels)

#else
#error "COSIM_TEST_PLUGIN names no variant"
#endif
