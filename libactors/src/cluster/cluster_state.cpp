#include "cluster/cluster_state.hpp"

#include <actorflow/shard.hpp>

#include <algorithm>
#include <chrono>

namespace actorflow {

ClusterState::ClusterState(std::string node_id, ClusterOptions options)
    : node_id_(std::move(node_id)),
      options_(std::move(options)),
      started_ms_(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count()),
      epochs_(std::make_unique<std::atomic<uint64_t>[]>(static_cast<size_t>(options_.shards))),
      remote_handlers_(options_.remote_handlers.begin(), options_.remote_handlers.end()) {
  for (int shard = 0; shard < options_.shards; ++shard) epochs_[static_cast<size_t>(shard)].store(0);
}

int ClusterState::shard_of(const std::string& workflow_id) const { return actorflow::shard_of(workflow_id, shards()); }

uint64_t ClusterState::epoch_of_shard(int shard) const {
  if (shard < 0 || shard >= shards()) return 0;
  return epochs_[static_cast<size_t>(shard)].load();
}

void ClusterState::set_epoch(int shard, uint64_t epoch) {
  if (shard >= 0 && shard < shards()) epochs_[static_cast<size_t>(shard)].store(epoch);
}

std::vector<int> ClusterState::owned_shards() const {
  std::vector<int> owned;
  for (int shard = 0; shard < shards(); ++shard)
    if (epoch_of_shard(shard) != 0) owned.push_back(shard);
  return owned;
}

void ClusterState::set_view(std::vector<NodeRecord> members, std::vector<ShardLease> leases) {
  std::lock_guard lock(mutex_);
  members_ = std::move(members);
  leases_ = std::move(leases);
}

std::vector<NodeRecord> ClusterState::members() const {
  std::lock_guard lock(mutex_);
  return members_;
}

std::vector<ShardLease> ClusterState::leases() const {
  std::lock_guard lock(mutex_);
  return leases_;
}

std::string ClusterState::owner_of(int shard) const {
  std::lock_guard lock(mutex_);
  if (shard < 0 || static_cast<size_t>(shard) >= leases_.size()) return {};
  return leases_[static_cast<size_t>(shard)].owner;
}

void ClusterState::set_gateway(const std::string& node_id, caf::actor gateway) {
  std::lock_guard lock(mutex_);
  gateways_[node_id] = std::move(gateway);
}

void ClusterState::drop_gateway(const std::string& node_id) {
  std::lock_guard lock(mutex_);
  gateways_.erase(node_id);
}

caf::actor ClusterState::gateway_of(const std::string& node_id) const {
  std::lock_guard lock(mutex_);
  auto it = gateways_.find(node_id);
  return it == gateways_.end() ? caf::actor{} : it->second;
}

caf::actor ClusterState::host_of_handler(const std::string& handler) {
  std::lock_guard lock(mutex_);
  std::vector<caf::actor> hosts;
  for (const auto& member : members_) {
    if (member.node_id == node_id_) continue;
    if (std::find(member.handlers.begin(), member.handlers.end(), handler) == member.handlers.end()) continue;
    auto it = gateways_.find(member.node_id);
    if (it != gateways_.end()) hosts.push_back(it->second);
  }
  if (hosts.empty()) return {};
  return hosts[next_host_[handler]++ % hosts.size()];
}

bool ClusterState::is_remote_handler(const std::string& name) const {
  std::lock_guard lock(mutex_);
  return remote_handlers_.count(name) != 0;
}

void ClusterState::add_remote_handler(const std::string& name) {
  std::lock_guard lock(mutex_);
  remote_handlers_.insert(name);
}

void ClusterState::set_http_address(const std::string& address) {
  std::lock_guard lock(mutex_);
  http_address_ = address;
}

void ClusterState::set_bound_port(uint16_t port) {
  std::lock_guard lock(mutex_);
  bound_port_ = port;
}

uint16_t ClusterState::bound_port() const {
  std::lock_guard lock(mutex_);
  return bound_port_;
}

NodeRecord ClusterState::self_record(std::vector<std::string> handlers) const {
  std::lock_guard lock(mutex_);
  NodeRecord record;
  record.node_id = node_id_;
  record.cluster_host = options_.advertise_host.empty() ? options_.listen_host : options_.advertise_host;
  record.cluster_port = bound_port_;
  record.http_address = http_address_;
  record.handlers = std::move(handlers);
  record.started_ms = started_ms_;
  return record;
}

}  // namespace actorflow
