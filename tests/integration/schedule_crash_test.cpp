// A cron schedule survives kill -9: a real process (schedule_probe) fires an every-minute
// schedule on virtual time as fast as it can and is killed with SIGKILL wherever it happens to be
// (deciding a fire, starting its workflow, recording it), several times; each restart begins some
// virtual minutes later, so its catch-up policy decides the fires missed while no process ran.
// At the end every fire the policy asks for started exactly one workflow, which ran once, and no
// other fire started one (the schedule's overlap policy is `allow`, so every fire it decides
// starts a run).
#include "child_process.hpp"
#include "redis_server.hpp"
#include "sqlite_observer.hpp"
#include "temp_dir.hpp"

#include <actorflow/cron.hpp>
#include <actorflow/actorflow.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>
#include <variant>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

constexpr int64_t kStart = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
constexpr int64_t kMinute = 60'000;
constexpr int kKills = 10;
constexpr int kFiresBeforeKillMin = 5;

// The schedule's last decided fire, read from the store; 0 before it exists.
int64_t last_fire(const Engine& reader) {
  auto info = reader.schedule("minutely");
  return info ? info->last_fire_ms : 0;
}

// Waits (polling the store: across processes there is no event to await) until the schedule has
// decided fires up to `until_ms`.
bool await_last_fire(const Engine& reader, int64_t until_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (last_fire(reader) >= until_ms) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

void kill_while_firing_then_restart(const std::string& spec, const std::shared_ptr<Store>& store,
                                    const std::string& policy) {
  EngineOptions options;
  options.store = store;
  options.passivate_after = std::nullopt;
  Engine reader(options);  // reads only: its scheduler is never activated
  const auto minutely = std::get<CronExpression>(CronExpression::parse("* * * * *"));
  const bool all = policy == "all";

  std::set<int64_t> expected;
  int64_t clock_ms = kStart;
  int64_t decided_ms = kStart;  // the schedule is created at kStart: nothing before is missed
  // What a process starting at clock_ms catches up, then its regular fires up to `until_ms`.
  auto expect = [&](int64_t until_ms) {
    const int64_t latest = *minutely.last_at_or_before(clock_ms);
    if (latest > decided_ms && policy != "skip") {
      for (int64_t at = all ? decided_ms + kMinute - decided_ms % kMinute : latest; at <= latest; at += kMinute)
        expected.insert(at);
    }
    for (int64_t at = std::max(latest, decided_ms) + kMinute - std::max(latest, decided_ms) % kMinute; at <= until_ms;
         at += kMinute)
      expected.insert(at);
  };

  for (int kill = 0; kill < kKills; ++kill) {
    pid_t probe = spawn_program(SCHEDULE_PROBE_PATH, {spec, std::to_string(clock_ms), policy, "fire"});
    const int64_t target = std::max(clock_ms, decided_ms) + kFiresBeforeKillMin * kMinute;
    ASSERT_TRUE(await_last_fire(reader, target)) << "process " << kill << " never fired up to " << target;
    ASSERT_TRUE(kill9(probe)) << "process " << kill << " ended before it was killed";
    const int64_t killed_at = last_fire(reader);
    expect(killed_at);
    decided_ms = killed_at;
    clock_ms = decided_ms + (3 + kill % 4) * kMinute + 30'000;  // down for a few virtual minutes
  }
  ASSERT_EQ(wait_exit(spawn_program(SCHEDULE_PROBE_PATH, {spec, std::to_string(clock_ms), policy, "settle"}),
                      std::chrono::seconds(60)),
            0);
  expect(*minutely.last_at_or_before(clock_ms));

  std::set<int64_t> ran;
  for (const auto& [key, value] : store->ledger_scan("tick/")) {
    EXPECT_EQ(key, "tick/minutely@" + std::to_string(Json::parse(value).at("fire_ms").get<int64_t>()));
    ran.insert(Json::parse(value).at("fire_ms").get<int64_t>());
  }
  EXPECT_EQ(ran, expected);
  for (int64_t fire_ms : expected) {
    const std::string id = "minutely@" + std::to_string(fire_ms);
    auto info = reader.query(id);
    ASSERT_TRUE(info) << id << " never started";
    EXPECT_EQ(info->status, WorkflowStatus::completed) << id;
    int started = 0;
    for (const auto& event : reader.history(id)) started += event.type == "workflow_started";
    EXPECT_EQ(started, 1) << id;
  }
  auto schedule = reader.schedule("minutely");
  ASSERT_TRUE(schedule);
  EXPECT_EQ(schedule->fires_started, expected.size()) << "a start was counted twice or not at all";
  EXPECT_GT(expected.size(), static_cast<size_t>(kKills * kFiresBeforeKillMin));
}

void on_sqlite(const std::string& policy) {
  TempDir dir;
  kill_while_firing_then_restart("sqlite:" + dir.file("schedules.db"), open_sqlite_observer(dir.file("schedules.db")), policy);
}

TEST(ScheduleCrash, SqliteCatchUpAllStartsEveryMinuteExactlyOnceAcrossKills) { on_sqlite("all"); }

TEST(ScheduleCrash, SqliteCatchUpOnceStartsTheLatestMissedFireAndNoFireTwiceAcrossKills) { on_sqlite("once"); }

// Skip drops the fires missed while down, but not one decided before the kill and not started.
TEST(ScheduleCrash, SqliteCatchUpSkipStillStartsEveryFireDecidedBeforeAKill) { on_sqlite("skip"); }

TEST(ScheduleCrash, RedisCatchUpAllStartsEveryMinuteExactlyOnceAcrossKills) {
  RedisServer redis;
  RedisOptions options;
  options.port = redis.port();
  options.key_prefix = "schedules:";
  kill_while_firing_then_restart("redis:127.0.0.1:" + std::to_string(redis.port()) + ":schedules:",
                                 make_redis_store(options), "all");
}

}  // namespace
