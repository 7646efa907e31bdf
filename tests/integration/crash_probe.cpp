// A real process for crash tests: runs `workflows` three-step "transfer" workflows on a durable
// store, resuming whatever a killed predecessor left live. Each step records every call under
// "call/<key>/<pid>/<attempt>" and its effect once, through the idempotency ledger.
// Exits 0 when every workflow completed, 1 otherwise, 2 on bad usage.
// usage: crash_probe <store spec, see open_store> <workflows> <step_delay_ms>
#include <actorflow/actorflow.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>
#include <unistd.h>

using namespace actorflow;

namespace {

SyncHandler transfer_step(Store& store, int step_delay_ms) {
  return [&store, step_delay_ms](const StepContext& ctx) {
    store.ledger_put("call/" + ctx.idempotency_key() + "/" + std::to_string(getpid()) + "/" +
                         std::to_string(ctx.attempt()),
                     "");
    std::this_thread::sleep_for(std::chrono::milliseconds(step_delay_ms));  // the step's work
    return ctx.once([&] { return Json{{"pid", getpid()}, {"attempt", ctx.attempt()}}; });
  };
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: crash_probe sqlite:<path>|redis:<host>:<port>:<prefix> <workflows> <step_delay_ms>\n";
    return 2;
  }
  try {
    auto store = open_store(argv[1]);
    const int workflows = std::stoi(argv[2]);
    const int step_delay_ms = std::stoi(argv[3]);
    EngineOptions options;
    options.store = store;
    options.retry_default.interval_initial = Millis(20);
    Engine engine(options);
    for (const char* step : {"debit", "credit", "notify"}) engine.register_handler(step, transfer_step(*store, step_delay_ms));
    auto status = engine.register_workflow(
        WorkflowBuilder("transfer").step("debit", "debit").step("credit", "credit").step("notify", "notify").build());
    if (!status) throw std::runtime_error(status.message());

    const int resumed = engine.recover();
    std::cout << "resumed " << resumed << " live workflows" << std::endl;
    for (int i = 0; i < workflows; ++i) {
      auto started = engine.start("transfer", "t-" + std::to_string(i));
      if (!started.status) throw std::runtime_error(started.status.message());
    }
    int completed = 0;
    for (int i = 0; i < workflows; ++i) {
      auto info = engine.wait("t-" + std::to_string(i), Millis(120'000));
      if (info && info->status == WorkflowStatus::completed) ++completed;
    }
    std::cout << "completed " << completed << "/" << workflows << std::endl;
    return completed == workflows ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "crash_probe: " << e.what() << "\n";
    return 2;
  }
}
