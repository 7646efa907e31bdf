// Remote step workers: an instance whose step names a handler another node runs sends the step
// there through the middleman; the node's gateway runs it on its step workers and sends the
// outcome back (node_gateway.cpp). Timeouts, retries and breakers stay with the instance.
#include "cluster/cluster_messages.hpp"
#include "cluster/cluster_state.hpp"
#include "workflow/workflow_runner.hpp"

#include <actorflow/logging.hpp>

#include <caf/all.hpp>

namespace actorflow {

void WorkflowRunner::dispatch_remote(const std::string& handler, const std::string& path, int attempt,
                                     bool compensation, const Json& input, uint64_t token) {
  caf::actor me = caf::actor_cast<caf::actor>(self_);
  caf::actor host = core_.cluster ? core_.cluster->host_of_handler(handler) : caf::actor{};
  if (!host) {
    self_->send(me, step_done_atom::value, path, token,
                StepOutcome::failure("no node of the cluster runs handler '" + handler + "' now", true));
    return;
  }
  self_->send(host, rstep_atom::value, handler, state_.id, path, static_cast<int32_t>(attempt), compensation,
              input.dump(-1, ' ', false, Json::error_handler_t::replace), token, me);
}

}  // namespace actorflow
