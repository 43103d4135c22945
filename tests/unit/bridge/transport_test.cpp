// Transports: loopback, ZeroMQ (inproc, ipc, tcp) and direct Unix sockets
// (unix://) move frames in order, refuse bad endpoints naming them, answer a
// second peer with the busy reply, report a killed or frozen peer in bounded
// time, and do not mistake a busy peer for a lost one.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "cosim/bridge/protocol.h"
#include "cosim/bridge/transport.h"

namespace cosim {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Socket files of this test program, removed when it ends: a killed host (or
// a ZeroMQ socket) leaves its file behind.
std::vector<std::string>& socket_files() {
  static std::vector<std::string> files;
  return files;
}
class RemoveSocketFiles : public ::testing::Environment {
 public:
  void TearDown() override {
    for (const std::string& f : socket_files()) ::unlink(f.c_str());
  }
};
[[maybe_unused]] ::testing::Environment* const kRemoveSocketFiles =
    ::testing::AddGlobalTestEnvironment(new RemoveSocketFiles);

std::string temp_path(const char* tag) {
  std::string path = "/tmp/cosim-transport-test-" + std::to_string(getpid()) + "-" + tag;
  socket_files().push_back(path);
  return path;
}
std::string temp_ipc(const char* tag) { return "ipc://" + temp_path(tag); }
std::string temp_unix(const char* tag) { return "unix://" + temp_path(tag); }

// A test parameter's endpoint: "ipc" and "unix" become fresh socket paths.
std::string endpoint_of(const std::string& param, const char* tag) {
  if (param == "ipc") return temp_ipc(tag);
  if (param == "unix") return temp_unix(tag);
  return param;
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.find(':'));
  return name;
}

void exchange(Transport& a, Transport& b) {
  for (int i = 0; i < 100; ++i) a.send(Bytes(static_cast<size_t>(i + 1), static_cast<uint8_t>(i)));
  for (int i = 0; i < 100; ++i) {
    auto f = b.recv(2s);
    ASSERT_TRUE(f);
    ASSERT_EQ(f->size(), static_cast<size_t>(i + 1));
    EXPECT_EQ((*f)[0], static_cast<uint8_t>(i));
  }
  b.send(Bytes{9, 9});
  auto back = a.recv(2s);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, (Bytes{9, 9}));
}

// The code of a BridgeError thrown by `f`, or kOk if it returned.
template <typename F>
ErrorCode code_of(F&& f, std::string* what = nullptr) {
  try {
    f();
  } catch (const BridgeError& e) {
    if (what) *what = e.what();
    return e.status().code();
  }
  return ErrorCode::kOk;
}

TEST(Loopback, MovesFramesInOrderAndReportsClose) {
  auto [a, b] = make_loopback_pair();
  exchange(*a, *b);
  EXPECT_FALSE(a->recv(10ms));
  b.reset();
  EXPECT_TRUE(a->peer_lost());
  EXPECT_THROW(a->send(Bytes{1}), BridgeError);
}

// ---- every socket transport ---------------------------------------------------------

class Endpoints : public ::testing::TestWithParam<std::string> {};

TEST_P(Endpoints, FirstFrameAcceptsThenFramesFlowBothWays) {
  const std::string ep = endpoint_of(GetParam(), "flow");
  auto listener = listen_transport(ep);
  auto client = connect_transport(ep);
  client->send(Bytes{42});
  auto server = listener->accept(2s);
  ASSERT_TRUE(server);
  auto first = server->recv(1s);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, Bytes{42});
  exchange(*client, *server);
  exchange(*server, *client);
}

