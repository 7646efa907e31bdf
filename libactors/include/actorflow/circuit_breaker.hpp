#pragma once
// A circuit breaker guards one external service. Closed: calls pass, failures are counted over a
// sliding window; `failures_threshold` failures inside `window` open it. Open: calls fail fast
// until `reset_timeout` has passed, then it is half-open. Half-open: at most `half_open_trials_max`
// trial calls pass; that many successes close it, any failure opens it again.
#include <actorflow/export.hpp>
#include <actorflow/clock.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

namespace ACTORFLOW_API actorflow {

struct BreakerOptions {
  int failures_threshold = 5;
  Millis window{60'000};
  Millis reset_timeout{30'000};
  int half_open_trials_max = 1;
};

enum class BreakerState : uint8_t { closed, open, half_open };
std::string_view to_string(BreakerState state);

// The answer to "may I call the service now?".
struct BreakerPermit {
  bool allowed = true;
  int64_t retry_after_ms = 0;  // when denied: how long until a call may pass
  BreakerState state = BreakerState::closed;
};

// The breaker's rules without the actor, driven by explicit times. Not thread-safe.
class CircuitBreaker {
 public:
  explicit CircuitBreaker(BreakerOptions options) : options_(options) {}

  BreakerPermit acquire(int64_t now_ms);
  void record(bool success, int64_t now_ms);
  BreakerState state(int64_t now_ms);
  const BreakerOptions& options() const { return options_; }

 private:
  void open(int64_t now_ms);
  BreakerOptions options_;
  BreakerState state_ = BreakerState::closed;
  std::deque<int64_t> failures_ms_;  // closed: failure times inside the window
  int64_t opened_at_ms_ = 0;
  int trials_in_flight_ = 0;
  int trial_successes_ = 0;
};

}  // namespace actorflow
