// The fault run: a 3-node cluster and Redis on loopback under a steady load of order sagas, while
// nodes are killed (-9) and restarted, stopped (SIGSTOP) past their leases and resumed, Redis is
// restarted, and orders ask for step failures; all on a seeded schedule. Then every started
// workflow must have ended (completed, compensated, or dead-lettered with a reason), no effect may
// have been applied twice, and reservations and charges must balance. Prints a summary; exits 0
// when the run passed, 1 when it did not, 2 on bad arguments.
//   build/tests/fault/fault_run --duration-s 30            (the short form ctest runs)
//   build/tests/fault/fault_run --duration-s 720 --faults-per-kind-min 50 --summary-json run.json
#include "fault_injector.hpp"
#include "order_load.hpp"
#include "run_verdict.hpp"

#include "eventually.hpp"
#include "local_cluster.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

namespace {

using namespace actorflow;
using namespace std::chrono_literals;

struct RunOptions {
  int duration_s = 30;
  uint64_t seed = 1;
  double orders_per_second = 20;
  int shards = 12;
  int fault_pause_min_ms = 300;
  int fault_pause_max_ms = 2000;
  int faults_per_kind_min = 0;
  int settle_s = 180;
  std::string summary_json;
  std::string logs_dir;  // the nodes' logs are copied here at the end
  std::vector<std::string> kinds;  // the fault kinds injected (empty: all)
};

int64_t percentile(std::vector<int64_t> values, double p) {
  if (values.empty()) return -1;
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5)];
}

// Waits until none of `started` is still running or compensating; how many still are.
size_t settle(testing::LocalCluster& cluster, const std::vector<std::string>& started, std::chrono::seconds limit) {
  const std::set<std::string> ids(started.begin(), started.end());
  size_t open = ids.size();
  testing::eventually(
      [&] {
        size_t still = 0;
        for (WorkflowStatus status : {WorkflowStatus::running, WorkflowStatus::compensating}) {
          WorkflowFilter filter;
          filter.status = status;
          filter.limit = 1000;
          while (true) {
            const auto page = cluster.store().list_workflows(filter);
            for (const auto& summary : page) still += ids.count(summary.id);
            if (page.size() < 1000) break;
            filter.after_id = page.back().id;
          }
        }
        if (still != open) std::cout << "settling: " << still << " workflows still running" << std::endl;
        open = still;
        return still == 0;
      },
      limit);
  return open;
}

Json summary_of(const RunOptions& options, const fault::OrderLoad& load, const fault::FaultInjector& faults,
                const fault::RunVerdict& verdict, const std::map<std::string, uint64_t>& chaos, int64_t run_ms) {
  Json by_kind = Json::object();
  std::map<std::string, std::vector<int64_t>> recoveries;
  std::map<std::string, int> unrecovered;
  for (const auto& record : faults.records()) {
    auto& list = recoveries[fault::to_string(record.kind)];
    if (record.recovery_ms >= 0) list.push_back(record.recovery_ms);
    else ++unrecovered[fault::to_string(record.kind)];
  }
  for (const auto& [kind, list] : recoveries)
    by_kind[kind] = Json{{"injected", list.size() + unrecovered[kind]}, {"recovery_ms_p50", percentile(list, 0.5)},
                         {"recovery_ms_max", percentile(list, 1.0)}, {"not_recovered", unrecovered[kind]}};
  by_kind["step_failure"] = Json{{"injected", load.step_failures_asked()}};
  by_kind["compensation_failure"] = Json{{"injected", load.compensation_failures_asked()}};
  for (const auto& [kind, count] : chaos) by_kind["chaos_" + kind] = Json{{"injected", count}};
  return Json{{"seed", options.seed},
              {"duration_ms", run_ms},
              {"orders_per_second", options.orders_per_second},
              {"workflows_started", verdict.started},
              {"workflows_by_status", verdict.by_status},
              {"start_retries", load.start_retries()},
              {"faults", by_kind},
              {"lost", verdict.lost},
              {"applied_twice", verdict.applied_twice},
              {"steps_run_again", verdict.steps_run_again},
              {"imbalanced", verdict.imbalanced},
              {"dead_letters_without_reason", verdict.dead_letters_without_reason},
              {"approvals_acknowledged", verdict.approvals},
              {"approvals_not_applied", verdict.approvals_not_applied},
              {"approved_orders_undone", verdict.approved_orders_undone},
              {"reservations_held", verdict.reservations_held},
              {"reservations_expected", verdict.reservations_expected},
              {"charges_held", verdict.charges_held},
              {"charges_expected", verdict.charges_expected},
              {"problems", verdict.problems},
              {"passed", verdict.passed()}};
}

