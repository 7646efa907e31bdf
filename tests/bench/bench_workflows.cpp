// End-to-end benchmark: the order-saga shape (3 sequential steps, trivial handlers, write-ahead
// on) on each store: workflows completed a second at saturation; latency (start call to durable
// end) at half that rate and one workflow at a time; writes per workflow; the raw CAF
// request/response and Redis pipelined SET rates of this machine, measured in the same run, so
// each figure is also a fraction of those limits; memory per in-flight workflow; idle CPU.
// See tests/bench/README.md. Prints Markdown tables; --json writes every figure.
#include "idle_cpu.hpp"
#include "inflight_memory.hpp"
#include "limits.hpp"
#include "saga_load.hpp"
#include "store_under_test.hpp"

#include <actorflow/actorflow.hpp>
#include <actorflow/logging.hpp>

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

using namespace actorflow;
using namespace bench;

namespace {

struct StoreFigures {
  std::string name;
  std::string description;
  Throughput saturated;
  LatencyRun at_half_rate;
  LatencyRun one_at_a_time;
  int64_t problems = 0;
};

std::string first_line_of(const std::string& path, const std::string& starting) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(starting, 0) == 0) return line;
  return "";
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

std::string machine() {
  std::string model = first_line_of("/proc/cpuinfo", "model name");
  if (auto colon = model.find(':'); colon != std::string::npos) model = model.substr(colon + 2);
  std::string memory = first_line_of("/proc/meminfo", "MemTotal:");
  std::istringstream words(memory);
  std::string label;
  int64_t kib = 0;
  words >> label >> kib;
  return model + ", " + std::to_string(std::thread::hardware_concurrency()) + " cores, " +
         std::to_string(kib / 1024 / 1024) + " GiB";
}

std::string number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f", value);
  // Thousands separators on the integer part.
  std::string out(text);
  auto dot = out.find('.');
  for (long i = static_cast<long>(dot == std::string::npos ? out.size() : dot) - 3; i > 0; i -= 3)
    out.insert(static_cast<size_t>(i), ",");
  return out;
}

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, fraction >= 0.1 ? "%.0f%%" : "%.1f%%", 100 * fraction);
  return text;
}

std::string latencies(const LatencyRun& run) {
  return number(run.latency.p50_ms) + " / " + number(run.latency.p99_ms) + " / " + number(run.latency.max_ms);
}

Json to_json(const LatencyRun& run) {
  return {{"rate_per_second", run.rate_per_second}, {"count", run.latency.count}, {"p50_ms", run.latency.p50_ms},
          {"p99_ms", run.latency.p99_ms}, {"max_ms", run.latency.max_ms}, {"unfinished", run.unfinished}};
}

// The engine settings given on the command line.
struct EngineSetup {
  int step_workers = EngineOptions{}.step_workers;
  int scheduler_threads = 0;
  EngineOptions::SchedulerPolicy scheduler_policy = EngineOptions::SchedulerPolicy::sharing;
};

// Options from the command line, on `store`, hooked to `load` when given.
EngineOptions engine_options(const EngineSetup& setup, std::shared_ptr<Store> store, SagaLoad* load) {
  EngineOptions options;
  options.store = std::move(store);
  options.step_workers = setup.step_workers;
  options.scheduler_threads = setup.scheduler_threads;
  options.scheduler_policy = setup.scheduler_policy;
  if (load != nullptr) load->attach(options);
  return options;
}

