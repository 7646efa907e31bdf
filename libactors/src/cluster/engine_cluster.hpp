#pragma once
// How an Engine becomes a cluster node (engine_cluster.cpp).
#include "workflow/engine_core.hpp"

namespace actorflow {

// Before the actor system exists: checks the cluster options (throws std::invalid_argument naming
// the problem), loads the middleman with heartbeats on and creates the cluster state.
void configure_cluster(Engine::Core& core);
// At recover(): publishes the node gateway, starts the shard manager and runs its first round
// (claims, resumes); returns how many workflows it resumed. Throws std::runtime_error when the
// gateway cannot listen.
int join_cluster(Engine::Core& core);

}  // namespace actorflow
