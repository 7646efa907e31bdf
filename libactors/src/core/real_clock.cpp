#include <actorflow/clock.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace actorflow {
namespace {

// One background thread sleeps until the earliest timer is due. Timers are kept in a map
// ordered by (due, id), so cancel and the next-due lookup stay cheap.
class RealClock final : public Clock {
 public:
  RealClock() : thread_([this] { run(); }) {}

  ~RealClock() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  int64_t now_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }

  TimerId schedule(Millis delay, std::string label, std::function<void()> fire) override {
    auto due = std::chrono::steady_clock::now() + delay;
    std::lock_guard lock(mutex_);
    TimerId id = next_id_++;
    timers_.emplace(std::make_pair(due, id), Entry{std::move(label), std::move(fire)});
    changed_.notify_all();
    return id;
  }

  bool cancel(TimerId id) override {
    std::lock_guard lock(mutex_);
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->first.second == id) {
        timers_.erase(it);
        return true;
      }
    }
    return false;
  }

 private:
  struct Entry {
    std::string label;
    std::function<void()> fire;
  };

  void run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      if (timers_.empty()) {
        changed_.wait(lock);
        continue;
      }
      auto due = timers_.begin()->first.first;
      if (std::chrono::steady_clock::now() < due) {
        changed_.wait_until(lock, due);
        continue;
      }
      auto node = timers_.extract(timers_.begin());
      lock.unlock();
      node.mapped().fire();
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  TimerId next_id_ = 1;
  std::map<std::pair<std::chrono::steady_clock::time_point, TimerId>, Entry> timers_;
  std::thread thread_;  // last: starts after the members it uses exist
};

}  // namespace

std::shared_ptr<Clock> make_real_clock() { return std::make_shared<RealClock>(); }

}  // namespace actorflow
