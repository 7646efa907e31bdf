// A real process running workflows on a durable store is killed with SIGKILL mid-run and started
// again: every workflow finishes exactly once, and no step's effect is applied twice (checked
// through the idempotency ledger).
#include "child_process.hpp"
#include "redis_server.hpp"
#include "sqlite_observer.hpp"
#include "temp_dir.hpp"

#include <actorflow/actorflow.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

constexpr int kWorkflows = 300;
constexpr const char* kStepDelayMs = "4";

pid_t spawn_probe(const std::string& store_spec) {
  return spawn_program(CRASH_PROBE_PATH, {store_spec, std::to_string(kWorkflows), kStepDelayMs});
}

// "call/<workflow>/<step>/<pid>/<attempt>" -> "<pid>"
std::string pid_of_call(const std::string& key) {
  const size_t attempt_slash = key.rfind('/');
  const size_t pid_slash = key.rfind('/', attempt_slash - 1);
  return key.substr(pid_slash + 1, attempt_slash - pid_slash - 1);
}

void kill_mid_run_then_finish(const std::string& store_spec, const std::function<std::shared_ptr<Store>()>& open) {
  auto observer = open();
  pid_t first = spawn_probe(store_spec);
  // Kill once some steps ran, well before all 900 did.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (observer->ledger_scan("call/").size() < 60 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_TRUE(kill9(first)) << "the first run ended before it was killed";
  const size_t live_at_kill = observer->live_workflows().size();
  ASSERT_GT(live_at_kill, 0u) << "nothing was in flight when the process died";

  ASSERT_EQ(wait_exit(spawn_probe(store_spec), std::chrono::seconds(120)), 0) << "the restarted run did not finish";

  EngineOptions options;
  options.store = observer;
  Engine reader(options);
  EXPECT_TRUE(observer->live_workflows().empty());
  std::set<std::string> pids;
  for (const auto& [key, value] : observer->ledger_scan("call/")) pids.insert(pid_of_call(key));
  EXPECT_EQ(pids.size(), 2u) << "both processes ran steps";
  int recovered = 0;
  for (int i = 0; i < kWorkflows; ++i) {
    const std::string id = "t-" + std::to_string(i);
    auto info = reader.query(id);
    ASSERT_TRUE(info) << id;
    ASSERT_EQ(info->status, WorkflowStatus::completed) << id;
    int completions = 0;
    for (const auto& event : reader.history(id)) {
      completions += event.type == "workflow_completed";
      recovered += event.type == "workflow_recovered";
    }
    EXPECT_EQ(completions, 1) << id << " completed more than once";
    for (const char* step : {"debit", "credit", "notify"}) {
      auto effect = observer->ledger_get(id + "/" + step);
      ASSERT_TRUE(effect) << id << "/" << step << " has no ledger entry";
      // The workflow carries the one recorded effect, even where the step ran twice.
      EXPECT_EQ(info->data[step], Json::parse(*effect)) << id << "/" << step;
    }
  }
  EXPECT_EQ(recovered, static_cast<int>(live_at_kill)) << "every workflow live at the kill was resumed";
}

}  // namespace

TEST(CrashRecovery, SqliteProcessKilledMidRunFinishesEveryWorkflowExactlyOnce) {
  TempDir dir;
  const std::string path = dir.file("actorflow.db");
  kill_mid_run_then_finish("sqlite:" + path, [&] { return open_sqlite_observer(path); });
}

TEST(CrashRecovery, RedisProcessKilledMidRunFinishesEveryWorkflowExactlyOnce) {
  RedisServer redis;
  RedisOptions redis_options;
  redis_options.port = redis.port();
  redis_options.key_prefix = "crash:";
  kill_mid_run_then_finish("redis:127.0.0.1:" + std::to_string(redis.port()) + ":crash:",
                           [&] { return make_redis_store(redis_options); });
}
