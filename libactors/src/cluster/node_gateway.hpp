#pragma once
// The node gateway: the actor a cluster node publishes through CAF's middleman. Other nodes send
// it what belongs to a shard this node owns (starts, signal notices, child completions, dead-letter
// retries, schedule commands; cluster_messages.hpp) and steps to run for their instances on this
// node's step workers (remote step workers). A call for a shard this node does not own is answered
// with kNotOwner, so the caller asks the new owner.
#include "workflow/engine_core.hpp"

#include <caf/fwd.hpp>

namespace actorflow {

caf::actor spawn_node_gateway(caf::actor_system& system, Engine::Core& core);

}  // namespace actorflow
