// Real peer processes for integration tests: a `cosim-host` child with its
// stderr in a log file, plus the small pieces every such test needs (a
// per-test temp dir, a free TCP port, a watchdog against hangs).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cosim::integration {

using std::chrono::milliseconds;

// A child process started with fork+exec, stdout and stderr appended to
// `log_path`. It is killed with the test process (PR_SET_PDEATHSIG) and, if
// still running, terminated by the destructor (SIGTERM, then SIGKILL).
class ChildProcess {
 public:
  ChildProcess(const std::string& program, const std::vector<std::string>& args, const std::string& log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  // Whether the child still runs (reaps it if it exited).
  bool running();
  // Waits up to `timeout` for the child to exit; its wait status, or nullopt.
  std::optional<int> wait_exit(milliseconds timeout);
  // SIGKILL now and reap: the peer vanishes without a goodbye.
  void kill_hard();
  // Sends `sig` and waits up to `timeout`; SIGKILL if it is still there.
  void stop(int sig, milliseconds timeout);
  // The log file's contents.
  std::string log() const;
  // Waits until the log contains `needle`; false if the child exited without
  // writing it or `timeout` passed.
  bool wait_for_log(const std::string& needle, milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string log_path_;
};

// "exited with 1", "killed by signal 9".
std::string describe_wait_status(int status);

// cosim-host options the tests vary.
struct HostOptions {
  std::string model = "native:epf-test";
  std::vector<std::string> params;  // --param values
  bool once = true;
  std::string name = "it-host";
  int heartbeat_timeout_ms = 0;  // 0: the host's default
};

// Starts `cosim-host --model .. --endpoint <endpoint> ..` and waits until it
// logs that it serves. On failure returns nullptr and puts why (with the log)
// into `error`.
std::unique_ptr<ChildProcess> start_host(const std::string& endpoint, const std::string& log_path,
                                         const HostOptions& options, std::string& error);

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0).
int free_tcp_port();

// mkdtemp() under /tmp (short: ipc:// paths are limited to ~100 bytes);
// removed with its contents by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Aborts the test process (with a message naming `what` and the log) if it is
// not destroyed within `limit`: a hang inside the bridge must fail the test
// with a reason, not wait for ctest's kill.
class Watchdog {
 public:
  Watchdog(std::string what, milliseconds limit, std::string log_hint);
  ~Watchdog();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// Directory for one test's logs: COSIM_TEST_LOG_DIR/<suite>.<test> (emptied).
std::string test_log_dir();

}  // namespace cosim::integration
