#include "testing/exploration_run.hpp"

#include <actorflow/metrics.hpp>
#include <actorflow/virtual_clock.hpp>

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>

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
                                 std::shared_ptr<VirtualClock> clock, std::shared_ptr<Store> store,
                                 std::shared_ptr<std::atomic<bool>> process_crashed) {
  EngineOptions engine = options.engine;
  engine.clock = std::move(clock);
  engine.store = std::move(store);
  if (engine.seed == 0) engine.seed = 1;
  // Virtual time jumps straight to the next timer, past any idle check; a passivated workflow
  // would then wait for the waker, which polls on its own.
  engine.passivate_after = std::nullopt;
  engine.chaos = ChaosConfig{};
  for (const auto& fault : point.faults) engine.chaos.policies.push_back(fault.policy(options.definition));
  // A crash_process fault: the run drops this engine once it is quiet, as if its process died.
  engine.on_chaos_process_crash = [process_crashed] { process_crashed->store(true); };
  return engine;
}

// The engine of a run, replaced by a new one on the same store when a crash_process fault kills
// the "process".
struct RunEngine {
  RunEngine(const ExplorationOptions& o, const FailurePoint& p, ExplorationSubject& s) : options(o), point(p), subject(s) {}

  const ExplorationOptions& options;
  const FailurePoint& point;
  ExplorationSubject& subject;
  std::shared_ptr<Store> store = make_memory_store();
  std::shared_ptr<std::atomic<bool>> process_crashed = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<VirtualClock> clock = std::make_shared<VirtualClock>();
  std::unique_ptr<Engine> engine;
  ChaosCounts chaos_before;  // counted by the engines dropped so far

  void open() {
    engine = std::make_unique<Engine>(engine_options_for(options, point, clock, store, process_crashed));
    subject.setup(*engine);
  }
  // The process died: what the next one finds is the store. Time goes on from where it was.
  void crash_and_recover() {
    process_crashed->store(false);
    const ChaosCounts counted = engine->metrics().chaos_injected;
    for (size_t i = 0; i < counted.by_kind.size(); ++i) chaos_before.by_kind[i] += counted.by_kind[i];
    const int64_t now = clock->now_ms();
    engine.reset();
    clock = std::make_shared<VirtualClock>();
    if (now > clock->now_ms()) clock->advance(Millis(now - clock->now_ms()));
    open();
    engine->recover();
  }
  ChaosCounts chaos_injected() const {
    ChaosCounts counts = engine->metrics().chaos_injected;
    for (size_t i = 0; i < counts.by_kind.size(); ++i) counts.by_kind[i] += chaos_before.by_kind[i];
    return counts;
  }
};

// Fires timers, earliest first, whenever the engine is quiet, until the workflow is terminal.
void drive_to_end(RunEngine& run, const ExplorationOptions& options, std::vector<std::string>& problems) {
  const auto deadline = SteadyClock::now() + options.run_real_time_max;
  for (int fired = 0;; ++fired) {
    const auto left = std::chrono::duration_cast<Millis>(deadline - SteadyClock::now());
    if (left.count() <= 0 || !run.engine->await_quiet(left)) {
      problems.push_back("did not settle within " + std::to_string(options.run_real_time_max.count()) +
                         " ms of real time");
      return;
    }
    if (run.process_crashed->load()) {
      run.crash_and_recover();
      continue;
    }
    Engine& engine = *run.engine;
    VirtualClock& clock = *run.clock;
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
    RunEngine run(options, point, *subject);
    run.open();
    start_and_signal(*run.engine, options, outcome.problems);
    if (outcome.problems.empty()) drive_to_end(run, options, outcome.problems);
    if (auto info = run.engine->query(kExploredWorkflowId)) outcome.result.info = *info;
    outcome.result.history = run.engine->history(kExploredWorkflowId);
    outcome.result.chaos_injected = run.chaos_injected();
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
