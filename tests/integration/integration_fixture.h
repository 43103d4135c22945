// Test-bench base class for the two-process tests: a temp dir for ipc
// sockets, a log dir kept under the build tree (every failure message names
// it), cosim-host children and frontend connections.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <ostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cosim/bridge/session.h"
#include "cosim/bridge/transport.h"
#include "host_process.h"

namespace cosim::integration {

enum class Net { kIpc, kTcp, kUnix };
inline const char* to_string(Net n) { return n == Net::kIpc ? "ipc" : n == Net::kTcp ? "tcp" : "unix"; }
// Test names and ctest names show "ipc"/"tcp", not the enum's bytes.
inline void PrintTo(Net n, std::ostream* os) { *os << to_string(n); }

struct Host {
  ChildProcess* process = nullptr;
  std::string endpoint;
};

class IntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_dir_ = test_log_dir();
    tmp_ = std::make_unique<TempDir>();
    frontend_log_.open(log_dir_ + "/frontend.log");
    trace_.emplace(__FILE__, __LINE__, "logs of this test: " + log_dir_);
  }

  void TearDown() override {
    if (HasFailure()) {
      for (auto& h : hosts_) {
        std::fprintf(stderr, "---- %s ----\n%s", h->log_path().c_str(), tail(h->log(), 40).c_str());
      }
      std::fprintf(stderr, "---- frontend log: %s/frontend.log ----\n", log_dir_.c_str());
    }
    hosts_.clear();  // stops hosts still running
    trace_.reset();
  }

  std::string ipc_endpoint(const std::string& name) const { return "ipc://" + tmp_->path() + "/" + name + ".sock"; }
  std::string unix_endpoint(const std::string& name) const { return "unix://" + tmp_->path() + "/" + name + ".sock"; }

  // Starts cosim-host on a fresh endpoint of kind `net`; its log goes to
  // <log dir>/<tag>.log. A TCP port taken by someone else between our probe
  // and the host's bind is retried with another port.
  void start_host(Net net, const HostOptions& options, Host& out, const std::string& tag = "host") {
    std::string error;
    for (int attempt = 0; attempt < 3; ++attempt) {
      const std::string ep = net == Net::kIpc    ? ipc_endpoint(tag)
                             : net == Net::kUnix ? unix_endpoint(tag)
                                                 : "tcp://127.0.0.1:" + std::to_string(free_tcp_port());
      const std::string log = log_dir_ + "/" + tag + (attempt ? "-" + std::to_string(attempt) : "") + ".log";
      if (auto p = cosim::integration::start_host(ep, log, options, error)) {
        hosts_.push_back(std::move(p));
        out = {hosts_.back().get(), ep};
        return;
      }
      if (net != Net::kTcp || error.find("cannot listen") == std::string::npos) break;
    }
    FAIL() << error;
  }

  SessionOptions session_options(const std::string& name = "it-frontend") {
    SessionOptions o;
    o.peer_name = name;
    o.log = [this](LogLevel level, const std::string& text) {
      static const char* names[] = {"error", "warning", "info", "debug"};
      frontend_log_ << names[static_cast<int>(level)] << ": " << text << std::endl;
      frontend_lines_.push_back(text);
    };
    return o;
  }

  // connect_transport + RemoteDevice::connect; transport errors become a Status.
  Result<std::unique_ptr<RemoteDevice>> connect(const std::string& endpoint, TransportOptions topts = {},
                                                std::optional<SessionOptions> sopts = std::nullopt) {
    try {
      return RemoteDevice::connect(connect_transport(endpoint, topts), sopts ? *sopts : session_options());
    } catch (const BridgeError& e) {
      return e.status();
    }
  }

  static std::string tail(const std::string& text, size_t lines) {
    size_t pos = text.size();
    for (size_t n = 0; n <= lines; ++n) {
      if (pos == 0) return text;
      pos = text.rfind('\n', pos - 1);
      if (pos == std::string::npos) return text;
    }
    return text.substr(pos + 1);
  }

  std::string log_dir_;
  std::unique_ptr<TempDir> tmp_;
  std::ofstream frontend_log_;
  std::vector<std::string> frontend_lines_;
  std::optional<::testing::ScopedTrace> trace_;
  std::vector<std::unique_ptr<ChildProcess>> hosts_;
};

}  // namespace cosim::integration
