// Plugins loaded with `isolation: process` (nodes/isolation/) on a real node with a SQLite store:
// their handlers run in child worker processes. A handler that aborts costs the attempt it ran,
// not the node; StepContext::once reaches the node's ledger; a step that hangs past its timeout
// gets its worker killed and replaced; bad isolation settings refuse the start naming the key.
#include "node_process.hpp"
#include "poison_pill.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <iterator>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

using namespace actorflow;
using namespace actorflow::testing;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> kTerminal{"completed", "failed", "compensated", "dead-lettered"};
constexpr const char* kDied = "the step worker process died while this step ran";

std::string isolated(const std::string& path, int workers) {
  return "    - {path: '" + path + "', isolation: process, workers: " + std::to_string(workers) + "}\n";
}

constexpr const char* kOnceYaml = R"(name: isolated_once
version: 1
steps:
  - step: charge
    handler: isolated.once
    breaker: isolated-service
)";

constexpr const char* kHangYaml = R"(name: isolated_hang
version: 1
steps:
  - step: wait
    handler: isolated.hang
    timeout: 1s
    retry:
      max: 3
      initial: 10ms
)";

constexpr const char* kEchoYaml = R"(name: isolated_echo
version: 1
steps:
  - step: echo
    handler: isolated.echo
  - step: later
    handler: isolated.async
)";

constexpr const char* kGarbageYaml = R"(name: isolated_garbage
version: 1
steps:
  - step: garbage
    handler: isolated.garbage
)";

constexpr const char* kRefuseYaml = R"(name: isolated_refuse
version: 1
steps:
  - step: refuse
    handler: isolated.refuse
    on_error: dead-letter
)";

// Polls /healthz (bounded by the test) on a thread of its own; counts answers other than 200.
class HealthWatch {
 public:
  explicit HealthWatch(const NodeProcess& node)
      : thread_([this, &node] {
          while (!stop_) {
            if (http_get(node, "/healthz").status != 200) ++failures_;
            ++probes_;
            std::this_thread::sleep_for(20ms);
          }
        }) {}
  ~HealthWatch() { finish(); }
  void finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int failures() const { return failures_; }
  int probes() const { return probes_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> failures_{0};
  std::atomic<int> probes_{0};
  std::thread thread_;
};

// The pids of the log's worker_started / worker_restarted lines.
std::set<int> worker_pids(const std::string& log) {
  std::set<int> pids;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(R"("event":"worker_started")") == std::string::npos &&
        line.find(R"("event":"worker_restarted")") == std::string::npos)
      continue;
    const Json fields = Json::parse(line.substr(line.find('{')), nullptr, false);
    if (fields.is_object() && fields.contains("pid")) pids.insert(fields["pid"].get<int>());
  }
  return pids;
}

bool process_exists(int pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

// Whether `pid` runs (a zombie whose new parent has not reaped it yet runs no more).
bool process_runs(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  if (!stat || paren == std::string::npos || paren + 2 >= text.size()) return false;
  const char state = text[paren + 2];
  return state != 'Z' && state != 'X';
}

int count_events(const std::vector<Json>& events, const std::string& type, const std::string& detail_part = "") {
  int n = 0;
  for (const auto& e : events)
    n += e.value("type", "") == type && e.value("detail", "").find(detail_part) != std::string::npos;
  return n;
}

}  // namespace

