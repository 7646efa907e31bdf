#pragma once
// What the engine's actors share about the cluster: the shards this node owns (with their lease
// epochs), the last view of members and leases, and the gateways of connected peers.
#include <actorflow/cluster_options.hpp>

#include <caf/actor.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace actorflow {

class ClusterState {
 public:
  ClusterState(std::string node_id, ClusterOptions options);

  const std::string& node_id() const { return node_id_; }
  const ClusterOptions& options() const { return options_; }
  Coordination& coordination() const { return *options_.coordination; }
  int shards() const { return options_.shards; }
  int shard_of(const std::string& workflow_id) const;

  // This node's lease epoch of the shard; 0 when it does not own it (then nothing of the shard
  // may start or be written here).
  uint64_t epoch_of_shard(int shard) const;
  void set_epoch(int shard, uint64_t epoch);  // 0: not owned
  std::vector<int> owned_shards() const;

  // The view the shard manager refreshes every heartbeat.
  void set_view(std::vector<NodeRecord> members, std::vector<ShardLease> leases);
  std::vector<NodeRecord> members() const;
  std::vector<ShardLease> leases() const;
  // The owner of the shard in the last view (which may be stale); empty when free.
  std::string owner_of(int shard) const;

  // Gateways of the peers this node is connected to, by node id.
  void set_gateway(const std::string& node_id, caf::actor gateway);
  void drop_gateway(const std::string& node_id);
  caf::actor gateway_of(const std::string& node_id) const;
  // A connected peer that runs `handler` (round robin among them); invalid when none does.
  caf::actor host_of_handler(const std::string& handler);

  bool is_remote_handler(const std::string& name) const;
  void add_remote_handler(const std::string& name);

  // This node's own record, as published.
  void set_http_address(const std::string& address);
  void set_bound_port(uint16_t port);
  uint16_t bound_port() const;
  NodeRecord self_record(std::vector<std::string> handlers) const;

 private:
  const std::string node_id_;
  const ClusterOptions options_;
  const int64_t started_ms_;
  std::unique_ptr<std::atomic<uint64_t>[]> epochs_;

  mutable std::mutex mutex_;  // guards everything below
  std::vector<NodeRecord> members_;
  std::vector<ShardLease> leases_;
  std::map<std::string, caf::actor> gateways_;
  std::map<std::string, size_t> next_host_;  // round robin per handler
  std::set<std::string> remote_handlers_;
  std::string http_address_;
  uint16_t bound_port_ = 0;
};

}  // namespace actorflow
