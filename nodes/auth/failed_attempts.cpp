#include "failed_attempts.hpp"

#include <algorithm>

namespace actorflow::node::auth {

Millis FailedAttempts::blocked_for(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto it = windows_.find(address);
  if (it == windows_.end()) return Millis(0);
  const auto ends = it->second.started + window_;
  if (now >= ends) {
    windows_.erase(it);
    return Millis(0);
  }
  if (it->second.failures < attempts_max_) return Millis(0);
  return std::chrono::ceil<Millis>(ends - now);
}

void FailedAttempts::record_failure(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = windows_.find(address);
  if (it != windows_.end() && now >= it->second.started + window_) {
    windows_.erase(it);
    it = windows_.end();
  }
  if (it == windows_.end()) {
    make_room(now);
    it = windows_.emplace(address, Window{now, 0}).first;
  }
  ++it->second.failures;
}

void FailedAttempts::make_room(Clock::time_point now) {
  if (windows_.size() < kTrackedAddressesMax) return;
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (now >= it->second.started + window_) it = windows_.erase(it);
    else ++it;
  }
  if (windows_.size() < kTrackedAddressesMax) return;
  const auto oldest = std::min_element(windows_.begin(), windows_.end(), [](const auto& a, const auto& b) {
    return a.second.started < b.second.started;
  });
  windows_.erase(oldest);
}

}  // namespace actorflow::node::auth
