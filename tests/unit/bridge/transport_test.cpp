// Transports: loopback and ZeroMQ (inproc, ipc, tcp) move frames in order,
// refuse bad endpoints, and report a vanished peer in bounded time.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "cosim/bridge/transport.h"

namespace cosim {
namespace {

using namespace std::chrono_literals;

std::string temp_ipc(const char* tag) {
  return "ipc:///tmp/cosim-transport-test-" + std::to_string(getpid()) + "-" + tag;
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

TEST(Loopback, MovesFramesInOrderAndReportsClose) {
  auto [a, b] = make_loopback_pair();
  exchange(*a, *b);
  EXPECT_FALSE(a->recv(10ms));
  b.reset();
  EXPECT_TRUE(a->peer_lost());
  EXPECT_THROW(a->send(Bytes{1}), BridgeError);
}

class ZmqEndpoints : public ::testing::TestWithParam<std::string> {};

TEST_P(ZmqEndpoints, FirstFrameAcceptsThenFramesFlowBothWays) {
  std::string ep = GetParam();
  if (ep == "ipc") ep = temp_ipc("flow");
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

INSTANTIATE_TEST_SUITE_P(Transports, ZmqEndpoints,
                         ::testing::Values("inproc://cosim-transport-test", "ipc", "tcp://127.0.0.1:47211"));

TEST(Zmq, BadEndpointsAreNamed) {
  try {
    listen_transport("udp://x");
    FAIL();
  } catch (const BridgeError& e) {
    EXPECT_EQ(e.status().code(), ErrorCode::kConfig);
    EXPECT_NE(std::string(e.what()).find("udp://x"), std::string::npos);
  }
  try {
    listen_transport("tcp://0.0.0.0:47212");
    FAIL();
  } catch (const BridgeError& e) {
    EXPECT_EQ(e.status().code(), ErrorCode::kConfig);
    EXPECT_NE(std::string(e.what()).find("loopback"), std::string::npos);
  }
}

TEST(Zmq, ConnectToNobodyTimesOutNamingTheEndpoint) {
  TransportOptions o;
  o.connect_timeout = 300ms;
  const std::string ep = temp_ipc("nobody");
  const auto t0 = std::chrono::steady_clock::now();
  try {
    connect_transport(ep, o);
    FAIL();
  } catch (const BridgeError& e) {
    EXPECT_EQ(e.status().code(), ErrorCode::kTimeout);
    EXPECT_NE(std::string(e.what()).find(ep), std::string::npos);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

TEST(Zmq, SecondPeerGetsTheBusyReply) {
  const std::string ep = temp_ipc("busy");
  auto listener = listen_transport(ep);
  listener->set_busy_reply(Bytes{0xb5});
  auto first = connect_transport(ep);
  first->send(Bytes{1});
  auto session = listener->accept(2s);
  ASSERT_TRUE(session);
  ASSERT_EQ(session->recv(1s), Bytes{1});
  auto second = connect_transport(ep);
  second->send(Bytes{2});
  // The session's recv loop is what answers other peers; the first peer sent
  // nothing more, so nothing reaches the session.
  EXPECT_FALSE(session->recv(200ms));
  auto reply = second->recv(2s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(*reply, Bytes{0xb5});
}

// A host process killed with SIGKILL: the client notices within the heartbeat
// timeout instead of waiting forever.
TEST(Zmq, KilledHostIsReportedAsPeerLost) {
  const std::string ep = temp_ipc("kill");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto listener = listen_transport(ep);
    auto s = listener->accept(5s);
    if (s) (void)s->recv(5s);  // then hang, until killed
    pause();
    _exit(0);
  }
  TransportOptions o;
  o.connect_timeout = 3s;
  o.heartbeat_interval = 100ms;
  o.heartbeat_timeout = 1000ms;
  auto client = connect_transport(ep, o);
  client->send(Bytes{1});
  std::this_thread::sleep_for(200ms);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  const auto t0 = std::chrono::steady_clock::now();
  try {
    (void)client->recv(10s);
    FAIL() << "recv returned instead of reporting the lost peer";
  } catch (const BridgeError& e) {
    EXPECT_EQ(e.status().code(), ErrorCode::kPeerLost);
    EXPECT_NE(std::string(e.what()).find(ep), std::string::npos);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

// A host that stops answering (SIGSTOP) but keeps its socket open: only the
// heartbeat can tell.
TEST(Zmq, FrozenHostIsReportedAfterTheHeartbeatTimeout) {
  const std::string ep = temp_ipc("frozen");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    TransportOptions o;
    o.heartbeat_interval = 100ms;
    o.heartbeat_timeout = 1000ms;
    auto listener = listen_transport(ep, o);
    auto s = listener->accept(5s);
    if (s) (void)s->recv(5s);
    pause();
    _exit(0);
  }
  TransportOptions o;
  o.connect_timeout = 3s;
  o.heartbeat_interval = 100ms;
  o.heartbeat_timeout = 1000ms;
  auto client = connect_transport(ep, o);
  client->send(Bytes{1});
  std::this_thread::sleep_for(300ms);
  kill(child, SIGSTOP);
  const auto t0 = std::chrono::steady_clock::now();
  bool lost = false;
  try {
    (void)client->recv(10s);
  } catch (const BridgeError& e) {
    lost = e.status().code() == ErrorCode::kPeerLost;
  }
  const auto waited = std::chrono::steady_clock::now() - t0;
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_TRUE(lost);
  EXPECT_LT(waited, 5s);
}

}  // namespace
}  // namespace cosim