TEST(NodeIsolation, AHandlerThatAbortsInAWorkerFailsOnlyItsAttemptsAndTheNodeServesOn) {
  NodeDir dir;
  dir.write("workflows/poison_pill.yaml", kPoisonPillYaml);
  NodeSetup setup = dir.setup();
  setup.plugins_yaml = isolated(ABORTING_PLUGIN, 2);
  NodeProcess node(dir, setup);
  ASSERT_TRUE(node.wait_for_event("worker_started", 5s)) << node.log();
  HealthWatch health(node);

  ASSERT_EQ(start_workflow(node, "poison_pill", "poison", {{"abort", true}}).status, 201);
  ASSERT_EQ(start_workflow(node, "order_saga", "bystander", {{"order_id", "bystander"}}).status, 201);
  const Json poison = wait_for_status(node, "poison", kTerminal, 30s);
  EXPECT_EQ(poison.value("status", ""), "compensated") << poison.dump();
  EXPECT_NE(poison.value("error", "").find(kDied), std::string::npos) << poison.dump();
  EXPECT_EQ(wait_for_status(node, "bystander", kTerminal).value("status", ""), "completed");
  std::cout << "[ measured ] poison ended " << poison.value("status", "") << ": " << poison.value("error", "") << "\n";

  // retries_max 2: two attempts retried after their worker died, the third failed the step.
  const std::vector<Json> events = history(node, "poison");
  EXPECT_EQ(count_events(events, "step_retrying", kDied), 2) << Json(events).dump();
  EXPECT_EQ(count_events(events, "step_retrying", "SIGABRT"), 2);
  EXPECT_EQ(count_events(events, "compensation_completed"), 1) << Json(events).dump();
  EXPECT_TRUE(node.wait_for_event("worker_died", 1s));
  EXPECT_TRUE(node.wait_for_event("worker_restarted", 5s)) << node.log();

  // The node never went down, and once more a workflow of the isolated plugin runs there.
  ASSERT_EQ(start_workflow(node, "poison_pill", "harmless", {{"abort", false}}).status, 201);
  EXPECT_EQ(wait_for_status(node, "harmless", kTerminal).value("status", ""), "completed");
  health.finish();
  EXPECT_FALSE(node.has_exited());
  EXPECT_GT(health.probes(), 0);
  EXPECT_EQ(health.failures(), 0) << "of " << health.probes() << " /healthz probes";

  const std::set<int> pids = worker_pids(node.log());
  EXPECT_GE(pids.size(), 4u) << "2 started, at least 2 restarted";
  EXPECT_EQ(node.stop(), 0) << node.log();
  for (const int pid : pids) EXPECT_FALSE(process_exists(pid)) << "worker " << pid << " outlived the node";
  EXPECT_NE(node.log().find(R"("event":"worker_stopped")"), std::string::npos);
}

TEST(NodeIsolation, OnceInAnIsolatedHandlerRecordsItsEffectOnceInTheNodesLedger) {
  NodeDir dir;
  dir.write("workflows/isolated_once.yaml", kOnceYaml);
  NodeSetup setup = dir.setup();
  setup.plugins_yaml = isolated(ISOLATION_PLUGIN, 1);
  NodeProcess node(dir, setup);
  // The first attempt records its effect, then its worker aborts; the second, in a new worker,
  // finds the record in the node's ledger and does not run the effect again.
  ASSERT_EQ(start_workflow(node, "isolated_once", "once-1", {{"abort_after_once", true}}).status, 201);
  const Json done = wait_for_status(node, "once-1", kTerminal, 30s);
  ASSERT_EQ(done.value("status", ""), "completed") << done.dump();
  const Json charge = done["data"]["charge"];
  EXPECT_EQ(charge["attempt"], 2) << charge.dump();
  EXPECT_EQ(charge["recorded"]["attempt"], 1) << charge.dump();
  EXPECT_NE(charge["recorded"]["pid"], charge["pid"]) << "the second attempt ran in a new worker";
  ASSERT_EQ(node.stop(), 0);

  const auto store = dir.open_store();
  const auto recorded = store->ledger_get("once-1/charge");
  ASSERT_TRUE(recorded);
  EXPECT_EQ(Json::parse(*recorded), charge["recorded"]);
  EXPECT_EQ(store->ledger_scan("once-1/").size(), 1u);
}

