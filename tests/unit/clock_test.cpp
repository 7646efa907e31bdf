#include <actorflow/virtual_clock.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

using namespace actorflow;
using namespace std::chrono_literals;

namespace {

constexpr int64_t kStartMs = 1'000'000;

// Collects the labels of fired timers; safe to append from the real clock's thread.
struct FiredLog {
  std::mutex mutex;
  std::vector<std::string> labels;
  auto recorder(std::string label) {
    return [this, label] {
      std::lock_guard lock(mutex);
      labels.push_back(label);
    };
  }
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mutex);
    return labels;
  }
};

}  // namespace

TEST(Clock, VirtualTimeStandsStillUntilAdvanced) {
  VirtualClock clock(kStartMs);
  EXPECT_EQ(clock.now_ms(), kStartMs);
  clock.advance(1500ms);
  EXPECT_EQ(clock.now_ms(), kStartMs + 1500);
}

TEST(Clock, PendingListsTimersEarliestFirstThenByScheduleOrder) {
  VirtualClock clock(kStartMs);
  clock.schedule(30ms, "c", [] {});
  clock.schedule(10ms, "a", [] {});
  clock.schedule(30ms, "d", [] {});
  clock.schedule(20ms, "b", [] {});
  std::vector<std::string> labels;
  std::vector<int64_t> dues_ms;
  for (const auto& timer : clock.pending()) {
    labels.push_back(timer.label);
    dues_ms.push_back(timer.due_ms);
  }
  EXPECT_EQ(labels, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(dues_ms,
            (std::vector<int64_t>{kStartMs + 10, kStartMs + 20, kStartMs + 30, kStartMs + 30}));
}

TEST(Clock, AdvanceFiresDueTimersInOrderAtTheirDueTime) {
  VirtualClock clock(kStartMs);
  std::vector<std::pair<std::string, int64_t>> fired;  // label, now_ms seen while firing
  auto record = [&](std::string label) {
    return [&, label] { fired.emplace_back(label, clock.now_ms()); };
  };
  clock.schedule(30ms, "late", record("late"));
  clock.schedule(10ms, "early", record("early"));
  clock.schedule(20ms, "middle", record("middle"));

  clock.advance(20ms);  // a timer due exactly at the target fires
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0], std::make_pair(std::string("early"), kStartMs + 10));
  EXPECT_EQ(fired[1], std::make_pair(std::string("middle"), kStartMs + 20));
  EXPECT_EQ(clock.pending().size(), 1u);

  clock.advance(100ms);
  ASSERT_EQ(fired.size(), 3u);
  EXPECT_EQ(fired[2], std::make_pair(std::string("late"), kStartMs + 30));
  EXPECT_EQ(clock.now_ms(), kStartMs + 120);
  EXPECT_TRUE(clock.pending().empty());
}

TEST(Clock, TimerScheduledWhileFiringFiresInTheSameAdvanceWhenDue) {
  VirtualClock clock(kStartMs);
  std::vector<std::string> fired;
  clock.schedule(10ms, "first", [&] {
    fired.push_back("first");
    clock.schedule(5ms, "second", [&] { fired.push_back("second"); });
    clock.schedule(500ms, "far", [&] { fired.push_back("far"); });
  });
  clock.advance(100ms);
  EXPECT_EQ(fired, (std::vector<std::string>{"first", "second"}));
  ASSERT_EQ(clock.pending().size(), 1u);
  EXPECT_EQ(clock.pending()[0].due_ms, kStartMs + 510);
}

// What an advance fires must not depend on how fast other threads are: a timer another thread
// schedules while the advance runs (here: while a callback waits for that thread) waits for the
// next advance, even when it is due.
TEST(Clock, ATimerAnotherThreadSchedulesDuringAnAdvanceWaitsForTheNextOne) {
  VirtualClock clock;
  bool late_fired = false;
  clock.schedule(10ms, "first", [&] {
    std::thread other([&] { clock.schedule(0ms, "late", [&] { late_fired = true; }); });
    other.join();
  });
  clock.advance(1s);
  EXPECT_FALSE(late_fired);
  ASSERT_EQ(clock.pending().size(), 1u);
  EXPECT_EQ(clock.pending()[0].label, "late");
  clock.advance(0ms);
  EXPECT_TRUE(late_fired);
}

TEST(Clock, CancelledTimerNeverFires) {
  VirtualClock clock(kStartMs);
  bool fired = false;
  TimerId id = clock.schedule(10ms, "x", [&] { fired = true; });
  EXPECT_TRUE(clock.cancel(id));
  EXPECT_FALSE(clock.cancel(id));
  EXPECT_FALSE(clock.cancel(12345));
  clock.advance(1s);
  EXPECT_FALSE(fired);
}

TEST(Clock, CancelAfterFiringReturnsFalse) {
  VirtualClock clock(kStartMs);
  TimerId id = clock.schedule(10ms, "x", [] {});
  clock.advance(10ms);
  EXPECT_FALSE(clock.cancel(id));
}