void print_summary(const Json& summary) {
  std::cout << "\n== fault run summary (seed " << summary["seed"] << ", " << summary["duration_ms"].get<int64_t>() / 1000
            << " s) ==\n";
  std::cout << "workflows started: " << summary["workflows_started"] << ", by final status: "
            << summary["workflows_by_status"].dump() << "\n";
  std::cout << "faults injected:\n";
  for (const auto& [kind, f] : summary["faults"].items()) {
    std::cout << "  " << kind << ": " << f["injected"];
    if (f.contains("recovery_ms_p50"))
      std::cout << ", recovery p50 " << f["recovery_ms_p50"] << " ms, max " << f["recovery_ms_max"] << " ms"
                << (f["not_recovered"].get<int>() > 0 ? ", NOT RECOVERED " + f["not_recovered"].dump() : "");
    std::cout << "\n";
  }
  std::cout << "steps that ran more than once (at least once, each applied once): " << summary["steps_run_again"] << "\n";
  std::cout << "lost: " << summary["lost"] << ", effects applied twice: " << summary["applied_twice"]
            << ", imbalanced orders: " << summary["imbalanced"] << ", dead letters without reason: "
            << summary["dead_letters_without_reason"] << "\n";
  std::cout << "approvals acknowledged: " << summary["approvals_acknowledged"]
            << ", not applied: " << summary["approvals_not_applied"]
            << ", orders undone by a step failing for good: " << summary["approved_orders_undone"].dump() << "\n";
  std::cout << "reservations held " << summary["reservations_held"] << " (expected " << summary["reservations_expected"]
            << "), charges held " << summary["charges_held"] << " (expected " << summary["charges_expected"] << ")\n";
  for (const auto& p : summary["problems"]) std::cout << "  problem: " << p.get<std::string>() << "\n";
  std::cout << (summary["passed"].get<bool>() ? "PASSED" : "FAILED") << std::endl;
}

// The chaos policies every node runs with: faults inside the step path, besides the faults the run
// injects from outside (kill, stop, Redis) and the failures orders ask for.
std::string chaos_yaml(uint64_t seed) {
  std::string yaml = "seed: " + std::to_string(seed) + "\npolicies:\n";
  // Failures, hangs and lost replies everywhere but the charge (its breaker would open and hold
  // every order back); delays and instance crashes everywhere.
  for (const char* handler : {"inventory.reserve", "shipping.create", "notify.confirmation"}) {
    yaml += std::string("  - {kind: fail, handler: ") + handler + ", probability: 0.03}\n";
    yaml += std::string("  - {kind: hang, handler: ") + handler + ", probability: 0.004}\n";
    yaml += std::string("  - {kind: drop_reply, handler: ") + handler + ", probability: 0.004}\n";
  }
  yaml += "  - {kind: fail, phase: compensation, probability: 0.03}\n"
          "  - {kind: delay, delay: 200ms, probability: 0.01}\n"
          "  - {kind: crash, at: before_commit, probability: 0.003}\n"
          "  - {kind: crash, at: after_commit, probability: 0.003}\n";
  return yaml;
}

