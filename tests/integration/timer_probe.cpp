// A real process for the durable-timer crash test: runs `workflows` "nap" workflows (sleep, then
// a step "ring") on a durable store with a real clock, resuming whatever a killed predecessor
// left live. Instances passivate while they sleep, so the waker brings them back. "ring" records
// when it ran, once, in the ledger under "ring/<workflow id>".
// Exits 0 when every workflow completed, 1 otherwise, 2 on bad usage.
// usage: timer_probe <store spec> <workflows> <sleep_ms> <passivate_after_ms>
#include <actorflow/actorflow.hpp>

#include <iostream>

using namespace actorflow;

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: timer_probe <store spec> <workflows> <sleep_ms> <passivate_after_ms>\n";
    return 2;
  }
  try {
    auto store = open_store(argv[1]);
    const int workflows = std::stoi(argv[2]);
    EngineOptions options;
    options.store = store;
    options.passivate_after = Millis(std::stoi(argv[4]));
    options.wake_poll_interval = Millis(100);
    Engine engine(options);
    engine.register_handler("ring", [&engine](const StepContext& ctx) {
      return ctx.once("ring/" + ctx.workflow_id(), [&] { return Json{{"at_ms", engine.clock().now_ms()}}; });
    });
    auto status = engine.register_workflow(
        WorkflowBuilder("nap").sleep("nap", Millis(std::stoi(argv[3]))).step("ring", "ring").build());
    if (!status) throw std::runtime_error(status.message());

    std::cout << "resumed " << engine.recover() << " live workflows" << std::endl;
    for (int i = 0; i < workflows; ++i) {
      auto started = engine.start("nap", "nap-" + std::to_string(i));
      if (!started.status) throw std::runtime_error(started.status.message());
    }
    int completed = 0;
    for (int i = 0; i < workflows; ++i) {
      auto info = engine.wait("nap-" + std::to_string(i), Millis(60'000));
      if (info && info->status == WorkflowStatus::completed) ++completed;
    }
    std::cout << "completed " << completed << "/" << workflows << std::endl;
    return completed == workflows ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "timer_probe: " << e.what() << "\n";
    return 2;
  }
}