TEST(NodeIsolation, AStepThatHangsPastItsTimeoutHasItsWorkerKilledAndReplaced) {
  NodeDir dir;
  dir.write("workflows/isolated_hang.yaml", kHangYaml);
  dir.write("workflows/isolated_echo.yaml", kEchoYaml);
  NodeSetup setup = dir.setup();
  setup.plugins_yaml = isolated(ISOLATION_PLUGIN, 1);  // one worker: a hung one would hold it for good
  NodeProcess node(dir, setup);
  ASSERT_EQ(start_workflow(node, "isolated_hang", "hang-1", {{"hang_attempts", 1}}).status, 201);
  const Json hang = wait_for_status(node, "hang-1", kTerminal, 30s);
  EXPECT_EQ(hang.value("status", ""), "completed") << hang.dump();
  EXPECT_EQ(hang["data"]["wait"]["attempt"], 2) << hang.dump();
  EXPECT_EQ(count_events(history(node, "hang-1"), "step_timed_out"), 1);
  EXPECT_TRUE(node.wait_for_event("worker_killed", 1s)) << node.log();
  EXPECT_TRUE(node.wait_for_event("worker_restarted", 5s)) << node.log();

  ASSERT_EQ(start_workflow(node, "isolated_echo", "next", {{"n", 1}}).status, 201);
  const Json next = wait_for_status(node, "next", kTerminal, 20s);
  EXPECT_EQ(next.value("status", ""), "completed") << next.dump();
  EXPECT_EQ(next["data"]["later"]["async"], true) << next.dump();
  EXPECT_EQ(node.stop(), 0);
}

TEST(NodeIsolation, AWorkerThatSendsAMalformedFrameIsKilledAndItsAttemptFailsRetryably) {
  NodeDir dir;
  dir.write("workflows/isolated_garbage.yaml", kGarbageYaml);
  NodeSetup setup = dir.setup();
  setup.plugins_yaml = isolated(ISOLATION_PLUGIN, 1);
  NodeProcess node(dir, setup);
  ASSERT_EQ(start_workflow(node, "isolated_garbage", "garbage", Json::object()).status, 201);
  const Json done = wait_for_status(node, "garbage", kTerminal, 20s);
  EXPECT_EQ(done.value("status", ""), "completed") << done.dump();
  EXPECT_EQ(done["data"]["garbage"]["attempt"], 2) << done.dump();
  const std::vector<Json> events = history(node, "garbage");
  EXPECT_EQ(count_events(events, "step_retrying", "it sent a malformed frame: a frame of 4294967295 bytes, over "
                                                  "frame_bytes_max (16777216)"), 1) << Json(events).dump();
  EXPECT_TRUE(node.wait_for_event("worker_died", 1s));
  EXPECT_FALSE(node.has_exited());
  EXPECT_EQ(http_get(node, "/healthz").status, 200);
  EXPECT_EQ(node.stop(), 0);
}

TEST(NodeIsolation, ANonRetryableErrorInAWorkerStaysNonRetryable) {
  NodeDir dir;
  dir.write("workflows/isolated_refuse.yaml", kRefuseYaml);
  NodeSetup setup = dir.setup();
  setup.plugins_yaml = isolated(ISOLATION_PLUGIN, 1);
  NodeProcess node(dir, setup);
  ASSERT_EQ(start_workflow(node, "isolated_refuse", "refused", Json::object()).status, 201);
  const Json refused = wait_for_status(node, "refused", kTerminal, 20s);
  EXPECT_EQ(refused.value("status", ""), "dead-lettered") << refused.dump();
  EXPECT_NE(refused.value("error", "").find("refused for good by isolated.refuse"), std::string::npos);
  EXPECT_EQ(count_events(history(node, "refused"), "step_dispatched"), 1) << "no retry";
  EXPECT_EQ(node.stop(), 0);
}

