// Engine::retry_dead_letter: an operator runs a parked workflow again.
#include <actorflow/actorflow.hpp>
#include <actorflow/logging.hpp>

#include "cluster/cluster_messages.hpp"
#include "cluster/cluster_routing.hpp"
#include "cluster/cluster_state.hpp"
#include "store/store_writer.hpp"
#include "workflow/engine_core.hpp"
#include "workflow/messages.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace actorflow {
namespace {

bool compensation_started(const WorkflowState& state) {
  return std::any_of(state.steps.begin(), state.steps.end(), [](const auto& entry) {
    const StepStatus s = entry.second.status;
    return s == StepStatus::compensating || s == StepStatus::compensated || s == StepStatus::compensation_wait;
  });
}

// Turns a dead-lettered state back into one an instance runs on; says what runs again.
std::string reopen(WorkflowState& state) {
  // Nothing of it runs now: what its snapshot shows in flight is dispatched again without being
  // counted as a crash.
  for (auto& [path, step] : state.steps)
    if (step.status == StepStatus::running || step.status == StepStatus::compensating) step.released = true;
  auto failed = state.steps.find(state.failed_step);
  if (failed != state.steps.end() && failed->second.status == StepStatus::failed && !compensation_started(state)) {
    // The step that failed for good runs again, with a fresh retry budget; siblings it cancelled too.
    StepRecord& rec = failed->second;
    rec.status = StepStatus::pending;
    rec.failures = 0;
    rec.timeouts = 0;
    rec.retry_at_ms = 0;
    rec.crashes = 0;
    rec.error.clear();
    // A step that timed out was listed for compensation; it is not completed now.
    auto& completed = state.completed;
    completed.erase(std::remove(completed.begin(), completed.end(), state.failed_step), completed.end());
    for (auto& [path, step] : state.steps)
      if (step.status == StepStatus::cancelled) step.status = StepStatus::pending;
    const std::string what = "step '" + state.failed_step + "' runs again with a fresh retry budget";
    state.failed_step.clear();
    state.error.clear();
    state.status = WorkflowStatus::running;
    return what;
  }
  if (!state.failed_step.empty()) {
    // Compensation failed (or the instance crashed while compensating): it goes on.
    for (auto& [path, step] : state.steps)
      if (step.status == StepStatus::compensating) {
        step.compensation_failures = 0;
        step.compensation_crashes = 0;
      }
    state.status = WorkflowStatus::compensating;
    return "compensation goes on, with a fresh retry budget";
  }
  state.status = WorkflowStatus::running;  // parked for crashing: resumes as it was
  state.error.clear();
  return "it resumes where it stopped";
}

}  // namespace

Status Engine::retry_dead_letter(const std::string& workflow_id, const std::string& by) {
  Core& core = *core_;
  if (auto refused = core.write_refusal("'" + workflow_id + "' was not retried")) return *refused;
  if (!core.cluster) return core.retry_here(workflow_id, by);
  // The write belongs to the owner of the workflow's shard.
  const OwnerAnswer answer = ask_shard_owner(core, core.cluster->shard_of(workflow_id),
                                             caf::make_message(fwd_retry_atom::value, workflow_id, by),
                                             [&]() -> std::optional<OwnerAnswer> {
                                               const Status retried = core.retry_here(workflow_id, by);
                                               return OwnerAnswer::of(retried);
                                             });
  return answer.status();
}

Status Engine::Core::retry_here(const std::string& workflow_id, const std::string& by) {
  Core& core = *this;
  std::lock_guard retrying(core.retry_mutex);
  auto stored = core.store->load(workflow_id);
  if (!stored) return Status::error("no workflow '" + workflow_id + "'");
  std::string error;
  auto state = decode_state(stored->snapshot, &error);
  if (!state) return Status::error("workflow '" + workflow_id + "' cannot be retried: its snapshot is unreadable: " + error);
  if (state->status != WorkflowStatus::dead_lettered)
    return Status::error("workflow '" + workflow_id + "' is " + std::string(to_string(state->status)) +
                         ", not dead-lettered: only a dead-lettered workflow can be retried");
  if (!core.find_definition(state->definition, state->version))
    return Status::error("workflow '" + workflow_id + "': definition '" + state->definition + "' v" +
                         std::to_string(state->version) + " is not registered here");

  const std::string what = reopen(*state);
  const std::string detail = "retried by " + (by.empty() ? std::string("an operator") : by) + ": " + what;
  core.record(*state, EventFields{"workflow_retried", {}, 0, "dead-lettered", to_string(state->status), -1, detail, {}});
  WorkflowWrite write = core.make_write(*state, core.write_epoch(workflow_id));
  write.clear_dead_letter = true;

  caf::scoped_actor self{*core.system};
  Status result = Status::error("store writer did not answer");
  self->request(core.store_writer, caf::infinite, write_atom::value, std::move(write))
      .receive(
          [&](WriteResult written) {
            result = written == WriteResult::ok
                         ? Status::ok()
                         : Status::error("retry of '" + workflow_id + "' not stored: " + std::string(to_string(written)));
          },
          [&](caf::error& e) { result = Status::error("store writer: " + core.system->render(e)); });
  if (!result.is_ok()) return result;
  ++core.counters.dead_letter_retries;
  core.start_waker();
  // As a signal does: the instance that parked the workflow may not have stopped yet (it stops just
  // after its last commit is acknowledged); the supervisor then runs the workflow again once it has,
  // where a spawn request would be dropped as a duplicate of the stopping instance.
  core.send_from_outside(core.supervisor, caf::make_message(signal_atom::value, workflow_id));
  return result;
}

}  // namespace actorflow
