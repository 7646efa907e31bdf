#pragma once
// The shard manager of a cluster node: a detached actor (its store calls block) that, every
// heartbeat_interval,
//   1. renews its shard leases and publishes the node's member record; a renewal refused (another
//      node took the shard after the lease expired, e.g. while this node was stopped) makes the
//      node drop the shard at once: its instances are killed, and their writes would be refused
//      by the fence anyway. While the store is unreachable it keeps its shards (nothing of theirs
//      can be written or started meanwhile) and learns when it answers;
//   2. reads the members and leases, connects to new peers' gateways (middleman, with
//      heartbeats so a hung peer is cut off) and computes the balanced assignment (shard.hpp);
//   3. hands over the shards the assignment gives to another member it has seen twice in a row:
//      no new work starts for the shard, its instances finish their running steps and commit
//      (bounded by handoff_timeout), then the lease is released;
//   4. claims the free shards the assignment gives it (or any shard free for a whole lease_ttl,
//      whose assigned member is not taking it) and resumes their live workflows.
// The shard owner of shard 0 also runs the cron scheduler.
#include "workflow/engine_core.hpp"

#include <caf/fwd.hpp>

namespace actorflow {

caf::actor spawn_shard_manager(caf::actor_system& system, Engine::Core& core);

// Releases every lease the node holds and removes it from the members (at shutdown, once no
// instance runs), so that other nodes take its shards without waiting for the leases to expire.
void leave_cluster(Engine::Core& core);

}  // namespace actorflow
