#pragma once
// Shards: a cluster splits workflows into a fixed number of shards by a hash of the workflow id;
// each shard has one owner node at a time (a lease in the store, see coordination.hpp).
#include <actorflow/export.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace ACTORFLOW_API actorflow {

// The shard of `workflow_id` among `shards` (> 0): FNV-1a of the id, so every node, every
// version and every platform agrees.
int shard_of(std::string_view workflow_id, int shards);

// Which member should own each shard: a balanced rendezvous assignment. Every member gets
// floor(shards / members) or one more; each shard goes to the member that ranks highest for it
// (a hash of member and shard) among those with room, so a member joining or leaving moves few
// shards. Deterministic: every node computes the same answer from the same member ids (their
// order does not matter). Returns the owner's id per shard; empty ids when there are no members.
std::vector<std::string> assign_shards(int shards, std::vector<std::string> members);

}  // namespace actorflow
