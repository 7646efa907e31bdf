#include <actorflow/clock.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace actorflow {
namespace {

// One background thread sleeps until the earliest timer is due. Timers are kept in a map
// ordered by (due, id), and their due times by id, so schedule, cancel and the next-due lookup
// are O(log n). The thread is woken only when a new timer is due before every other one: most
// timers (step timeouts) are cancelled long before they are due, and each wake-up would cost a
// context switch.
class RealClock final : public Clock {
 public:
  RealClock() : thread_([this] { run(); }) {}

  ~RealClock() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_one();
    thread_.join();
  }

  int64_t now_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }

  TimerId schedule(Millis delay, std::string label, std::function<void()> fire) override {
    auto due = std::chrono::steady_clock::now() + delay;
    bool earliest = false;
    TimerId id = 0;
    {
      std::lock_guard lock(mutex_);
      id = next_id_++;
      earliest = timers_.empty() || due < timers_.begin()->first.first;
      timers_.emplace(std::make_pair(due, id), Entry{std::move(label), std::move(fire)});
      due_by_id_.emplace(id, due);
    }
    if (earliest) changed_.notify_one();
    return id;
  }

  bool cancel(TimerId id) override {
    std::lock_guard lock(mutex_);
    auto due = due_by_id_.find(id);
    if (due == due_by_id_.end()) return false;
    timers_.erase(std::make_pair(due->second, id));
    due_by_id_.erase(due);
    return true;
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
      due_by_id_.erase(node.key().second);
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
  std::unordered_map<TimerId, std::chrono::steady_clock::time_point> due_by_id_;  // of the timers in timers_
  std::thread thread_;  // last: starts after the members it uses exist
};

}  // namespace

std::shared_ptr<Clock> make_real_clock() { return std::make_shared<RealClock>(); }

}  // namespace actorflow