// Both sides send many frames of the largest protocol size before either reads:
// a transport whose send blocks on a full socket must keep reading meanwhile,
// or the two would wait for each other forever.
TEST_P(Endpoints, LargeFramesBothWaysAtOnceNeitherDeadlockNorReorder) {
  const std::string ep = endpoint_of(GetParam(), "large");
  auto listener = listen_transport(ep);
  auto client = connect_transport(ep);
  client->send(Bytes{1});
  auto server = listener->accept(2s);
  ASSERT_TRUE(server);
  ASSERT_EQ(server->recv(2s), Bytes{1});
  constexpr int kFrames = 12;
  auto frame = [](int i, uint8_t side) {
    Bytes f(proto::kMaxFrameBytes - static_cast<size_t>(i));
    for (size_t k = 0; k < f.size(); k += 4093) f[k] = static_cast<uint8_t>(k * 7 + static_cast<size_t>(i) + side);
    f.back() = side;
    return f;
  };
  auto run = [&](Transport& t, uint8_t mine, uint8_t theirs, std::string& error) {
    try {
      for (int i = 0; i < kFrames; ++i) t.send(frame(i, mine));
      for (int i = 0; i < kFrames; ++i) {
        auto f = t.recv(20s);
        if (!f) return void(error = "frame " + std::to_string(i) + " did not arrive");
        if (*f != frame(i, theirs)) return void(error = "frame " + std::to_string(i) + " differs");
      }
    } catch (const BridgeError& e) {
      error = e.what();
    }
  };
  std::string client_error, server_error;
  std::thread other([&] { run(*server, 2, 1, server_error); });
  run(*client, 1, 2, client_error);
  other.join();
  EXPECT_EQ(client_error, "");
  EXPECT_EQ(server_error, "");
}

INSTANTIATE_TEST_SUITE_P(Transports, Endpoints,
                         ::testing::Values("inproc://cosim-transport-test", "ipc", "tcp://127.0.0.1:47211", "unix"),
                         param_name);

TEST(Transport, BadEndpointsAreNamed) {
  try {
    listen_transport("udp://x");
    FAIL();
  } catch (const BridgeError& e) {
    EXPECT_EQ(e.status().code(), ErrorCode::kConfig);
    EXPECT_NE(std::string(e.what()).find("udp://x"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("unix://"), std::string::npos) << "lists the schemes";
  }
  try {
    listen_transport("tcp://0.0.0.0:47212");
    FAIL();
  } catch (const BridgeError& e) {
    EXPECT_EQ(e.status().code(), ErrorCode::kConfig);
    EXPECT_NE(std::string(e.what()).find("loopback"), std::string::npos);
  }
}

// ---- the two transports of one machine: ipc:// (ZeroMQ) and unix:// (direct) -------

class LocalSockets : public ::testing::TestWithParam<std::string> {
 protected:
  // Liveness settings of every peer in these tests: a frozen peer is reported
  // after about a second.
  static TransportOptions fast_heartbeat() {
    TransportOptions o;
    o.connect_timeout = 3s;
    o.heartbeat_interval = 100ms;
    o.heartbeat_timeout = 1000ms;
    return o;
  }
  std::string ep(const char* tag) const { return endpoint_of(GetParam(), tag); }
};

TEST_P(LocalSockets, ConnectToNobodyTimesOutNamingTheEndpoint) {
  TransportOptions o;
  o.connect_timeout = 300ms;
  const std::string endpoint = ep("nobody");
  const auto t0 = Clock::now();
  try {
    connect_transport(endpoint, o);
    FAIL();
  } catch (const BridgeError& e) {
    EXPECT_EQ(e.status().code(), ErrorCode::kTimeout);
    EXPECT_NE(std::string(e.what()).find(endpoint), std::string::npos);
  }
  EXPECT_LT(Clock::now() - t0, 3s);
}

TEST_P(LocalSockets, SecondPeerGetsTheBusyReply) {
  const std::string endpoint = ep("busy");
  auto listener = listen_transport(endpoint);
  listener->set_busy_reply(Bytes{0xb5});
  auto first = connect_transport(endpoint);
  first->send(Bytes{1});
  auto session = listener->accept(2s);
  ASSERT_TRUE(session);
  ASSERT_EQ(session->recv(1s), Bytes{1});
  auto second = connect_transport(endpoint);
  second->send(Bytes{2});
  // The first peer sent nothing more, so nothing reaches the session (ZeroMQ:
  // the session's recv loop is what answers other peers).
  EXPECT_FALSE(session->recv(200ms));
  auto reply = second->recv(2s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(*reply, Bytes{0xb5});
  // The session is undisturbed.
  first->send(Bytes{3});
  EXPECT_EQ(session->recv(2s), Bytes{3});
}

// After a session ends, the next peer is served.
TEST_P(LocalSockets, NextPeerIsServedAfterTheSessionEnds) {
  const std::string endpoint = ep("next");
  auto listener = listen_transport(endpoint);
  listener->set_busy_reply(Bytes{0xb5});
  for (uint8_t round = 1; round <= 3; ++round) {
    auto client = connect_transport(endpoint);
    client->send(Bytes{round});
    auto session = listener->accept(2s);
    ASSERT_TRUE(session) << "round " << int{round};
    ASSERT_EQ(session->recv(2s), Bytes{round});
    session->send(Bytes{static_cast<uint8_t>(round + 100)});
    ASSERT_EQ(client->recv(2s), Bytes{static_cast<uint8_t>(round + 100)});
  }
}

// A host process killed with SIGKILL: the client notices at once instead of
// waiting forever.
TEST_P(LocalSockets, KilledHostIsReportedAsPeerLost) {
  const std::string endpoint = ep("kill");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto listener = listen_transport(endpoint);
    auto s = listener->accept(5s);
    if (s) (void)s->recv(5s);  // then hang, until killed
    pause();
    _exit(0);
  }
  auto client = connect_transport(endpoint, fast_heartbeat());
  client->send(Bytes{1});
  std::this_thread::sleep_for(200ms);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  const auto t0 = Clock::now();
  try {
    (void)client->recv(10s);
    FAIL() << "recv returned instead of reporting the lost peer";
  } catch (const BridgeError& e) {
    EXPECT_EQ(e.status().code(), ErrorCode::kPeerLost);
    EXPECT_NE(std::string(e.what()).find(endpoint), std::string::npos);
  }
  EXPECT_LT(Clock::now() - t0, 3s);
  EXPECT_TRUE(client->peer_lost());
}

// A host that stops answering (SIGSTOP) but keeps its socket open: only the
// heartbeat can tell.
TEST_P(LocalSockets, FrozenHostIsReportedAfterTheHeartbeatTimeout) {
  const std::string endpoint = ep("frozen");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto listener = listen_transport(endpoint, fast_heartbeat());
    auto s = listener->accept(5s);
    if (s) (void)s->recv(5s);
    pause();
    _exit(0);
  }
  auto client = connect_transport(endpoint, fast_heartbeat());
  client->send(Bytes{1});
  std::this_thread::sleep_for(300ms);
  kill(child, SIGSTOP);
  const auto t0 = Clock::now();
  bool lost = false;
  std::string what;
  try {
    (void)client->recv(10s);
  } catch (const BridgeError& e) {
    lost = e.status().code() == ErrorCode::kPeerLost;
    what = e.what();
  }
  const auto waited = Clock::now() - t0;
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_TRUE(lost);
  EXPECT_LT(waited, 5s);
  if (GetParam() == "unix") {
    EXPECT_NE(what.find(endpoint), std::string::npos) << what;
    EXPECT_NE(what.find("heartbeat"), std::string::npos) << what;
  }
}

