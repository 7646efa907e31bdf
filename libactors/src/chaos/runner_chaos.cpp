// Where chaos meets the interpreter: WorkflowRunner's two chaos calls (workflow_runner.hpp).
#include "workflow/workflow_runner.hpp"

#include "chaos/chaos_injector.hpp"

#include <stdexcept>

namespace actorflow {

void WorkflowRunner::arm_chaos(const Node& node, bool compensation, int attempt, StepJob& job) {
  const ChaosSite site{state_.definition, state_.id, node.path,
                       compensation ? node.step.compensation : node.step.handler, node.step.breaker, compensation,
                       attempt};
  auto fault = core_.chaos->decide(site);
  if (!fault) return;
  record("chaos_injected", node.path, attempt, {}, {}, -1, (compensation ? "compensation: " : "") + fault->describe());
  if (fault->policy.kind == ChaosKind::crash) {
    planned_crashes_[node.path] = PlannedCrash{job.token, fault->policy.crash_point};
    return;
  }
  arm_chaos_job(core_, job, *fault);
}

// Before the commit: the exception ends the actor with the result unhandled. After: the throw is
// the first effect of this transition, run once its write is acknowledged, so the write is durable
// and every other effect (the next dispatch, breaker records, ...) dies with the instance.
void WorkflowRunner::crash_if_planned(const std::string& path, uint64_t token) {
  auto planned = planned_crashes_.find(path);
  if (planned == planned_crashes_.end() || planned->second.token != token) return;
  const CrashPoint point = planned->second.point;
  planned_crashes_.erase(planned);
  const std::string why = "chaos: injected crash of workflow instance '" + state_.id + "' " +
                          (point == CrashPoint::before_commit ? "before" : "after") + " committing the result of '" +
                          path + "'";
  std::shared_ptr<ChaosInjector> chaos = core_.chaos;
  if (point == CrashPoint::before_commit) {
    chaos->count(ChaosKind::crash);
    throw std::runtime_error(why);
  }
  outbox_.insert(outbox_.begin(), [chaos, why] {
    chaos->count(ChaosKind::crash);
    throw std::runtime_error(why);
  });
}

}  // namespace actorflow
