#include "testing/exploration_run.hpp"

#include <actorflow/virtual_clock.hpp>

#include <chrono>
#include <exception>

namespace actorflow::testing {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string what_of(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "a non-standard exception";
  }
}

EngineOptions engine_options_for(const ExplorationOptions& options, const FailurePoint& point,
                                 std::shared_ptr<VirtualClock> clock) {
  EngineOptions engine = options.engine;
  engine.clock = std::move(clock);
  engine.store = make_memory_store();
  if (engine.seed == 0) engine.seed = 1;
  // Virtual time jumps straight to the next timer, past any idle check; a passivated workflow
  // would then wait for the waker, which polls on its own.
  engine.passivate_after = std::nullopt;
  engine.chaos = ChaosConfig{};
  for (const auto& fault : point.faults) engine.chaos.policies.push_back(fault.policy(options.definition));
  return engine;
}

// Fires timers, earliest first, whenever the engine is quiet, until the workflow is terminal.
void drive_to_end(Engine& engine, VirtualClock& clock, const ExplorationOptions& options,
                  std::vector<std::string>& problems) {
  const auto deadline = SteadyClock::now() + options.run_real_time_max;
  for (int fired = 0;; ++fired) {
    const auto left = std::chrono::duration_cast<Millis>(deadline - SteadyClock::now());
    if (left.count() <= 0 || !engine.await_quiet(left)) {
      problems.push_back("did not settle within " + std::to_string(options.run_real_time_max.count()) +
                         " ms of real time");
      return;
    }
    auto info = engine.query(kExploredWorkflowId);
    if (!info) {
      problems.push_back("the workflow is not in the store");
      return;
    }
    if (is_terminal(info->status)) return;
    const auto pending = clock.pending();
    if (pending.empty()) {
      problems.push_back("stuck " + std::string(to_string(info->status)) +
                         ": nothing runs and no timer is due (does it wait for a signal the scenario does not send?)");
      return;
    }
    if (fired == options.timers_max) {
      problems.push_back("not ended after " + std::to_string(options.timers_max) + " timers (timers_max)");
      return;
    }
    clock.advance(Millis(std::max<int64_t>(0, pending.front().due_ms - clock.now_ms())));
  }
}

void start_and_signal(Engine& engine, const ExplorationOptions& options, std::vector<std::string>& problems) {
  auto started = engine.start(options.definition, kExploredWorkflowId, options.input);
  if (!started.status) {
    problems.push_back("the workflow did not start: " + started.status.message());
    return;
  }
  for (const auto& [name, payload] : options.signals) {
    auto sent = engine.signal(kExploredWorkflowId, name, payload);
    auto info = engine.query(kExploredWorkflowId);
    if (!sent && !(info && is_terminal(info->status)))  // one that ended early takes no signal: fine
      problems.push_back("signal '" + name + "' was not delivered: " + sent.message());
  }
}

}  // namespace

RunOutcome run_failure_point(const ExplorationOptions& options, const FailurePoint& point,
                             const SubjectFactory& make_subject) {
  RunOutcome outcome;
  outcome.result.point = point;
  std::unique_ptr<ExplorationSubject> subject;
  try {
    subject = make_subject();
  } catch (...) {
    outcome.problems.push_back("making the subject threw: " + what_of(std::current_exception()));
    return outcome;
  }
  try {
    auto clock = std::make_shared<VirtualClock>();
    Engine engine(engine_options_for(options, point, clock));
    subject->setup(engine);
    start_and_signal(engine, options, outcome.problems);
    if (outcome.problems.empty()) drive_to_end(engine, *clock, options, outcome.problems);
    if (auto info = engine.query(kExploredWorkflowId)) outcome.result.info = *info;
    outcome.result.history = engine.history(kExploredWorkflowId);
    outcome.result.chaos_injected = engine.metrics().chaos_injected;
  } catch (...) {
    outcome.problems.push_back("the run threw: " + what_of(std::current_exception()));
    return outcome;
  }
  // The engine is gone: no handler touches the subject's state while it is checked.
  try {
    for (auto& problem : subject->check(outcome.result)) outcome.problems.push_back(std::move(problem));
  } catch (...) {
    outcome.problems.push_back("the invariant threw: " + what_of(std::current_exception()));
  }
  return outcome;
}

}  // namespace actorflow::testing
