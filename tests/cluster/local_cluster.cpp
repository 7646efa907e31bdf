#include "local_cluster.hpp"

#include "eventually.hpp"

#include <actorflow/shard.hpp>

#include <algorithm>
#include <stdexcept>

namespace actorflow::testing {
namespace {

constexpr const char* kPrefix = "af:";

}  // namespace

LocalCluster::LocalCluster(int shards, ClusterTimings timings, ClusterNodeExtras extras)
    : shards_(shards), timings_(std::move(timings)), extras_(std::move(extras)),
      redis_(RedisServer::Options{.persistent = true}) {
  RedisOptions options;
  options.port = redis_.port();
  options.key_prefix = kPrefix;
  store_ = make_redis_store(options);
  coordination_ = make_redis_coordination(options);
}

LocalCluster::~LocalCluster() {
  for (auto& [id, node] : nodes_) node->kill9();
}

std::string LocalCluster::store_spec() const {
  return "redis:127.0.0.1:" + std::to_string(redis_.port()) + ":" + kPrefix;
}

NodeProcess& LocalCluster::start(const std::string& id, const std::string& extra_cluster_yaml) {
  if (nodes_.count(id) != 0) throw std::logic_error("node " + id + " runs already");
  NodeSetup setup = dir_.setup();
  setup.node_id = id;
  setup.store = store_spec();
  setup.defaults_yaml += extras_.defaults_yaml;
  setup.extra_yaml = extras_.extra_yaml;
  setup.plugins.insert(setup.plugins.end(), extras_.plugins.begin(), extras_.plugins.end());
  // A listen line of the caller's replaces the loopback default.
  const bool own_listen = extra_cluster_yaml.find("  listen:") != std::string::npos;
  setup.cluster_yaml = std::string("  enabled: true\n") + (own_listen ? "" : "  listen: 127.0.0.1:0\n") + "  shards: " + std::to_string(shards_) +
                       "\n  lease_ttl: " + timings_.lease_ttl + "\n  heartbeat_interval: " + timings_.heartbeat_interval +
                       "\n  peer_timeout: " + timings_.peer_timeout + "\n  handoff_timeout: " + timings_.handoff_timeout +
                       "\n" + extra_cluster_yaml;
  auto node = std::make_unique<NodeProcess>(dir_, setup, id + ".yaml");
  return *nodes_.emplace(id, std::move(node)).first->second;
}

NodeProcess& LocalCluster::node(const std::string& id) const {
  auto it = nodes_.find(id);
  if (it == nodes_.end()) throw std::logic_error("no running node " + id);
  return *it->second;
}

std::vector<std::string> LocalCluster::running_nodes() const {
  std::vector<std::string> ids;
  for (const auto& [id, node] : nodes_) ids.push_back(id);
  return ids;
}

void LocalCluster::kill9(const std::string& id) {
  node(id).kill9();
  nodes_.erase(id);
}

std::vector<std::string> LocalCluster::reap_exited() {
  std::vector<std::string> ended;
  for (auto& [id, node] : nodes_)
    if (node->has_exited()) ended.push_back(id);
  for (const auto& id : ended) nodes_.erase(id);
  return ended;
}

int LocalCluster::stop(const std::string& id) {
  const int code = node(id).stop();
  nodes_.erase(id);
  return code;
}

std::vector<std::string> LocalCluster::owners() const {
  std::vector<std::string> owners;
  for (const auto& lease : coordination_->leases(shards_)) owners.push_back(lease.owner);
  return owners;
}

std::map<std::string, int> LocalCluster::shards_by_owner() const {
  std::map<std::string, int> count;
  for (const auto& owner : owners()) ++count[owner];
  return count;
}

int LocalCluster::shard_of(const std::string& workflow_id) const { return actorflow::shard_of(workflow_id, shards_); }

bool LocalCluster::wait_balanced(const std::vector<std::string>& members, std::chrono::milliseconds limit) const {
  const int low = shards_ / static_cast<int>(members.size());
  return eventually(
      [&] {
        const auto count = shards_by_owner();
        int total = 0;
        for (const auto& member : members) {
          const auto it = count.find(member);
          if (it == count.end() || it->second < low || it->second > low + 1) return false;
          total += it->second;
        }
        return total == shards_;
      },
      limit);
}

}  // namespace actorflow::testing
