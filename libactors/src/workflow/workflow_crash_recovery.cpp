// A step that was in flight when its process died: the attempt ended without an answer, so it
// counts as a failed attempt whose outcome is unknown (like a timeout), and a step in flight at
// crash_attempts_max process deaths in a row is not run again. The counts live in the snapshot
// and are committed with the transition that retries the step (write-ahead), so neither a restart
// nor a shard moving to another node resets them.
//
// What counts as a process death: the workflow is resumed (Engine::recover, a cluster node
// taking its shard, a passivated workflow brought back) with a step running in its snapshot that
// no one released. A drain and a hand-over release the steps they leave in flight; a step
// waiting for its breaker's permit is released too (no handler runs it yet). An in-process
// restart of the instance actor (InstanceStart::restarted: a bug in the instance, a throwing
// condition, an injected crash) is not a process death: the handler may still be running in this
// process, nothing says it caused the crash, and the supervisor's restart intensity
// (instance_restarts_max) bounds that loop. Child workflows and remote steps run elsewhere and
// are not counted here (a child counts its own steps; a remote step's node dying is a timeout).
#include "workflow/workflow_runner.hpp"

#include <actorflow/logging.hpp>

#include <caf/all.hpp>

#include <future>

namespace actorflow {
namespace {

constexpr const char* kDiedRunning = "the process died while this step ran";

std::string crash_reason(int crashes, int crashes_max) {
  if (crashes >= crashes_max)
    return std::string(kDiedRunning) + ", " + std::to_string(crashes) + (crashes == 1 ? " time" : " times") +
           " in a row (crash_attempts_max = " + std::to_string(crashes_max) + "): not run again";
  return std::string(kDiedRunning) + " (" + std::to_string(crashes) + " of " + std::to_string(crashes_max) +
         " deaths in a row, crash_attempts_max)";
}

}  // namespace

std::string CrashRecovery::text() const {
  return "recovered after a crash while " + std::string(compensation ? "the compensation of step " : "step ") + step +
         " of workflow " + workflow_id + " ran (" + std::to_string(crashes) + " of " + std::to_string(crashes_max) +
         ")";
}

void Engine::Core::Counters::crash_recovered(CrashRecovery recovery) {
  ++crash_suspected_steps;
  log_json(spdlog::level::warn, {{"event", "step_crash_recovered"}, {"workflow_id", recovery.workflow_id},
                                 {"step", recovery.step}, {"crashes", recovery.crashes},
                                 {"crash_attempts_max", recovery.crashes_max}, {"detail", recovery.text()}});
  std::lock_guard lock(mutex);
  crash_recoveries.push_back(std::move(recovery));
  while (crash_recoveries.size() > kCrashRecoveriesKept) crash_recoveries.pop_front();
}

std::vector<CrashRecovery> Engine::crash_recoveries() const {
  std::lock_guard lock(core_->counters.mutex);
  return {core_->counters.crash_recoveries.begin(), core_->counters.crash_recoveries.end()};
}

bool WorkflowRunner::died_in_flight(InstanceStart start, const Node& node, const StepRecord& rec,
                                    bool compensation) const {
  if (start != InstanceStart::recovered && start != InstanceStart::rehydrated) return false;
  if (rec.released) return false;
  if (node.kind == Node::Kind::child && !compensation) return false;
  return !core_.is_remote_handler(compensation ? node.step.compensation : node.step.handler);
}

void WorkflowRunner::step_died(const Node& node) {
  auto& rec = state_.steps[node.path];
  rec.outcome_unknown = true;  // it may have taken effect before the process died
  const int crashes = ++rec.crashes;
  const int crashes_max = core_.options.crash_attempts_max;
  core_.counters.crash_recovered({state_.id, node.path, false, crashes, crashes_max, core_.clock->now_ms()});
  const bool last = crashes >= crashes_max;
  step_failed(node, StepOutcome::failure(crash_reason(crashes, crashes_max), !last), -1, /*then_advance=*/false);
}

void WorkflowRunner::compensation_died(const Node& node) {
  auto& rec = state_.steps[node.path];
  const int crashes = ++rec.compensation_crashes;
  const int crashes_max = core_.options.crash_attempts_max;
  core_.counters.crash_recovered({state_.id, node.path, true, crashes, crashes_max, core_.clock->now_ms()});
  compensation_failed(node, crash_reason(crashes, crashes_max), -1, /*retryable=*/crashes < crashes_max);
}

std::function<bool()> WorkflowRunner::announce_suspect(const std::string& path, uint64_t token, Millis hold) {
  std::weak_ptr<Engine::Core> weak_core = core_.shared_from_this();
  caf::actor me = caf::actor_cast<caf::actor>(self_);
  return [weak_core, me, path, token, hold] {
    auto committed = std::make_shared<std::promise<void>>();
    auto done = committed->get_future();
    {
      auto core = weak_core.lock();
      if (!core) return false;
      core->send_from_outside(me, caf::make_message(suspect_atom::value, path, token, SuspectStart{std::move(committed)}));
    }
    if (done.wait_for(hold) != std::future_status::ready) return false;
    try {
      done.get();
      return true;
    } catch (const std::future_error&) {
      return false;  // the message was dropped: the instance is gone or has moved on
    }
  };
}

// Committed before the handler runs: a death from now on is this attempt's (released = false).
void WorkflowRunner::on_suspect_turn(const std::string& path, uint64_t token, SuspectStart start) {
  auto flight = in_flight_.find(path);
  if (flight == in_flight_.end() || flight->second.token != token || handing_off_ || core_.draining) return;
  auto& rec = state_.steps[path];
  if (rec.status != StepStatus::running && rec.status != StepStatus::compensating) return;
  rec.released = false;
  after_commit([committed = std::move(start.committed)] { committed->set_value(); });
  commit();
}

bool WorkflowRunner::release_in_flight() {
  bool changed = false;
  for (auto& [path, rec] : state_.steps) {
    if (rec.status != StepStatus::running && rec.status != StepStatus::compensating) continue;
    if (rec.released) continue;
    rec.released = true;
    changed = true;
  }
  return changed;
}

void WorkflowRunner::release_for_drain() {
  if (!terminal() && release_in_flight()) commit();
}

}  // namespace actorflow
