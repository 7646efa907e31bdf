// bench_isolation: the cost per step of running a handler in a step worker process
// (node.plugins isolation: process, nodes/isolation/) against running it in the engine's process.
// The same workflow of --steps sequential steps whose handler returns {} at once runs on a SQLite
// store (durability process, a fresh file in a temp dir; --store memory: the engine alone), --workflows times, --window in flight (1: one step at a time, so the figure is the round
// trip of one step); first with the handler registered in-process, then with the handler of the
// bench plugin (isolation_bench_plugin.cpp) in --workers worker processes. Reported: steps a
// second and microseconds a step for each, and the difference per step.
#include "worker_pool.hpp"

#include <actorflow/actorflow.hpp>
#include <actorflow/logging.hpp>

#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <variant>

using namespace actorflow;

namespace {

struct Args {
  std::string node_program = ACTORFLOW_NODE_PROGRAM;
  std::string plugin = ISOLATION_BENCH_PLUGIN;
  int workflows = 2'000;
  int steps = 10;
  int window = 1;
  int workers = 2;
  std::string store = "sqlite";  // or memory
};

struct Run {
  double seconds = 0;
  int64_t steps = 0;
  int64_t not_completed = 0;
};

// Counts workflow ends; the driver waits on it.
struct Ends {
  std::mutex mutex;
  std::condition_variable changed;
  int64_t ended = 0;
  std::atomic<int64_t> not_completed{0};
  void on_end(WorkflowStatus status) {
    if (status != WorkflowStatus::completed) ++not_completed;
    std::lock_guard lock(mutex);
    ++ended;
    changed.notify_one();
  }
};

WorkflowDefinition definition(int steps) {
  WorkflowBuilder builder("bench_steps");
  for (int i = 0; i < steps; ++i) builder.step("s" + std::to_string(i), "bench.noop");
  return builder.build();
}

Run drive(Engine& engine, Ends& ends, const Args& args, const std::string& prefix) {
  const auto began = std::chrono::steady_clock::now();
  int64_t started = 0;
  std::unique_lock lock(ends.mutex);
  while (ends.ended < args.workflows) {
    while (started < args.workflows && started - ends.ended < args.window) {
      lock.unlock();
      engine.start_async("bench_steps", prefix + std::to_string(started++), Json::object(), [](StartResult) {});
      lock.lock();
    }
    if (!ends.changed.wait_for(lock, std::chrono::seconds(60), [&] {
          return ends.ended == args.workflows || (started < args.workflows && started - ends.ended < args.window);
        }))
      throw std::runtime_error("no workflow ended for 60 s");
  }
  Run run;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  run.steps = int64_t{args.workflows} * args.steps;
  run.not_completed = ends.not_completed.load();
  return run;
}

// One engine on a memory store with the bench definition; `install` registers bench.noop.
template <class Install>
Run measure(const Args& args, const std::string& prefix, Install install) {
  Ends ends;
  EngineOptions options;
  char dir[] = "/tmp/bench-isolation-XXXXXX";
  if (!mkdtemp(dir)) throw std::runtime_error("mkdtemp failed");
  const std::string db = std::string(dir) + "/bench.db";
  options.store = args.store == "memory" ? make_memory_store() : make_sqlite_store(db);
  options.passivate_after.reset();
  options.on_workflow_ended = [&ends](const std::string&, WorkflowStatus status) { ends.on_end(status); };
  Engine engine(std::move(options));
  [[maybe_unused]] auto keep = install(engine);  // the worker pool lives as long as the run
  if (Status registered = engine.register_workflow(definition(args.steps)); !registered)
    throw std::runtime_error(registered.message());
  Args warm = args;
  warm.workflows = std::max(10, args.workflows / 10);
  drive(engine, ends, warm, prefix + "warm-");
  {
    std::lock_guard lock(ends.mutex);
    ends.ended = 0;
  }
  const Run run = drive(engine, ends, args, prefix);
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);  // SQLite keeps it open until the engine goes: unlinked
  return run;
}

void report(const char* what, const Run& run) {
  std::printf("%-12s %8.0f steps/s  %8.1f us/step  (%lld steps in %.2f s%s)\n", what, run.steps / run.seconds,
              run.seconds * 1e6 / static_cast<double>(run.steps), static_cast<long long>(run.steps), run.seconds,
              run.not_completed ? ", SOME NOT COMPLETED" : "");
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  CLI::App app{"bench_isolation: per-step overhead of process isolation (isolation: process) vs in-process"};
  app.add_option("--node", args.node_program, "actorflow-node (the step worker program)");
  app.add_option("--plugin", args.plugin, "the bench plugin (registers bench.noop)");
  app.add_option("--workflows", args.workflows, "workflows per run")->check(CLI::Range(1, 10'000'000));
  app.add_option("--steps", args.steps, "steps per workflow")->check(CLI::Range(1, 1'000));
  app.add_option("--window", args.window, "workflows in flight (1: one step at a time)")->check(CLI::Range(1, 100'000));
  app.add_option("--workers", args.workers, "step worker processes")->check(CLI::Range(1, 64));
  app.add_option("--store", args.store, "sqlite (a temp file, durability process) or memory")
      ->check(CLI::IsMember({"sqlite", "memory"}));
  CLI11_PARSE(app, argc, argv);
  if (!std::getenv("BENCH_LOG")) logger()->set_level(spdlog::level::warn);  // a line per transition would be what is measured

  std::printf("%d workflows x %d steps, %d in flight, %d workers, %s store\n", args.workflows, args.steps, args.window,
              args.workers, args.store.c_str());
  const Run in_process = measure(args, "inproc-", [](Engine& engine) {
    engine.register_handler("bench.noop", [](const StepContext&) { return Json::object(); });
    return 0;
  });
  report("in-process", in_process);
  const Run isolated = measure(args, "isolated-", [&](Engine& engine) {
    node::isolation::WorkerPoolOptions options;
    options.plugin_path = args.plugin;
    options.resolved_path = args.plugin;
    options.config_key = "bench";
    options.workers = args.workers;
    options.program = args.node_program;
    options.ledger = make_memory_store();
    auto started = node::isolation::WorkerPool::start(std::move(options));
    if (auto* problem = std::get_if<std::string>(&started)) throw std::runtime_error(*problem);
    auto pool = std::get<std::shared_ptr<node::isolation::WorkerPool>>(std::move(started));
    pool->register_with(engine);
    return pool;
  });
  report("isolated", isolated);
  const double overhead_us = (isolated.seconds / static_cast<double>(isolated.steps) -
                              in_process.seconds / static_cast<double>(in_process.steps)) * 1e6;
  std::printf("overhead     %8.1f us/step (isolated - in-process)\n", overhead_us);
  return 0;
}