// A host whose thread is inside a long simulation step (it neither reads nor
// writes the transport for 3x the heartbeat timeout) is alive: the client waits.
TEST_P(LocalSockets, BusyHostThatDoesNotReadIsNotLost) {
  const std::string endpoint = ep("busyhost");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto listener = listen_transport(endpoint, fast_heartbeat());
    auto s = listener->accept(5s);
    if (!s || !s->recv(5s)) _exit(1);
    std::this_thread::sleep_for(3 * fast_heartbeat().heartbeat_timeout);  // "simulating"
    s->send(Bytes{7});
    pause();
    _exit(0);
  }
  auto client = connect_transport(endpoint, fast_heartbeat());
  client->send(Bytes{1});
  std::optional<Bytes> reply;
  const auto t0 = Clock::now();
  std::string what;
  const ErrorCode code = code_of([&] { reply = client->recv(15s); }, &what);
  const auto waited = Clock::now() - t0;
  const bool lost = client->peer_lost();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(code, ErrorCode::kOk) << what;
  EXPECT_EQ(reply, Bytes{7});
  EXPECT_GT(waited, 2s);
  EXPECT_FALSE(lost);
}

// The frontend side of the same: a client that does not read for 3x the
// heartbeat timeout (QEMU paused in a debugger's breakpoint handler, say) is
// not declared lost by the host.
TEST_P(LocalSockets, BusyFrontendThatDoesNotReadIsNotLost) {
  const std::string endpoint = ep("busyfront");
  pid_t child = fork();  // before any listener exists: the child inherits no sockets
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      auto client = connect_transport(endpoint, fast_heartbeat());
      client->send(Bytes{1});
      std::this_thread::sleep_for(3 * fast_heartbeat().heartbeat_timeout);
      client->send(Bytes{2});
      auto ack = client->recv(10s);
      _exit(ack && *ack == Bytes{3} ? 0 : 1);
    } catch (...) {
      _exit(2);
    }
  }
  auto listener = listen_transport(endpoint, fast_heartbeat());
  auto session = listener->accept(5s);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->recv(5s), Bytes{1});
  std::optional<Bytes> second;
  std::string what;
  const ErrorCode code = code_of([&] { second = session->recv(15s); }, &what);
  EXPECT_EQ(code, ErrorCode::kOk) << what;
  EXPECT_EQ(second, Bytes{2});
  if (code == ErrorCode::kOk) session->send(Bytes{3});
  int status = -1;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
}

