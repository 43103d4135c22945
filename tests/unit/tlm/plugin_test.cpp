// `--model plugin:...`: finding a plug-in by path and by name, choosing one of
// its models, and every way of refusing one (version mismatch, no entry point,
// not a shared object, no models, a broken model table, an inconsistent
// device). The TLM model of a plug-in elaborates in a child process. Suites
// are named TlmPlugin*.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "cosim/plugin.h"
#include "model_registry.h"

namespace cosim {
namespace {

const std::string kDir = COSIM_TEST_PLUGIN_DIR;
std::string plugin_path(const std::string& variant) { return kDir + "/libcosim-test-plugin-" + variant + ".so"; }

class TlmPlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    register_plugin_models();
    unsetenv("COSIM_PLUGIN_PATH");
  }
  Result<std::unique_ptr<Device>> make(const std::string& spec, const std::string& params = "") {
    auto s = parse_model_spec(spec, params);
    if (!s) return s.status();
    return ModelRegistry::instance().create(*s, {});
  }
  // The Status of a failed make(), checked for its code and message.
  void expect_error(const std::string& spec, ErrorCode code, const std::string& needle) {
    auto d = make(spec);
    ASSERT_FALSE(d) << spec << " was accepted";
    EXPECT_EQ(d.status().code(), code) << d.status().to_string();
    EXPECT_NE(d.status().message().find(needle), std::string::npos) << d.status().message();
  }
};

TEST_F(TlmPlugin, NativeModelByPath) {
  auto d = make("plugin:" + plugin_path("good") + "#echo");
  ASSERT_TRUE(d) << d.status().to_string();
  EXPECT_EQ((*d)->description().device_id, 0xec40);
  ASSERT_TRUE((*d)->bar_write(0, 8, 8, 0x1122334455667788ull).is_ok());
  uint64_t v = 0;
  ASSERT_TRUE((*d)->bar_read(0, 12, 4, v).is_ok());
  EXPECT_EQ(v, 0x11223344u);
  EXPECT_EQ((*d)->bar_read(0, 16, 4, v).code(), ErrorCode::kBadOffset);
}

TEST_F(TlmPlugin, ByNameOnCosimPluginPath) {
  setenv("COSIM_PLUGIN_PATH", ("/nonexistent:" + kDir).c_str(), 1);
  auto d = make("plugin:test-plugin-good#echo");
  ASSERT_TRUE(d) << d.status().to_string();
  EXPECT_EQ((*d)->description().name, "echo");
}

TEST_F(TlmPlugin, NotFoundByNameListsWhereItLooked) {
  setenv("COSIM_PLUGIN_PATH", "/nonexistent/a:/nonexistent/b", 1);
  expect_error("plugin:no-such", ErrorCode::kConfig,
               "plug-in 'no-such' not found: no libcosim-no-such.so in /nonexistent/a, /nonexistent/b, ");
}

TEST_F(TlmPlugin, MissingFileByPath) {
  expect_error("plugin:/nonexistent/libcosim-x.so", ErrorCode::kConfig, "plug-in file '/nonexistent/libcosim-x.so' does not exist");
}

TEST_F(TlmPlugin, ParametersReachTheModel) {
  auto d = make("plugin:" + plugin_path("good") + "#echo", "colour=red");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.status().message(), "plugin:" + plugin_path("good") + "#echo: echo has no option 'colour'");
}

TEST_F(TlmPlugin, SeveralModelsNeedAChoice) {
  expect_error("plugin:" + plugin_path("good"), ErrorCode::kConfig,
               "offers several models (echo, echo-tlm, bad-desc): choose one with plugin:" + plugin_path("good") +
                   "#<model>");
  expect_error("plugin:" + plugin_path("good") + "#nope", ErrorCode::kConfig,
               "has no model 'nope' (it offers echo, echo-tlm, bad-desc)");
  expect_error("plugin:#echo", ErrorCode::kConfig, "'#echo' is not of the form <name or path>[#<model>]");
}

TEST_F(TlmPlugin, MajorVersionMismatchIsRefusedNamingBoth) {
  expect_error("plugin:" + plugin_path("api2"), ErrorCode::kVersionMismatch,
               "was built for plug-in API 2.0; this cosim-host implements plug-in API 1.0: rebuild the plug-in");
}

TEST_F(TlmPlugin, NewerMinorVersionIsRefused) {
  expect_error("plugin:" + plugin_path("newer_minor"), ErrorCode::kVersionMismatch,
               "was built for plug-in API 1." + std::to_string(plugin::kApiMinor + 1) +
                   "; this cosim-host implements plug-in API 1." + std::to_string(plugin::kApiMinor));
}

TEST_F(TlmPlugin, SharedObjectWithoutEntryPoint) {
  expect_error("plugin:" + plugin_path("no_entry"), ErrorCode::kConfig,
               "is not a cosim plug-in: it exports no cosim_plugin_api_version()");
}

TEST_F(TlmPlugin, NotASharedObject) {
  const std::string fake =
      (std::filesystem::path(::testing::TempDir()) / ("libcosim-fake-" + std::to_string(getpid()) + ".so"))
          .lexically_normal()
          .string();
  std::ofstream(fake) << "not an ELF file\n";
  expect_error("plugin:" + fake, ErrorCode::kConfig, "cannot load plug-in: " + fake);
  std::filesystem::remove(fake);
}

TEST_F(TlmPlugin, PluginWithoutModels) {
  expect_error("plugin:" + plugin_path("empty"), ErrorCode::kConfig, "offers no models");
}

TEST_F(TlmPlugin, ModelWithoutAFactory) {
  expect_error("plugin:" + plugin_path("two_factories"), ErrorCode::kConfig,
               "model 'nothing' must have exactly one factory, native or tlm");
}

TEST_F(TlmPlugin, NativeDeviceWithAnInconsistentDescription) {
  expect_error("plugin:" + plugin_path("good") + "#bad-desc", ErrorCode::kConfig,
               "model 'bad-desc' describes itself inconsistently");
}

TEST_F(TlmPlugin, ListedAsAKindOfModel) {
  bool found = false;
  for (const std::string& line : ModelRegistry::instance().list())
    found = found || line.starts_with("plugin:<name or path>[#<model>]");
  EXPECT_TRUE(found);
}

// Elaborates, so it runs in a child process.
TEST_F(TlmPlugin, TlmModelOfAPluginRunsInTheAdapter) {
  EXPECT_EXIT(
      {
        auto d = make("plugin:" + plugin_path("good") + "#echo-tlm", "quantum=100ns");
        if (!d) {
          std::fprintf(stderr, "%s\n", d.status().to_string().c_str());
          std::_Exit(1);
        }
        uint64_t v = 0;
        const bool ok = (*d)->bar_write(0, 0x10, 4, 0xfeed).is_ok() && (*d)->bar_read(0, 0x10, 4, v).is_ok() &&
                        v == 0xfeed && (*d)->description().name == "test-model";
        std::fprintf(stderr, "tlm plug-in model: %s\n", ok ? "works" : "broken");
        std::_Exit(ok ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "tlm plug-in model: works");
}

}  // namespace
}  // namespace cosim
