#include <actorflow/virtual_clock.hpp>

#include <algorithm>

namespace actorflow {

VirtualClock::VirtualClock(int64_t start_ms) : now_ms_(start_ms) {}

int64_t VirtualClock::now_ms() const {
  std::lock_guard lock(mutex_);
  return now_ms_;
}

TimerId VirtualClock::schedule(Millis delay, std::string label, std::function<void()> fire) {
  std::lock_guard lock(mutex_);
  TimerId id = next_id_++;
  int64_t due = now_ms_ + std::max<int64_t>(0, delay.count());
  const bool deferred = advancing_ && *advancing_ != std::this_thread::get_id();
  timers_.emplace(std::make_pair(due, id), Entry{std::move(label), std::move(fire), deferred});
  changed_.notify_all();
  return id;
}

bool VirtualClock::cancel(TimerId id) {
  std::lock_guard lock(mutex_);
  for (auto it = timers_.begin(); it != timers_.end(); ++it) {
    if (it->first.second == id) {
      timers_.erase(it);
      changed_.notify_all();
      return true;
    }
  }
  return false;
}

void VirtualClock::advance(Millis delta) {
  std::unique_lock lock(mutex_);
  const int64_t target = now_ms_ + delta.count();
  for (auto& [key, entry] : timers_) entry.deferred = false;  // deferred by an earlier advance: due now
  advancing_ = std::this_thread::get_id();
  while (true) {
    auto next = std::find_if(timers_.begin(), timers_.end(), [](const auto& timer) { return !timer.second.deferred; });
    if (next == timers_.end() || next->first.first > target) break;
    auto node = timers_.extract(next);
    now_ms_ = std::max(now_ms_, node.key().first);
    lock.unlock();
    node.mapped().fire();  // never under the lock: firing may schedule new timers
    lock.lock();
  }
  advancing_.reset();
  now_ms_ = std::max(now_ms_, target);
}

std::vector<PendingTimer> VirtualClock::pending() const {
  std::lock_guard lock(mutex_);
  std::vector<PendingTimer> result;
  for (const auto& [key, entry] : timers_) result.push_back({key.second, key.first, entry.label});
  return result;
}

std::optional<PendingTimer> VirtualClock::await_timer(const std::string& label_part,
                                                      std::chrono::milliseconds real_wait) {
  std::unique_lock lock(mutex_);
  std::optional<PendingTimer> found;
  changed_.wait_for(lock, real_wait, [&] {
    for (const auto& [key, entry] : timers_) {
      if (entry.label.find(label_part) != std::string::npos) {
        found = PendingTimer{key.second, key.first, entry.label};
        return true;
      }
    }
    return false;
  });
  return found;
}

std::optional<PendingTimer> VirtualClock::advance_to_timer(const std::string& label_part,
                                                           std::chrono::milliseconds real_wait) {
  auto timer = await_timer(label_part, real_wait);
  if (!timer) return std::nullopt;
  advance(Millis(std::max<int64_t>(0, timer->due_ms - now_ms())));
  return timer;
}

}  // namespace actorflow
