#pragma once
// Coordination of the nodes of a cluster through the shared store (Redis): membership with
// heartbeats, and one lease per shard with a fencing epoch. The store's commits check the epoch:
// a write for a shard carrying an epoch older than the newest lease granted for it is refused
// (WriteResult::stale_epoch), so an owner that was paused or cut off past its lease can never
// overwrite the state of the node that took its shard over.
//
// Times are the server's: a lease or a heartbeat expires by the store's clock, not a node's.
// Implementations are thread-safe; every call blocks on the store and throws StoreUnavailable
// when it cannot be reached.
#include <actorflow/export.hpp>
#include <actorflow/clock.hpp>
#include <actorflow/store.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ACTORFLOW_API actorflow {

// What a node publishes about itself while it is a member.
struct NodeRecord {
  std::string node_id;
  std::string cluster_host;          // where its node gateway is published (CAF middleman)
  uint16_t cluster_port = 0;
  std::string http_address;          // its HTTP API, host:port (for people and tools)
  std::vector<std::string> handlers; // the step handlers it runs for the cluster
  int64_t started_ms = 0;
};

struct ShardLease {
  int shard = 0;
  std::string owner;   // empty: free (never taken, released or expired)
  uint64_t epoch = 0;  // the owner's fencing epoch
};

// A lease this node holds and wants to keep.
struct HeldLease {
  int shard = 0;
  uint64_t epoch = 0;
};

class Coordination {
 public:
  virtual ~Coordination() = default;

  // Publishes `self` as a member for `ttl` (a heartbeat: call again well within it).
  virtual void heartbeat(const NodeRecord& self, Millis ttl) = 0;
  // The members whose heartbeat has not expired, by id.
  virtual std::vector<NodeRecord> members() = 0;
  // Removes `node_id` from the members at once (a node leaving cleanly).
  virtual void leave(const std::string& node_id) = 0;

  // Takes the shard's lease for `ttl` when it is free: returns the new fencing epoch, greater
  // than every epoch handed out before; nullopt when another node holds it.
  virtual std::optional<uint64_t> claim(int shard, const std::string& node_id, Millis ttl) = 0;
  // Extends the leases for `ttl`. A lease is kept when `node_id` still holds it with that epoch,
  // or when it expired and nobody took it since (the fence still has that epoch); it is lost
  // otherwise. Returns, per lease in order, whether it is still held.
  virtual std::vector<bool> renew(const std::string& node_id, const std::vector<HeldLease>& leases, Millis ttl) = 0;
  // Gives the lease up when `node_id` holds it with `epoch` (true); false when it did not.
  virtual bool release(int shard, const std::string& node_id, uint64_t epoch) = 0;
  // Every shard's lease, shard 0 first.
  virtual std::vector<ShardLease> leases(int shards) = 0;
};

// Coordination on the Redis server of `options`; the key prefix must be the store's.
//   <prefix>node:<id>     the member's record (JSON), expiring with its heartbeat
//   <prefix>nodes         set of member ids (pruned of expired ones as they are read)
//   <prefix>lease:<n>     "<owner> <epoch>", expiring with the lease
//   <prefix>fence:<n>     the newest epoch granted for shard n (never expires)
std::shared_ptr<Coordination> make_redis_coordination(const RedisOptions& options);
// Coordination on the store of a "redis:..." spec (open_store's); throws std::invalid_argument for
// any other spec.
std::shared_ptr<Coordination> open_coordination(const std::string& spec);

}  // namespace actorflow
