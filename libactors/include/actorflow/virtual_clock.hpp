#pragma once
// A clock for tests: time stands still until the test advances it, then due timers fire in order
// on the advancing thread. A 30 s timeout or a 1 h backoff takes microseconds.
#include <actorflow/export.hpp>
#include <actorflow/clock.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace ACTORFLOW_API actorflow {

struct PendingTimer {
  TimerId id = 0;
  int64_t due_ms = 0;
  std::string label;
};

class VirtualClock final : public Clock {
 public:
  explicit VirtualClock(int64_t start_ms = 1'700'000'000'000);

  int64_t now_ms() const override;
  TimerId schedule(Millis delay, std::string label, std::function<void()> fire) override;
  bool cancel(TimerId id) override;

  // Moves time forward by `delta`, firing every timer that falls due, earliest first: those pending
  // when it is called and those its own callbacks schedule. A timer another thread schedules
  // meanwhile (an actor answering a fired timer) is left pending even when it is due, for the next
  // advance: whether it would have been fired would depend on how fast that thread was.
  void advance(Millis delta);

  // Timers not yet fired, earliest first.
  std::vector<PendingTimer> pending() const;

  // Blocks (in real time, at most `real_wait`) until a pending timer's label contains
  // `label_part`; returns it, or nothing when none appeared in time.
  std::optional<PendingTimer> await_timer(const std::string& label_part,
                                          std::chrono::milliseconds real_wait = std::chrono::seconds(10));

  // await_timer, then advance exactly to that timer's due time (firing it). Returns the timer.
  std::optional<PendingTimer> advance_to_timer(const std::string& label_part,
                                               std::chrono::milliseconds real_wait = std::chrono::seconds(10));

 private:
  struct Entry {
    std::string label;
    std::function<void()> fire;
    bool deferred = false;  // scheduled by another thread while an advance runs
  };
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int64_t now_ms_;
  TimerId next_id_ = 1;
  std::optional<std::thread::id> advancing_;  // the thread in advance(), if any
  std::map<std::pair<int64_t, TimerId>, Entry> timers_;  // ordered by (due, id)
};

}  // namespace actorflow