TEST(Clock, NegativeDelayIsDueNow) {
  VirtualClock clock(kStartMs);
  bool fired = false;
  clock.schedule(-5ms, "past", [&] { fired = true; });
  EXPECT_EQ(clock.pending().at(0).due_ms, kStartMs);
  clock.advance(0ms);
  EXPECT_TRUE(fired);
}

TEST(Clock, AwaitTimerSeesATimerScheduledByAnotherThread) {
  VirtualClock clock(kStartMs);
  std::thread scheduler([&] { clock.schedule(30s, "wf-1/charge timeout", [] {}); });
  auto timer = clock.await_timer("charge", 10s);
  scheduler.join();
  ASSERT_TRUE(timer.has_value());
  EXPECT_EQ(timer->label, "wf-1/charge timeout");
  EXPECT_EQ(timer->due_ms, kStartMs + 30'000);
}

TEST(Clock, AwaitTimerGivesUpAfterTheRealWait) {
  VirtualClock clock(kStartMs);
  clock.schedule(1s, "other", [] {});
  EXPECT_FALSE(clock.await_timer("missing", 20ms).has_value());
}

TEST(Clock, AdvanceToTimerMovesExactlyToItsDueTime) {
  VirtualClock clock(kStartMs);
  int fired = 0;
  clock.schedule(10s, "wf-1/backoff", [&] { ++fired; });
  clock.schedule(30s, "wf-1/charge timeout", [&] { fired += 10; });
  clock.schedule(31s, "wf-1/later", [&] { fired += 100; });
  auto timer = clock.advance_to_timer("charge");
  ASSERT_TRUE(timer.has_value());
  EXPECT_EQ(clock.now_ms(), kStartMs + 30'000);
  EXPECT_EQ(fired, 11);  // the earlier timer fires on the way
  ASSERT_EQ(clock.pending().size(), 1u);
  EXPECT_EQ(clock.pending()[0].label, "wf-1/later");
}

TEST(RealClock, NowIsSystemTime) {
  auto clock = make_real_clock();
  using namespace std::chrono;
  const int64_t system_ms =
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  EXPECT_LE(std::abs(clock->now_ms() - system_ms), 1'000);
}

TEST(RealClock, FiresATimer) {
  auto clock = make_real_clock();
  std::promise<int64_t> fired;
  const int64_t scheduled_ms = clock->now_ms();
  clock->schedule(20ms, "t", [&] { fired.set_value(clock->now_ms()); });
  auto future = fired.get_future();
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  EXPECT_GE(future.get() - scheduled_ms, 19);  // system and steady clocks may round differently
}

TEST(RealClock, FiresInDueOrderAndSkipsCancelled) {
  auto clock = make_real_clock();
  FiredLog log;
  std::promise<void> last_fired;
  clock->schedule(300ms, "third", [&] {
    log.recorder("third")();
    last_fired.set_value();
  });
  clock->schedule(100ms, "second", log.recorder("second"));
  TimerId cancelled = clock->schedule(200ms, "cancelled", log.recorder("cancelled"));
  clock->schedule(0ms, "first", log.recorder("first"));
  EXPECT_TRUE(clock->cancel(cancelled));
  // One thread fires timers earliest first, so once "third" fired the others had their turn.
  ASSERT_EQ(last_fired.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_EQ(log.snapshot(), (std::vector<std::string>{"first", "second", "third"}));
  EXPECT_FALSE(clock->cancel(cancelled));
}

TEST(RealClock, DestroyingWithPendingTimersDoesNotFireThem) {
  bool fired = false;
  {
    auto clock = make_real_clock();
    clock->schedule(1h, "never", [&] { fired = true; });
  }
  EXPECT_FALSE(fired);
}

// The timer thread sleeps until the earliest timer and is woken only for a new earliest one: a
// timer due before the one it sleeps for must still fire on time.
TEST(RealClock, ATimerDueBeforeThePendingOnesFiresOnTime) {
  auto clock = make_real_clock();
  clock->schedule(1h, "far", [] {});
  std::promise<void> fired;
  clock->schedule(10ms, "near", [&] { fired.set_value(); });
  EXPECT_EQ(fired.get_future().wait_for(10s), std::future_status::ready);
}

TEST(RealClock, CancelFindsATimerAmongManyAndOnlyOnce) {
  auto clock = make_real_clock();
  std::vector<TimerId> ids;
  for (int i = 0; i < 10'000; ++i) ids.push_back(clock->schedule(1h + std::chrono::milliseconds(i % 7), "t", [] {}));
  for (size_t i = 0; i < ids.size(); i += 2) EXPECT_TRUE(clock->cancel(ids[i]));
  for (size_t i = 0; i < ids.size(); i += 2) EXPECT_FALSE(clock->cancel(ids[i]));
  EXPECT_TRUE(clock->cancel(ids[1]));
}