// The host's view of a frontend killed mid-session, and of a frozen one.
TEST_P(LocalSockets, KilledFrontendIsReportedToTheHost) {
  const std::string endpoint = ep("killfront");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      auto client = connect_transport(endpoint, fast_heartbeat());
      client->send(Bytes{1});
    } catch (...) {
    }
    pause();
    _exit(0);
  }
  auto listener = listen_transport(endpoint, fast_heartbeat());
  auto session = listener->accept(5s);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->recv(5s), Bytes{1});
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  const auto t0 = Clock::now();
  std::string what;
  EXPECT_EQ(code_of([&] { (void)session->recv(10s); }, &what), ErrorCode::kPeerLost);
  EXPECT_NE(what.find(endpoint), std::string::npos) << what;
  EXPECT_LT(Clock::now() - t0, 3s);
}

TEST_P(LocalSockets, FrozenFrontendIsReportedAfterTheHeartbeatTimeout) {
  const std::string endpoint = ep("frozenfront");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      auto client = connect_transport(endpoint, fast_heartbeat());
      client->send(Bytes{1});
    } catch (...) {
    }
    pause();
    _exit(0);
  }
  auto listener = listen_transport(endpoint, fast_heartbeat());
  auto session = listener->accept(5s);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->recv(5s), Bytes{1});
  std::this_thread::sleep_for(300ms);
  kill(child, SIGSTOP);
  const auto t0 = Clock::now();
  std::string what;
  const ErrorCode code = code_of([&] { (void)session->recv(10s); }, &what);
  const auto waited = Clock::now() - t0;
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(code, ErrorCode::kPeerLost) << what;
  EXPECT_LT(waited, 5s);
}

INSTANTIATE_TEST_SUITE_P(Transports, LocalSockets, ::testing::Values("ipc", "unix"), param_name);

// ---- unix:// only ------------------------------------------------------------------

std::string config_error(const std::function<void()>& f) {
  std::string what;
  const ErrorCode code = code_of(f, &what);
  EXPECT_EQ(code, ErrorCode::kConfig) << what;
  return what;
}

