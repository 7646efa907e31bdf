// A child workflow whose shard another node owns: that node starts it (its gateway stores it with
// its own epoch and runs it), and tells this parent when it ends (child_done, forwarded).
#include "cluster/cluster_messages.hpp"
#include "cluster/cluster_routing.hpp"
#include "cluster/cluster_state.hpp"
#include "workflow/workflow_runner.hpp"

#include <caf/all.hpp>

namespace actorflow {

void WorkflowRunner::start_remote_child(const std::string& path, const std::string& definition, const Json& input,
                                        uint64_t token) {
  ClusterState& cluster = *core_.cluster;
  const std::string child_id = state_.id + "/" + path;
  const std::string owner = cluster.owner_of(cluster.shard_of(child_id));
  caf::actor gateway = owner.empty() || owner == cluster.node_id() ? caf::actor{} : cluster.gateway_of(owner);
  if (!gateway) {
    on_step_done(path, token,
                 StepOutcome::failure("child workflow '" + child_id + "': its shard has no reachable owner now", true));
    return;
  }
  self_->request(gateway, cluster.options().route_timeout, fwd_start_atom::value, definition, child_id,
                 input.dump(-1, ' ', false, Json::error_handler_t::replace), state_.id, path)
      .then(
          [this, path, token, child_id](bool ok, const std::string& error, int32_t) {
            if (ok && error == kStartExisted) {
              on_child_done(path);  // it may have ended while this parent was down
            } else if (!ok) {
              on_step_done(path, token, StepOutcome::failure("child workflow '" + child_id + "' not started: " + error, true));
            }
          },
          [this, path, token, child_id](caf::error& e) {
            on_step_done(path, token,
                         StepOutcome::failure("child workflow '" + child_id + "': its owner did not answer: " + to_string(e), true));
          });
}

}  // namespace actorflow
