// Durable timers survive kill -9: a real process whose workflows sleep is killed and started
// again; every timer fires once, not before its time, in the new process. There the instances
// passivate while they sleep (after 100 ms), so the waker's reading of the store's wake-up index
// is what brings them back.
#include "child_process.hpp"
#include "redis_server.hpp"
#include "sqlite_observer.hpp"
#include "temp_dir.hpp"

#include <actorflow/actorflow.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <map>
#include <thread>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

constexpr int kWorkflows = 20;
constexpr const char* kSleepMs = "2500";
constexpr const char* kPassivateAfterMs = "100";

void kill_while_sleeping_then_restart(const std::string& spec, const std::shared_ptr<Store>& store) {
  const std::vector<std::string> args{spec, std::to_string(kWorkflows), kSleepMs, kPassivateAfterMs};

  pid_t first = spawn_program(TIMER_PROBE_PATH, args);
  // Every workflow is asleep once the wake-up index holds all of them (across processes there is
  // no event to await: poll the store, with a deadline).
  std::map<std::string, int64_t> due;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (due.size() < kWorkflows && std::chrono::steady_clock::now() < deadline) {
    due.clear();
    for (const auto& wake : store->wake_ups_until(std::numeric_limits<int64_t>::max(), 1000))
      due[wake.workflow_id] = wake.at_ms;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(due.size(), static_cast<size_t>(kWorkflows)) << "the workflows never all slept";
  ASSERT_TRUE(kill9(first)) << "the first process ended before it was killed";
  ASSERT_TRUE(store->ledger_scan("ring/").empty()) << "a timer fired before the kill: sleep longer";

  ASSERT_EQ(wait_exit(spawn_program(TIMER_PROBE_PATH, args), std::chrono::seconds(60)), 0);

  EngineOptions options;
  options.store = store;
  options.passivate_after = std::nullopt;
  Engine reader(options);
  for (const auto& [id, at_ms] : due) {
    auto info = reader.query(id);
    ASSERT_TRUE(info) << id;
    EXPECT_EQ(info->status, WorkflowStatus::completed) << id;
    auto rang = store->ledger_get("ring/" + id);
    ASSERT_TRUE(rang) << id << " never rang";
    EXPECT_GE(Json::parse(*rang).at("at_ms").get<int64_t>(), at_ms) << id << " woke before its time";
    int started = 0, fired = 0;
    for (const auto& event : reader.history(id)) {
      started += event.type == "timer_started";
      fired += event.type == "timer_fired";
    }
    EXPECT_EQ(started, 1) << id << ": the restarted process kept the stored timer";
    EXPECT_EQ(fired, 1) << id;
  }
}

TEST(TimerCrash, SqliteSleepsInAKilledProcessFireOnceAtTheirTimeAfterARestart) {
  TempDir dir;
  kill_while_sleeping_then_restart("sqlite:" + dir.file("timers.db"), open_sqlite_observer(dir.file("timers.db")));
}

TEST(TimerCrash, RedisSleepsInAKilledProcessFireOnceAtTheirTimeAfterARestart) {
  RedisServer redis;
  RedisOptions options;
  options.port = redis.port();
  options.key_prefix = "timers:";
  kill_while_sleeping_then_restart("redis:127.0.0.1:" + std::to_string(redis.port()) + ":timers:",
                                   make_redis_store(options));
}

}  // namespace