bool contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// Both peers stopped together for longer than the heartbeat timeout (a
// loaded machine, a paused VM; here: this whole process, frontend and host,
// stopped by SIGSTOP) is no news about either of them: whichever heartbeat
// thread wakes first has heard nothing only because the other was stopped
// too. The session must survive; only silence while awake counts.
TEST(Unix, AStallOfBothPeersIsNotAPeerLoss) {
  TransportOptions o;
  o.connect_timeout = 3s;
  o.heartbeat_interval = 100ms;
  o.heartbeat_timeout = 1000ms;
  const std::string endpoint = temp_unix("stall");
  auto listener = listen_transport(endpoint, o);
  auto client = connect_transport(endpoint, o);
  client->send(Bytes{1});
  auto server = listener->accept(2s);
  ASSERT_TRUE(server);
  ASSERT_TRUE(server->recv(1s));
  for (int round = 0; round < 3; ++round) {
    const pid_t parent = getpid();
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {  // async-signal-safe calls only
      ::kill(parent, SIGSTOP);
      ::usleep(2500 * 1000);  // 2.5 heartbeat timeouts
      ::kill(parent, SIGCONT);
      ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    std::this_thread::sleep_for(1500ms);  // longer than the timeout, awake
    EXPECT_FALSE(client->peer_lost()) << "round " << round;
    EXPECT_FALSE(server->peer_lost()) << "round " << round;
    exchange(*client, *server);
    exchange(*server, *client);
  }
}

TEST(Unix, BadPathsAreRefusedNamingTheEndpoint) {
  std::string what = config_error([] { listen_transport("unix://"); });
  EXPECT_TRUE(contains(what, "unix://") && contains(what, "no socket path")) << what;

  const std::string too_long = "unix:///tmp/" + std::string(120, 'x');
  what = config_error([&] { listen_transport(too_long); });
  EXPECT_TRUE(contains(what, too_long) && contains(what, "107")) << what;
  what = config_error([&] { connect_transport(too_long); });
  EXPECT_TRUE(contains(what, too_long) && contains(what, "107")) << what;

  const std::string no_dir = "unix:///tmp/cosim-no-such-dir-" + std::to_string(getpid()) + "/sock";
  what = config_error([&] { listen_transport(no_dir); });
  EXPECT_TRUE(contains(what, no_dir) && contains(what, "does not exist")) << what;

  const std::string file = temp_path("plainfile");
  std::ofstream(file) << "x";
  what = config_error([&] { listen_transport("unix://" + file + "/sock"); });
  EXPECT_TRUE(contains(what, file)) << what;
  ::unlink(file.c_str());
}

TEST(Unix, APathThatIsNotASocketIsNotReplaced) {
  const std::string file = temp_path("notasocket");
  std::ofstream(file) << "precious";
  const std::string what = config_error([&] { listen_transport("unix://" + file); });
  EXPECT_TRUE(contains(what, file) && contains(what, "not a socket")) << what;
  std::ifstream in(file);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
  ::unlink(file.c_str());
}

// A socket file left by a killed host (nobody listens) is replaced.
TEST(Unix, AStaleSocketFileIsReplaced) {
  const std::string path = temp_path("stale");
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strcpy(a.sun_path, path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ::close(fd);  // the file stays, nobody listens
  struct stat st{};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  auto listener = listen_transport("unix://" + path);
  auto client = connect_transport("unix://" + path);
  client->send(Bytes{5});
  auto session = listener->accept(2s);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->recv(2s), Bytes{5});
}

// A live listener's socket is never taken over, and it removes its file when done.
TEST(Unix, ALiveListenerIsNotReplacedAndCleansUp) {
  const std::string endpoint = temp_unix("live");
  {
    auto first = listen_transport(endpoint);
    const std::string what = config_error([&] { listen_transport(endpoint); });
    EXPECT_TRUE(contains(what, endpoint) && contains(what, "already listening")) << what;
    auto client = connect_transport(endpoint);  // still the first one's
    client->send(Bytes{6});
    auto session = first->accept(2s);
    ASSERT_TRUE(session);
    EXPECT_EQ(session->recv(2s), Bytes{6});
  }
  struct stat st{};
  EXPECT_NE(::lstat(temp_path("live").c_str(), &st), 0) << "socket file left behind";
}

// An unprivileged host cannot create its socket in a directory it may not write.
TEST(Unix, PermissionErrorsNameTheEndpoint) {
  const std::string dir = temp_path("ro-dir");
  ASSERT_EQ(::mkdir(dir.c_str(), 0555), 0);
  const std::string endpoint = "unix://" + dir + "/sock";
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // As root, become nobody first so the directory's permissions apply.
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(3);
    std::string what;
    const ErrorCode code = code_of([&] { listen_transport(endpoint); }, &what);
    (void)!::write(pipefd[1], what.data(), what.size());
    _exit(code == ErrorCode::kConfig ? 0 : 1);
  }
  ::close(pipefd[1]);
  char buf[512] = {};
  const ssize_t n = ::read(pipefd[0], buf, sizeof buf - 1);
  ::close(pipefd[0]);
  int status = -1;
  waitpid(child, &status, 0);
  ::rmdir(dir.c_str());
  const std::string what(buf, n > 0 ? static_cast<size_t>(n) : 0);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  ASSERT_NE(WEXITSTATUS(status), 3) << "could not drop privileges";
  EXPECT_EQ(WEXITSTATUS(status), 0) << what;
  EXPECT_TRUE(contains(what, endpoint) && contains(what, "ermission")) << what;
}

