// In-process transport pair for tests: two queues guarded by one mutex, with an
// eventfd per end so notify_fd() behaves like the ZeroMQ descriptor.
#include <sys/eventfd.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>

#include "cosim/bridge/transport.h"

namespace cosim {
namespace {

struct Shared {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Bytes> queue[2];  // queue[i]: frames waiting for end i
  bool closed[2] = {false, false};
  int efd[2] = {-1, -1};
};

class LoopbackEnd final : public Transport {
 public:
  LoopbackEnd(std::shared_ptr<Shared> shared, int side) : sh_(std::move(shared)), me_(side) {}
  ~LoopbackEnd() override {
    {
      std::lock_guard lock(sh_->mu);
      sh_->closed[me_] = true;
    }
    sh_->cv.notify_all();
    uint64_t one = 1;
    (void)!::write(sh_->efd[1 - me_], &one, sizeof one);
  }
  void send(Bytes frame) override {
    {
      std::lock_guard lock(sh_->mu);
      if (sh_->closed[1 - me_]) throw BridgeError(ErrorCode::kPeerLost, "loopback peer closed");
      sh_->queue[1 - me_].push_back(std::move(frame));
    }
    sh_->cv.notify_all();
    uint64_t one = 1;
    (void)!::write(sh_->efd[1 - me_], &one, sizeof one);
  }
  std::optional<Bytes> recv(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(sh_->mu);
    auto ready = [&] { return !sh_->queue[me_].empty() || sh_->closed[1 - me_]; };
    if (timeout.count() < 0)
      sh_->cv.wait(lock, ready);
    else if (!sh_->cv.wait_for(lock, timeout, ready))
      return std::nullopt;
    if (sh_->queue[me_].empty()) throw BridgeError(ErrorCode::kPeerLost, "loopback peer closed");
    Bytes out = std::move(sh_->queue[me_].front());
    sh_->queue[me_].pop_front();
    if (sh_->queue[me_].empty()) {
      uint64_t drain;
      (void)!::read(sh_->efd[me_], &drain, sizeof drain);
    }
    return out;
  }
  int notify_fd() const override { return sh_->efd[me_]; }
  bool has_pending() override {
    std::lock_guard lock(sh_->mu);
    return !sh_->queue[me_].empty() || sh_->closed[1 - me_];
  }
  bool peer_lost() override {
    std::lock_guard lock(sh_->mu);
    return sh_->closed[1 - me_];
  }
  std::string endpoint() const override { return "loopback"; }

 private:
  std::shared_ptr<Shared> sh_;
  int me_;
};

}  // namespace

std::pair<std::unique_ptr<Transport>, std::unique_ptr<Transport>> make_loopback_pair() {
  auto shared = std::shared_ptr<Shared>(new Shared, [](Shared* s) {
    ::close(s->efd[0]);
    ::close(s->efd[1]);
    delete s;
  });
  shared->efd[0] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  shared->efd[1] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  return {std::make_unique<LoopbackEnd>(shared, 0), std::make_unique<LoopbackEnd>(shared, 1)};
}

}  // namespace cosim
