// A real process for the cron schedule crash test: an engine on a durable store and a virtual
// clock starting at <clock start ms>, with the schedule "minutely" ("* * * * *", overlap allow,
// catch-up <all|once|skip>) starting workflow "tick", whose one step records its fire, once, in the
// ledger under "tick/<workflow id>". It resumes whatever a killed predecessor left: live
// workflows, fires decided but not started, fires missed while no process ran.
//   fire:   then fires minute after minute as fast as it can, until it is killed.
//   settle: then waits until no workflow is live (advancing the clock to retry backoffs) and exits 0.
// Exits 1 when something did not happen in time, 2 on bad usage or a failed setup.
// usage: schedule_probe <store spec> <clock start ms> <all|once|skip> <fire|settle>
#include <actorflow/actorflow.hpp>
#include <actorflow/virtual_clock.hpp>

#include <chrono>
#include <iostream>
#include <thread>
#include <variant>

using namespace actorflow;

namespace {

constexpr int kFiresMax = 100'000;  // a probe nobody kills ends after this many fires
constexpr auto kTimerWait = std::chrono::seconds(20);

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: schedule_probe <store spec> <clock start ms> <all|once|skip> <fire|settle>\n";
    return 2;
  }
  try {
    const std::string mode = argv[4];
    auto catch_up = parse_catch_up_policy(argv[3]);
    if (auto* problem = std::get_if<Status>(&catch_up)) throw std::runtime_error(problem->message());
    if (mode != "fire" && mode != "settle") throw std::runtime_error("mode '" + mode + "' is not fire or settle");
    auto clock = std::make_shared<VirtualClock>(std::stoll(argv[2]));
    auto store = open_store(argv[1]);
    EngineOptions options;
    options.clock = clock;
    options.store = store;
    options.passivate_after = std::nullopt;
    options.step_timeout_default = Millis(24 * 3'600'000);  // virtual minutes fly by: no step times out
    Engine engine(options);
    engine.register_handler("tick", [](const StepContext& ctx) {
      return ctx.once("tick/" + ctx.workflow_id(), [&] { return Json{{"fire_ms", ctx.input()["schedule"]["fire_ms"]}}; });
    });
    if (auto status = engine.register_workflow(WorkflowBuilder("tick").step("tick", "tick").build()); !status)
      throw std::runtime_error(status.message());

    std::cout << "resumed " << engine.recover() << " live workflows" << std::endl;
    ScheduleSpec spec;
    spec.id = "minutely";
    spec.cron = "* * * * *";
    spec.definition = "tick";
    spec.overlap = OverlapPolicy::allow;
    spec.catch_up = std::get<CatchUpPolicy>(catch_up);
    spec.catch_up_fires_max = 1'000;
    if (auto status = engine.create_schedule(spec); !status) throw std::runtime_error(status.message());
    // Armed once the scheduler has caught up.
    if (!clock->await_timer("schedule minutely fire", kTimerWait)) {
      std::cerr << "schedule_probe: no fire armed\n";
      return 1;
    }

    if (mode == "fire") {
      for (int fired = 0; fired < kFiresMax; ++fired) {
        if (!clock->advance_to_timer("schedule minutely fire", kTimerWait)) {
          std::cerr << "schedule_probe: the scheduler did not re-arm after " << fired << " fires\n";
          return 1;
        }
      }
      return 1;  // never killed
    }

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (auto live = store->live_workflows(); !live.empty(); live = store->live_workflows()) {
      if (std::chrono::steady_clock::now() > deadline) {
        std::cerr << "schedule_probe: " << live.size() << " workflows still live\n";
        return 1;
      }
      auto info = engine.wait(live.front(), Millis(1'000));
      // A step that ran when a process was killed is retried after a backoff on the virtual
      // clock (the death counts as an attempt): bring that time on.
      if (!info || !is_terminal(info->status)) clock->advance_to_timer(" backoff", std::chrono::milliseconds(100));
    }
    std::cout << "settled" << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "schedule_probe: " << e.what() << "\n";
    return 2;
  }
}
