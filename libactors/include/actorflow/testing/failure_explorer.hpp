#pragma once
// The failure-point explorer, a test utility (CMake target actorflow::testing) to call from
// GoogleTest or any test: for one workflow and an invariant over the user's state, it runs the
// workflow once cleanly and reads from its history which steps and compensations ran, at which
// attempts; then, for each failure point (each of those attempts, each fault variant), it runs the
// workflow again on a fresh Engine (memory store, VirtualClock, so a 30 s timeout or a 2-day
// approval deadline takes no time) with exactly that fault, drives it to a terminal state and
// checks the invariant. Compensations that only run when something fails for good are explored
// too: for each fault that makes the workflow compensate, each compensation attempt it runs is a
// further point (that fault plus one in the compensation).
//
//   struct World { Shop shop; };  // default-constructible: a fresh one for every run
//   auto report = actorflow::testing::explore_failure_points<World>(
//       options,
//       [](actorflow::Engine& engine, World& world) { /* register handlers, breakers, definitions */ },
//       [](const World& world, const actorflow::testing::RunResult& run) {
//         std::vector<std::string> problems;  // empty: the invariant holds
//         if (run.info.status == actorflow::WorkflowStatus::compensated && world.shop.charged() != 0)
//           problems.push_back("charged after compensation");
//         return problems;
//       });
//   EXPECT_TRUE(report.ok()) << report.describe();
//
// Runs are deterministic for sequential workflows (the engine's seed, the chaos seed and virtual
// time are fixed); parallel branches may interleave differently from run to run.
#include <actorflow/export.hpp>
#include <actorflow/chaos.hpp>
#include <actorflow/engine.hpp>
#include <actorflow/history_event.hpp>
#include <actorflow/json.hpp>
#include <actorflow/step_handler.hpp>
#include <actorflow/workflow_definition.hpp>
#include <actorflow/workflow_info.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ACTORFLOW_API actorflow {
namespace testing {

enum class FaultVariant {
  fail_once,            // the attempt fails retryably; the retry policy takes over
  fail_for_good,        // a step fails without retries; a compensation fails at every attempt
  crash_before_commit,  // the instance crashes as the result arrives: the step runs again (same key)
  crash_after_commit,   // the instance crashes once the result is durable, before what it causes leaves
  hang,                 // the handler is not called and never answers: the attempt times out
  drop_reply,           // the handler runs, its reply is lost: the attempt times out
  // The handler runs, then the process dies with the attempt in flight: the run's engine is
  // dropped and a new one (setup called again, same subject) recovers on the same store, which
  // counts the attempt as a process death and retries it (EngineOptions::crash_attempts_max).
  crash_process,
};
std::string_view to_string(FaultVariant variant);

// Explored unless ExplorationOptions::variants says otherwise.
inline const std::vector<FaultVariant> kDefaultFaultVariants = {
    FaultVariant::fail_once, FaultVariant::fail_for_good, FaultVariant::crash_before_commit,
    FaultVariant::crash_after_commit};

// One fault at one attempt of a step or of its compensation.
struct Fault {
  std::string step;  // path
  bool compensation = false;
  int attempt = 1;
  FaultVariant variant = FaultVariant::fail_once;

  // The chaos policy that injects it into workflows of `definition`.
  ChaosPolicy policy(const std::string& definition) const;
  // e.g. "charge_payment attempt 1: crash before commit", "compensation of reserve attempt 1: fail for good"
  std::string describe() const;
  bool operator==(const Fault&) const = default;
};

// The faults of one run: one, or a fault that makes the workflow compensate and one in a
// compensation it causes. None: the clean run.
struct FailurePoint {
  std::vector<Fault> faults;

  std::string describe() const;  // "no fault" or the faults joined by ", then "
  bool operator==(const FailurePoint&) const = default;
};

// What one run ended with, for the invariant.
struct RunResult {
  FailurePoint point;
  WorkflowInfo info;
  std::vector<HistoryEvent> history;
  ChaosCounts chaos_injected;  // the faults that took effect
};

struct Violation {
  FailurePoint point;
  std::vector<std::string> problems;  // what the invariant reported, or why the run did not end
  WorkflowInfo info;
  std::vector<HistoryEvent> history;

  // The point, the problems, the end state and the history, one event a line.
  std::string describe() const;
};

struct ExplorationReport {
  int points_explored = 0;  // runs with a fault (the clean run is not counted)
  int points_skipped = 0;   // found beyond ExplorationOptions::points_max, not run
  std::vector<FailurePoint> points;  // every point explored, in order
  RunResult clean_run;               // the run without a fault, whose history gave the points
  std::vector<Violation> violations;  // the clean run's, if any, comes first
  std::chrono::milliseconds elapsed{0};

  // The invariant held at every point, and every point found was explored.
  bool ok() const { return violations.empty() && points_skipped == 0; }
  std::string describe() const;  // a summary line, then every violation
};

struct ExplorationOptions {
  std::string definition;            // the workflow to run (registered by the setup)
  Json input = Json::object();
  // Sent right after the start, in order: a signal sent before its wait is reached is kept until
  // the wait takes it. A scenario that sends none lets waits run into their deadlines.
  std::vector<std::pair<std::string, Json>> signals;
  std::vector<FaultVariant> variants = kDefaultFaultVariants;
  bool explore_compensations = true;  // the second level: faults inside compensations
  // The engine each run gets (retry and timeout defaults, restarts...). The explorer sets its
  // clock, store, seed (unless set), chaos, and turns passivation off.
  EngineOptions engine;
  int points_max = 2'000;              // more points are not run (the report says so)
  int timers_max = 1'000;              // timers fired per run before it counts as stuck
  Millis run_real_time_max{30'000};    // real time per run before it counts as stuck
};

// One run's user side: made fresh for every run, destroyed after its engine. A crash_process
// point calls setup again, for the engine that recovers the workflow, on the same subject.
class ExplorationSubject {
 public:
  virtual ~ExplorationSubject() = default;
  // Registers handlers, breakers and definitions on a fresh engine.
  virtual void setup(Engine& engine) = 0;
  // The invariant after the run: every problem found; empty when it holds.
  virtual std::vector<std::string> check(const RunResult& run) = 0;
};

using SubjectFactory = std::function<std::unique_ptr<ExplorationSubject>()>;

// Explores every failure point (see the top of this file). Never throws for the user's code: a
// setup or check that throws, a workflow that does not start or does not end, are violations.
ExplorationReport explore_failure_points(const ExplorationOptions& options, const SubjectFactory& make_subject);

// The same over a default-constructible `World`, one per run.
template <class World>
ExplorationReport explore_failure_points(
    const ExplorationOptions& options, std::function<void(Engine&, World&)> setup,
    std::function<std::vector<std::string>(const World&, const RunResult&)> invariant) {
  using Setup = std::function<void(Engine&, World&)>;
  using Invariant = std::function<std::vector<std::string>(const World&, const RunResult&)>;
  struct Subject final : ExplorationSubject {
    const Setup* setup_fn = nullptr;
    const Invariant* invariant_fn = nullptr;
    World world;
    void setup(Engine& engine) override { (*setup_fn)(engine, world); }
    std::vector<std::string> check(const RunResult& run) override { return (*invariant_fn)(world, run); }
  };
  return explore_failure_points(options, [&]() -> std::unique_ptr<ExplorationSubject> {
    auto subject = std::make_unique<Subject>();
    subject->setup_fn = &setup;
    subject->invariant_fn = &invariant;
    return subject;
  });
}

}  // namespace testing
}  // namespace actorflow
