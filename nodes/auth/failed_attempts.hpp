#pragma once
// Failed authentication attempts per client address: at most `attempts_max` in a window of
// `window` (auth.failed_attempts_max / auth.failed_attempts_window); beyond it every request from
// that address is answered 429 until the window ends, whatever token it carries, so that tokens
// cannot be guessed at line rate. At most kTrackedAddressesMax addresses are tracked (memory is
// bounded whatever the number of clients); when full, the oldest window is forgotten. Thread-safe.
#include <actorflow/clock.hpp>

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace actorflow::node::auth {

inline constexpr size_t kTrackedAddressesMax = 10'000;

class FailedAttempts {
 public:
  using Clock = std::chrono::steady_clock;

  FailedAttempts(int attempts_max, Millis window) : attempts_max_(attempts_max), window_(window) {}

  // How long `address` must still wait (zero: it may try now).
  Millis blocked_for(const std::string& address, Clock::time_point now = Clock::now());
  // Counts one failure of `address`.
  void record_failure(const std::string& address, Clock::time_point now = Clock::now());

  int attempts_max() const { return attempts_max_; }
  Millis window() const { return window_; }

 private:
  struct Window {
    Clock::time_point started;
    int failures = 0;
  };
  void make_room(Clock::time_point now);

  const int attempts_max_;
  const Millis window_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace actorflow::node::auth
