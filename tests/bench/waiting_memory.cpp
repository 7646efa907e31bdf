// Benchmark: memory per waiting workflow. Starts N workflows that wait for a signal on a SQLite
// store, lets every instance passivate, and reports the process' resident memory per waiting
// workflow; then signals a sample to show that they come back.
// usage: bench_waiting_memory [--workflows N] [--store sqlite:<path>] [--passivate-after-ms M]
#include "process_stats.hpp"

#include <actorflow/actorflow.hpp>
#include <actorflow/logging.hpp>

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

using namespace actorflow;

namespace {

// Freed actors go back to the system first (malloc_trim), so RSS shows what is still held.
int64_t resident_bytes() { return bench::resident_bytes(getpid()); }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int workflows = 100'000;
  int passivate_after_ms = 200;
  int threads = 4;
  int sample = 1'000;
  std::string store_spec = "sqlite:bench_waiting.db";
  CLI::App app{"Memory per waiting (passivated) workflow."};
  app.add_option("--workflows", workflows, "waiting workflows to start")->check(CLI::PositiveNumber);
  app.add_option("--store", store_spec, "store spec (a fresh SQLite file is best)");
  app.add_option("--passivate-after-ms", passivate_after_ms, "idle time before an instance passivates");
  app.add_option("--threads", threads, "threads starting workflows")->check(CLI::PositiveNumber);
  app.add_option("--signal-sample", sample, "workflows signalled at the end to check they come back");
  CLI11_PARSE(app, argc, argv);
  if (store_spec.rfind("sqlite:", 0) == 0) std::filesystem::remove(store_spec.substr(7));

  logger()->set_level(spdlog::level::warn);
  EngineOptions options;
  options.store = open_store(store_spec);
  options.passivate_after = Millis(passivate_after_ms);
  Engine engine(options);
  engine.register_handler("done", [](const StepContext&) { return Json::object(); });
  if (auto status = engine.register_workflow(
          WorkflowBuilder("waiter").wait_for(WaitSpec("go", "go")).step("done", "done").build());
      !status) {
    std::cerr << status.message() << "\n";
    return 2;
  }
  const int64_t baseline = resident_bytes();

  const auto start = std::chrono::steady_clock::now();
  std::atomic<int> next{0};
  std::vector<std::thread> starters;
  for (int t = 0; t < threads; ++t) {
    starters.emplace_back([&] {
      for (int i = next++; i < workflows; i = next++) {
        engine.start("waiter", "w-" + std::to_string(i));
        if (i > 0 && i % 10'000 == 0) std::cerr << "started " << i << "/" << workflows << "\n";
      }
    });
  }
  for (auto& starter : starters) starter.join();
  const double start_s = seconds_since(start);
  const int64_t peak = resident_bytes();
  const size_t running_after_start = engine.running_instances();

  const auto passivating = std::chrono::steady_clock::now();
  size_t running = running_after_start;
  while (running > 0 && seconds_since(passivating) < 120) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    running = engine.running_instances();
  }
  const int64_t waiting = resident_bytes();

  const auto signalling = std::chrono::steady_clock::now();
  int completed = 0;
  for (int i = 0; i < sample && i < workflows; ++i) engine.signal("w-" + std::to_string(i), "go");
  for (int i = 0; i < sample && i < workflows; ++i) {
    auto info = engine.wait("w-" + std::to_string(i), Millis(30'000));
    completed += info && info->status == WorkflowStatus::completed;
  }
  const double signal_s = seconds_since(signalling);

  std::printf("workflows waiting:          %d (store %s)\n", workflows, store_spec.c_str());
  std::printf("started in:                 %.2f s (%.0f starts/s, %d threads)\n", start_s, workflows / start_s, threads);
  std::printf("instances running after start: %zu, after passivation: %zu\n", running_after_start, running);
  std::printf("resident memory: baseline %.1f MiB, all started %.1f MiB, all passivated %.1f MiB\n",
              baseline / 1048576.0, peak / 1048576.0, waiting / 1048576.0);
  std::printf("bytes per waiting workflow:  %.0f (passivated), %.0f (while instances were running)\n",
              double(waiting - baseline) / workflows, double(peak - baseline) / workflows);
  std::printf("signalled %d passivated workflows: %d completed in %.2f s\n", sample, completed, signal_s);
  return running == 0 && completed == std::min(sample, workflows) ? 0 : 1;
}
