#pragma once
// A cluster of real actorflow-node processes on loopback for tests: one redis-server (a free
// port, its own directory, every write on disk before it is acknowledged), and nodes started on
// it with cluster.enabled, each with its own config and log in one temp dir, HTTP and cluster
// ports chosen by the system. Nodes can be killed (SIGKILL), paused (SIGSTOP) and resumed, stopped
// cleanly, and started again; Redis can be restarted. Not thread-safe: one thread drives it.
#include "node_process.hpp"
#include "redis_server.hpp"

#include <actorflow/coordination.hpp>
#include <actorflow/json.hpp>
#include <actorflow/store.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace actorflow::testing {

struct ClusterTimings {
  std::string lease_ttl = "2s";
  std::string heartbeat_interval = "200ms";
  std::string peer_timeout = "2s";
  std::string handoff_timeout = "3s";
};

// What every node's config adds to the defaults of NodeSetup.
struct ClusterNodeExtras {
  std::string defaults_yaml;  // more lines of the defaults: section, e.g. "  step_timeout: 2s\n"
  std::string extra_yaml;     // more top-level lines, e.g. "chaos: '<file>'\n"
  std::vector<std::string> plugins;  // loaded besides the example plugin
};

class LocalCluster {
 public:
  explicit LocalCluster(int shards = 12, ClusterTimings timings = {}, ClusterNodeExtras extras = {});
  ~LocalCluster();

  // Starts node `id` (lines added to its cluster: section, e.g. remote_handlers), waiting until it
  // serves HTTP. Throws with the node's output when it does not start.
  NodeProcess& start(const std::string& id, const std::string& extra_cluster_yaml = "");
  NodeProcess& node(const std::string& id) const;
  bool running(const std::string& id) const { return nodes_.count(id) != 0; }
  std::vector<std::string> running_nodes() const;
  void kill9(const std::string& id);    // the node dies; its leases expire after lease_ttl
  // The nodes whose process ended by itself since the last call (they are no longer running).
  std::vector<std::string> reap_exited();
  int stop(const std::string& id);      // SIGTERM: drains and leaves; its exit code

  // The owner of each shard, as the leases in Redis say now (empty: free).
  std::vector<std::string> owners() const;
  std::map<std::string, int> shards_by_owner() const;
  int shard_of(const std::string& workflow_id) const;
  // Waits until exactly `members` own every shard between them, each its fair share.
  bool wait_balanced(const std::vector<std::string>& members, std::chrono::milliseconds limit) const;

  // Reading what the nodes wrote (the example plugin's effects, histories).
  Store& store() const { return *store_; }
  std::shared_ptr<Store> shared_store() const { return store_; }
  // Top-level lines every node started from now on adds to its config.
  void set_extra_node_yaml(std::string yaml) { extras_.extra_yaml = std::move(yaml); }
  RedisServer& redis() { return redis_; }
  int shards() const { return shards_; }
  const NodeDir& dir() const { return dir_; }
  std::string store_spec() const;

 private:
  int shards_;
  ClusterTimings timings_;
  ClusterNodeExtras extras_;
  RedisServer redis_;
  NodeDir dir_;
  std::shared_ptr<Store> store_;
  std::shared_ptr<Coordination> coordination_;
  std::map<std::string, std::unique_ptr<NodeProcess>> nodes_;
};

}  // namespace actorflow::testing
