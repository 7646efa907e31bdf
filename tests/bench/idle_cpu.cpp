#include "idle_cpu.hpp"

#include "process_stats.hpp"
#include "saga_load.hpp"

#include "child_process.hpp"
#include "temp_dir.hpp"

#include <actorflow/actorflow.hpp>

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <thread>

namespace bench {

using namespace actorflow;

namespace {

constexpr int kLoadWorkflowsMax = 1'000'000;  // more than 200 ms of load can start
constexpr auto kNodeStartUp = std::chrono::seconds(2);

void write_node_config(const actorflow::testing::TempDir& dir) {
  std::filesystem::create_directory(dir.file("workflows"));
  std::ofstream config(dir.file("node.yaml"));
  config << "node:\n  id: bench-idle\n  workflows_dir: '" << dir.file("workflows") << "'\n"
         << "http:\n  listen: 127.0.0.1:0\n"
         << "store: memory\n"
         << "log:\n  level: warn\n";
}

}  // namespace

IdleCpu measure_idle_cpu(EngineOptions options, const std::string& node_program, std::chrono::seconds duration) {
  SagaLoad load(kLoadWorkflowsMax);
  auto counts = std::make_shared<actorflow::testing::CountingStore>(make_memory_store());
  options.store = counts;
  load.attach(options);
  Engine engine(options);
  if (auto status = load.install(engine); !status) throw std::runtime_error(status.message());
  load.saturate(engine, *counts, 100, std::chrono::milliseconds(0), std::chrono::milliseconds(200));

  std::optional<actorflow::testing::TempDir> node_dir;
  pid_t node = -1;
  if (!node_program.empty()) {
    node_dir.emplace();
    write_node_config(*node_dir);
    node = actorflow::testing::spawn_program(node_program, {"--config", node_dir->file("node.yaml")});
  }
  std::this_thread::sleep_for(kNodeStartUp);  // the node starts; the engine's actors settle

  IdleCpu idle;
  const auto begin = std::chrono::steady_clock::now();
  const double engine_before = cpu_seconds(getpid());
  const double node_before = node > 0 ? cpu_seconds(node) : 0;
  std::this_thread::sleep_for(duration);
  const double engine_after = cpu_seconds(getpid());
  const double node_after = node > 0 ? cpu_seconds(node) : 0;
  idle.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  idle.engine_percent = 100 * (engine_after - engine_before) / idle.seconds;
  if (node > 0) {
    idle.node_percent = 100 * (node_after - node_before) / idle.seconds;
    kill(node, SIGTERM);
    actorflow::testing::wait_exit(node, std::chrono::seconds(30));
  }
  return idle;
}

}  // namespace bench