int run(const RunOptions& options) {
  testing::ClusterNodeExtras extras;
  extras.defaults_yaml = "  step_timeout: 1s\n";  // a hung step or a lost reply is retried soon
  testing::LocalCluster cluster(options.shards, {}, extras);
  const std::string chaos_file = cluster.dir().write("chaos.yaml", chaos_yaml(options.seed));
  cluster.set_extra_node_yaml("chaos: '" + chaos_file + "'\n");
  const std::vector<std::string> names{"node-1", "node-2", "node-3"};
  for (const auto& name : names) cluster.start(name);
  if (!cluster.wait_balanced(names, 30s)) {
    std::cerr << "fault_run: the cluster did not balance its shards at start\n";
    return 1;
  }
  std::cout << "cluster up: 3 nodes, " << options.shards << " shards, store " << cluster.store_spec() << std::endl;
  fault::LiveNodes live;
  std::vector<fault::FaultKind> kinds;
  for (const auto& name : options.kinds) kinds.push_back(*fault::parse_fault_kind(name));
  fault::FaultInjector faults(cluster, live, options.seed, kinds);
  fault::OrderLoadOptions load_options;
  load_options.orders_per_second = options.orders_per_second;
  load_options.seed = options.seed;
  load_options.id_prefix = "run-" + std::to_string(options.seed);
  fault::OrderLoad load(live, load_options);
  const auto begin = std::chrono::steady_clock::now();
  load.start();
  const auto end = begin + std::chrono::seconds(options.duration_s);
  while (std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(
        faults.pause(std::chrono::milliseconds(options.fault_pause_min_ms), std::chrono::milliseconds(options.fault_pause_max_ms)));
    if (std::chrono::steady_clock::now() >= end) break;
    faults.inject(faults.next_kind());
    std::cout << "started so far: " << load.started().size() << std::endl;
  }
  load.stop();
  const auto started = load.started();
  std::cout << "load stopped: " << started.size() << " workflows started; waiting for them to end" << std::endl;
  const size_t open = settle(cluster, started, std::chrono::seconds(options.settle_s));
  if (open > 0) std::cout << open << " workflows did not end within " << options.settle_s << " s" << std::endl;
  const auto approved = load.approved();
  std::cout << approved.size() << " purchase orders approved; waiting for them to end" << std::endl;
  settle(cluster, approved, std::chrono::seconds(options.settle_s));
  fault::RunVerdict verdict = fault::judge_run(cluster.store(), started);
  fault::judge_approvals(cluster.shared_store(), approved, verdict);
  if (load.approvals_not_acknowledged() > 0)
    verdict.problems.push_back(std::to_string(load.approvals_not_acknowledged()) +
                               " approvals were never acknowledged by any node");
  const int64_t run_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begin).count();
  const auto chaos = fault::chaos_injected(cluster.shared_store(), started);
  Json summary = summary_of(options, load, faults, verdict, chaos, run_ms);
  bool enough = true;
  std::vector<std::string> counted = options.kinds;
  if (counted.empty())
    for (fault::FaultKind kind : fault::kFaultKinds) counted.push_back(fault::to_string(kind));
  for (const char* kind : {"step_failure", "chaos_fail", "chaos_crash"}) counted.push_back(kind);
  for (const auto& kind : counted) {
    const int injected = summary["faults"].contains(kind) ? summary["faults"][kind]["injected"].get<int>() : 0;
    if (injected < options.faults_per_kind_min) {
      enough = false;
      summary["problems"].push_back(kind + ": " + std::to_string(injected) + " injected, fewer than " +
                                    std::to_string(options.faults_per_kind_min));
    }
  }
  for (const auto& record : faults.records())
    if (record.recovery_ms < 0) enough = false;
  summary["passed"] = verdict.passed() && enough && load.approvals_not_acknowledged() == 0;
  print_summary(summary);
  if (!options.summary_json.empty()) std::ofstream(options.summary_json) << summary.dump(2) << "\n";
  if (!options.logs_dir.empty()) {
    std::filesystem::create_directories(options.logs_dir);
    for (const auto& entry : std::filesystem::directory_iterator(cluster.dir().path()))
      if (entry.path().extension() == ".log")
        std::filesystem::copy_file(entry.path(), std::filesystem::path(options.logs_dir) / entry.path().filename(),
                                   std::filesystem::copy_options::overwrite_existing);
    std::cout << "node logs copied to " << options.logs_dir << std::endl;
  }
  return summary["passed"].get<bool>() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  RunOptions options;
  CLI::App app{"Actorflow fault run: a 3-node cluster under load and faults, then a consistency check"};
  app.add_option("--duration-s", options.duration_s, "how long faults are injected")->check(CLI::Range(5, 86'400));
  app.add_option("--seed", options.seed, "seed of the fault schedule and of the load");
  app.add_option("--rate", options.orders_per_second, "orders started per second")->check(CLI::Range(0.5, 500.0));
  app.add_option("--shards", options.shards, "cluster shards")->check(CLI::Range(1, 4096));
  app.add_option("--fault-pause-min-ms", options.fault_pause_min_ms, "pause between faults, at least")->check(CLI::Range(0, 600'000));
  app.add_option("--fault-pause-max-ms", options.fault_pause_max_ms, "pause between faults, at most")->check(CLI::Range(0, 600'000));
  app.add_option("--faults-per-kind-min", options.faults_per_kind_min, "fail unless each kind was injected this often");
  app.add_option("--settle-s", options.settle_s, "how long the workflows may take to end after the load")->check(CLI::Range(1, 3600));
  app.add_option("--summary-json", options.summary_json, "also write the summary here, as JSON");
  app.add_option("--logs-dir", options.logs_dir, "copy the nodes' logs into this directory at the end");
  app.add_option("--kinds", options.kinds, "inject only these faults (kill_node, stop_node, restart_redis, kill_redis)")
      ->delimiter(',')
      ->check([](const std::string& name) {
        return fault::parse_fault_kind(name) ? std::string() : "unknown fault kind '" + name + "'";
      });
  CLI11_PARSE(app, argc, argv);
  if (options.fault_pause_max_ms < options.fault_pause_min_ms) {
    std::cerr << "fault_run: --fault-pause-max-ms must be at least --fault-pause-min-ms\n";
    return 2;
  }
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::cerr << "fault_run: " << e.what() << "\n";
    return 1;
  }
}