// Just `count` workflows, so that a profiler's totals divide by a known number.
int run_for_profile(const StoreUnderTest& store, int64_t count, int64_t window, const EngineSetup& setup) {
  auto counts = std::make_shared<actorflow::testing::CountingStore>(store.store());
  SagaLoad load(count + window);
  Engine engine(engine_options(setup, counts, &load));
  if (auto status = load.install(engine); !status) return 2;
  const int64_t done = load.run_count(engine, count, window);
  std::printf("%lld workflows on %s, %.2f writes each\n", static_cast<long long>(done), store.name().c_str(),
              static_cast<double>(counts->writes()) / static_cast<double>(done));
  return load.problems() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> store_specs{"memory", "sqlite", "sqlite@machine", "redis", "redis@machine"};
  int duration_s = 5;
  int64_t window = 2000;
  int64_t serial_max = 2000;
  int64_t in_flight = 20'000;
  int idle_s = 10;
  int scheduler_threads = 0;
  std::string scheduler_policy = "sharing";
  int step_workers = EngineOptions{}.step_workers;
  int64_t workflows_max = 8'000'000;
  std::string node_program;
  std::string json_path;
  bool skip_limits = false;
  int64_t profile_workflows = 0;
  CLI::App app{"Actorflow end-to-end benchmark: the order-saga shape on each store."};
  app.add_option("--store", store_specs, "stores: memory, sqlite[:PATH], redis[:HOST:PORT], each optionally @machine (durability machine: "
                 "SQLite synchronous=FULL, Redis appendfsync always); repeat; default memory, sqlite, sqlite@machine, "
                 "redis, redis@machine");
  app.add_option("--duration", duration_s, "seconds of each measured phase")->check(CLI::Range(1, 600));
  app.add_option("--window", window, "workflows kept in flight at saturation")->check(CLI::Range(1, 1'000'000));
  app.add_option("--serial-max", serial_max, "at most this many workflows one at a time")->check(CLI::PositiveNumber);
  app.add_option("--in-flight", in_flight, "workflows held in flight for the memory figure (0: skip)")->check(CLI::NonNegativeNumber);
  app.add_option("--idle", idle_s, "seconds of the idle CPU measurement (0: skip)")->check(CLI::Range(0, 600));
  app.add_option("--node", node_program, "actorflow-node program: its idle CPU is measured too");
  app.add_option("--scheduler-threads", scheduler_threads, "EngineOptions::scheduler_threads (0: one per core)");
  app.add_option("--scheduler-policy", scheduler_policy, "EngineOptions::scheduler_policy")
      ->check(CLI::IsMember({"sharing", "stealing"}));
  app.add_option("--step-workers", step_workers, "EngineOptions::step_workers")->check(CLI::Range(1, 1024));
  app.add_option("--workflows-max", workflows_max, "workflows one store's run may start")->check(CLI::PositiveNumber);
  app.add_option("--json", json_path, "also write every figure to this file");
  app.add_flag("--skip-limits", skip_limits, "do not measure the CAF and Redis limits (for profiling)");
  app.add_option("--profile", profile_workflows,
                 "only run this many workflows (--window in flight) on the first store and exit: for callgrind")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  if (!std::getenv("ACTORFLOW_LOG_LEVEL")) logger()->set_level(spdlog::level::warn);
  const auto duration = std::chrono::milliseconds(duration_s * 1000);
  EngineSetup setup;
  setup.step_workers = step_workers;
  setup.scheduler_threads = scheduler_threads;
  setup.scheduler_policy = scheduler_policy == "sharing" ? EngineOptions::SchedulerPolicy::sharing
                                                         : EngineOptions::SchedulerPolicy::stealing;

  const std::string load_before = load_average();

  std::vector<std::unique_ptr<StoreUnderTest>> stores;
  try {
    for (const auto& spec : store_specs) stores.push_back(std::make_unique<StoreUnderTest>(spec));
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  if (profile_workflows > 0) return run_for_profile(*stores.front(), profile_workflows, window, setup);

  if (!skip_limits) std::cerr << "limits: CAF request/response...\n";
  // The scheduler as the engine sets it up (configure_scheduler in src/workflow/engine.cpp).
  caf::actor_system_config caf_config;
  caf_config.set("scheduler.max-threads", scheduler_threads > 0 ? static_cast<size_t>(scheduler_threads)
                                                                : std::max(1u, std::thread::hardware_concurrency()));
  caf_config.set("scheduler.policy", scheduler_policy == "sharing" ? caf::atom("sharing") : caf::atom("stealing"));
  const double caf_rate = skip_limits ? 1 : caf_round_trips_per_second(caf_config, 64, std::chrono::seconds(2));
  double redis_rate = 0;
  for (const auto& store : stores) {
    if (!store->is_redis() || skip_limits) continue;
    std::cerr << "limits: Redis pipelined SET...\n";
    redis_rate = redis_pipelined_sets_per_second(store->redis_host(), store->redis_port(), 1000, 200, std::chrono::seconds(2));
    break;
  }

  std::vector<StoreFigures> figures;
  for (const auto& store : stores) {
    std::cerr << store->name() << ": saturation...\n";
    auto counts = std::make_shared<actorflow::testing::CountingStore>(store->store());
    SagaLoad load(workflows_max);
    Engine engine(engine_options(setup, counts, &load));
    if (auto status = load.install(engine); !status) {
      std::cerr << status.message() << "\n";
      return 2;
    }
    StoreFigures f;
    f.name = store->name();
    f.description = store->description();
    f.saturated = load.saturate(engine, *counts, window, std::chrono::seconds(1), duration, store->server_pid());
    std::cerr << store->name() << ": " << number(f.saturated.per_second) << " workflows/s; at half that rate...\n";
    f.at_half_rate = load.at_rate(engine, f.saturated.per_second / 2, duration);
    std::cerr << store->name() << ": one at a time...\n";
    f.one_at_a_time = load.one_at_a_time(engine, duration, serial_max);
    f.problems = load.problems();
    figures.push_back(std::move(f));
  }

  InFlightMemory memory;
  if (in_flight > 0) {
    std::cerr << "memory per in-flight workflow (sqlite)...\n";
    StoreUnderTest sqlite("sqlite");
    memory = measure_in_flight_memory(sqlite.store(), in_flight);
  }
  IdleCpu idle;
  if (idle_s > 0) {
    std::cerr << "idle CPU for " << idle_s << " s...\n";
    idle = measure_idle_cpu(engine_options(setup, nullptr, nullptr), node_program, std::chrono::seconds(idle_s));
  }
  const std::string load_after = load_average();

  std::printf("Machine: %s; load average before %s, after %s\n", machine().c_str(), load_before.c_str(),
              load_after.c_str());
  std::printf("Limits measured in this run: CAF request/response %s round trips/s (64 actors); "
              "Redis pipelined SET %s/s (1 connection, batches of 1000, 200-byte values)\n\n",
              number(caf_rate).c_str(), redis_rate > 0 ? number(redis_rate).c_str() : "(not measured)");
  std::printf("| store | workflows/s | of CAF r/r | writes/workflow | writes/commit | store writes/s | of Redis SET | CPU cores (process + server) | CPU µs/workflow | context switches/workflow |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& f : figures) {
    const double writes_per_s = f.saturated.per_second * f.saturated.writes_per_workflow;
    std::string cores = number(f.saturated.process_cores);
    if (f.saturated.server_cores >= 0) cores += " + " + number(f.saturated.server_cores);
    const double cpu_us = 1e6 * (f.saturated.process_cores + std::max(0.0, f.saturated.server_cores)) / f.saturated.per_second;
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f.name.c_str(), number(f.saturated.per_second).c_str(),
                percent(f.saturated.per_second / caf_rate).c_str(), number(f.saturated.writes_per_workflow).c_str(),
                number(f.saturated.writes_per_commit).c_str(), number(writes_per_s).c_str(),
                f.name.rfind("redis", 0) == 0 && redis_rate > 0 ? percent(writes_per_s / redis_rate).c_str() : "-", cores.c_str(),
                number(cpu_us).c_str(), number(f.saturated.context_switches_per_workflow).c_str());
  }
  std::printf("\nLatency from the start call to the durable end, ms (p50 / p99 / max):\n\n");
  std::printf("| store | at half the saturated rate | rate reached | one at a time | problems |\n");
  std::printf("|---|---|---|---|---|\n");
  for (const auto& f : figures) {
    std::printf("| %s | %s | %s/s | %s | %lld |\n", f.name.c_str(), latencies(f.at_half_rate).c_str(),
                number(f.at_half_rate.rate_per_second).c_str(), latencies(f.one_at_a_time).c_str(),
                static_cast<long long>(f.problems + f.at_half_rate.unfinished + f.one_at_a_time.unfinished));
  }
  if (in_flight > 0)
    std::printf("\nMemory per in-flight workflow: %s bytes (%lld held in their first step, SQLite store; %lld completed after release)\n",
                number(memory.bytes_per_workflow).c_str(), static_cast<long long>(memory.workflows),
                static_cast<long long>(memory.completed));
  if (idle_s > 0) {
    std::printf("Idle CPU over %.0f s: engine %.2f%% of a core", idle.seconds, idle.engine_percent);
    if (idle.node_percent >= 0) std::printf(", actorflow-node %.2f%%", idle.node_percent);
    std::printf("\n");
  }

  if (!json_path.empty()) {
    Json out{{"machine", machine()}, {"load_before", load_before}, {"load_after", load_after},
             {"duration_s", duration_s}, {"window", window},
             {"limits", {{"caf_round_trips_per_second", caf_rate}, {"redis_pipelined_sets_per_second", redis_rate}}},
             {"stores", Json::array()}};
    for (const auto& f : figures) {
      out["stores"].push_back({{"store", f.name}, {"description", f.description},
                               {"workflows_per_second", f.saturated.per_second},
                               {"writes_per_workflow", f.saturated.writes_per_workflow},
                               {"writes_per_commit", f.saturated.writes_per_commit},
                               {"process_cores", f.saturated.process_cores}, {"server_cores", f.saturated.server_cores},
                               {"context_switches_per_workflow", f.saturated.context_switches_per_workflow},
                               {"at_half_rate", to_json(f.at_half_rate)}, {"one_at_a_time", to_json(f.one_at_a_time)},
                               {"problems", f.problems}});
    }
    if (in_flight > 0) out["in_flight_memory"] = {{"workflows", memory.workflows}, {"bytes_per_workflow", memory.bytes_per_workflow}};
    if (idle_s > 0) out["idle_cpu"] = {{"seconds", idle.seconds}, {"engine_percent", idle.engine_percent}, {"node_percent", idle.node_percent}};
    std::ofstream(json_path) << out.dump(2) << "\n";
  }
  int64_t problems = 0;
  for (const auto& f : figures) problems += f.problems + f.at_half_rate.unfinished + f.one_at_a_time.unfinished;
  return problems == 0 && memory.completed == memory.workflows ? 0 : 1;
}