TEST(NodeIsolation, BadIsolationSettingsRefuseTheStartNamingTheKey) {
  NodeDir dir;
  const struct {
    std::string entry;
    std::string expected;
  } cases[]{
      {"    - {path: '" + std::string(ISOLATION_PLUGIN) + "', isolation: bogus}\n",
       "node.plugins[1].isolation: expected one of in_process, process, got 'bogus'"},
      {"    - {path: '" + std::string(ISOLATION_PLUGIN) + "', isolation: process, workers: 0}\n",
       "node.plugins[1].workers: expected an integer from 1 to 64, got '0'"},
      {"    - {path: '" + std::string(ISOLATION_PLUGIN) + "', isolation: process, worker: 2}\n",
       "node.plugins[1].worker: unknown key"},
      {"    - {path: '" + std::string(ISOLATION_PLUGIN) + "', workers: 2}\n",
       "node.plugins[1].workers: only with isolation: process"},
  };
  for (const auto& c : cases) {
    NodeSetup setup = dir.setup();
    setup.plugins_yaml = c.entry;
    const std::string config = dir.write("bad.yaml", setup.to_yaml());
    const ProgramRun run = run_node_program({"--config", config});
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find(c.expected), std::string::npos) << run.output;
  }
}

TEST(NodeIsolation, CheckStartsTheWorkersOfAnIsolatedPluginAndStopsThem) {
  NodeDir dir;
  NodeSetup setup = dir.setup();
  setup.plugins_yaml = isolated(ISOLATION_PLUGIN, 2) + "    - {path: '" + dir.file("missing.so") +
                       "', isolation: process}\n";
  const std::string config = dir.write("check.yaml", setup.to_yaml());
  const ProgramRun refused = run_node_program({"--config", config, "--check"});
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("node.plugins[2]: plugin '" + dir.file("missing.so") + "': no such file"),
            std::string::npos) << refused.output;
  setup.plugins_yaml = isolated(ISOLATION_PLUGIN, 2);
  const ProgramRun ok = run_node_program({"--config", dir.write("check.yaml", setup.to_yaml()), "--check"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find(R"("event":"worker_stopped")"), std::string::npos) << ok.output;
  for (const int pid : worker_pids(ok.output)) EXPECT_FALSE(process_exists(pid));
}

TEST(NodeIsolation, StepWorkersDieWithTheirNodeWhenItIsKilled) {
  NodeDir dir;
  NodeSetup setup = dir.setup();
  setup.plugins_yaml = isolated(ISOLATION_PLUGIN, 2);
  NodeProcess node(dir, setup);
  const std::set<int> pids = worker_pids(node.log());
  ASSERT_EQ(pids.size(), 2u) << node.log();
  for (const int pid : pids) EXPECT_TRUE(process_runs(pid));
  node.kill9();  // no shutdown: PR_SET_PDEATHSIG must take the workers down
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  auto running = [&] {
    int n = 0;
    for (const int pid : pids) n += process_runs(pid);
    return n;
  };
  while (running() > 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(running(), 0) << "step workers outlived their node";
}

TEST(NodeIsolation, AnIdleWorkerKilledFromOutsideIsNoticedAndReplaced) {
  NodeDir dir;
  dir.write("workflows/isolated_echo.yaml", kEchoYaml);
  NodeSetup setup = dir.setup();
  setup.plugins_yaml = isolated(ISOLATION_PLUGIN, 1);
  NodeProcess node(dir, setup);
  const std::set<int> pids = worker_pids(node.log());
  ASSERT_EQ(pids.size(), 1u) << node.log();
  ASSERT_EQ(kill(*pids.begin(), SIGKILL), 0);  // say, the OOM killer
  ASSERT_TRUE(node.wait_for_event("worker_restarted", 10s)) << node.log();
  EXPECT_NE(node.log().find("killed by signal 9 (SIGKILL)"), std::string::npos) << node.log();
  ASSERT_EQ(start_workflow(node, "isolated_echo", "after-kill", {{"n", 2}}).status, 201);
  const Json done = wait_for_status(node, "after-kill", kTerminal, 20s);
  EXPECT_EQ(done.value("status", ""), "completed") << done.dump();
  EXPECT_NE(done["data"]["echo"]["pid"], *pids.begin());
  EXPECT_EQ(node.stop(), 0);
}