// A unix:// client that reaches a ZeroMQ ipc:// socket is told so.
TEST(Unix, AZeroMqListenerIsRecognised) {
  const std::string path = temp_path("zmq");
  auto zmq_listener = listen_transport("ipc://" + path);
  TransportOptions o;
  o.connect_timeout = 2s;
  const std::string what = config_error([&] { connect_transport("unix://" + path, o); });
  EXPECT_TRUE(contains(what, "unix://" + path) && contains(what, "ipc://")) << what;
}

// ... and a ZeroMQ ipc:// client that reaches a unix:// host is turned away at
// once, instead of waiting for a handshake that never comes.
TEST(Unix, AZeroMqClientIsTurnedAwayAtOnce) {
  const std::string path = temp_path("zmqclient");
  auto listener = listen_transport("unix://" + path);
  auto client = connect_transport("ipc://" + path);
  const auto t0 = Clock::now();
  std::string what;
  EXPECT_EQ(code_of(
                [&] {
                  client->send(Bytes{1});
                  (void)client->recv(10s);
                },
                &what),
            ErrorCode::kPeerLost)
      << what;
  EXPECT_LT(Clock::now() - t0, 3s);
  EXPECT_FALSE(listener->accept(0ms)) << "not a session";
}

// notify_fd() is the data socket, level-triggered: readable while bytes wait,
// quiet once drained; has_pending() agrees.
TEST(Unix, NotifyFdIsReadableWhileFramesWait) {
  const std::string endpoint = temp_unix("notify");
  auto listener = listen_transport(endpoint);
  auto client = connect_transport(endpoint);
  client->send(Bytes{1});
  auto session = listener->accept(2s);
  ASSERT_TRUE(session);
  ASSERT_EQ(session->recv(2s), Bytes{1});
  auto readable = [&](int timeout_ms) {
    pollfd p{client->notify_fd(), POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) > 0;
  };
  EXPECT_FALSE(readable(0));
  EXPECT_FALSE(client->has_pending());
  session->send(Bytes{2});
  session->send(Bytes{3});
  EXPECT_TRUE(readable(2000));
  EXPECT_TRUE(client->has_pending());
  EXPECT_TRUE(client->has_pending()) << "asking twice does not consume anything";
  EXPECT_EQ(client->recv(0ms), Bytes{2});
  EXPECT_EQ(client->recv(0ms), Bytes{3});
  EXPECT_FALSE(client->recv(0ms));
  EXPECT_FALSE(readable(0));
  EXPECT_FALSE(client->has_pending());
  EXPECT_FALSE(client->peer_lost());
  session.reset();  // the host ends the session: the descriptor tells
  EXPECT_TRUE(readable(2000));
  EXPECT_TRUE(client->has_pending());
  EXPECT_EQ(code_of([&] { (void)client->recv(0ms); }), ErrorCode::kPeerLost);
  EXPECT_TRUE(client->peer_lost());
}

// A length prefix beyond the transport's limit is a corrupt stream: the host
// drops the connection and says why, naming the endpoint.
TEST(Unix, AnOversizedLengthPrefixDropsTheConnection) {
  const std::string path = temp_path("oversized");
  auto listener = listen_transport("unix://" + path);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strcpy(a.sun_path, path.c_str());
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  // The preamble of a data connection (docs/protocol.md, "unix://"): magic,
  // kind 1, reserved, token.
  uint8_t pre[24] = {'C', 'O', 'S', 'I', 'M', 'U', 'X', '1', 1, 0, 0, 0, 0, 0, 0, 0, 42};
  ASSERT_EQ(::write(fd, pre, sizeof pre), 24);
  char magic[8];
  ASSERT_EQ(::read(fd, magic, sizeof magic), 8);
  EXPECT_EQ(std::memcmp(magic, "COSIMUX1", 8), 0);
  auto session = listener->accept(2s);
  ASSERT_TRUE(session);
  const uint8_t huge[4] = {0xff, 0xff, 0xff, 0x7f};
  ASSERT_EQ(::write(fd, huge, sizeof huge), 4);
  std::string what;
  EXPECT_EQ(code_of([&] { (void)session->recv(2s); }, &what), ErrorCode::kPeerLost);
  EXPECT_TRUE(contains(what, "unix://" + path) && contains(what, "limit")) << what;
  char c;
  EXPECT_EQ(::read(fd, &c, 1), 0) << "connection not closed";
  ::close(fd);
}

}  // namespace
}  // namespace cosim
