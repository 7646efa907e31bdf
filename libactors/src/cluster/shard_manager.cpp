#include "cluster/shard_manager.hpp"

#include <actorflow/logging.hpp>
#include <actorflow/shard.hpp>

#include "cluster/cluster_messages.hpp"
#include "cluster/cluster_state.hpp"
#include "schedule/scheduler.hpp"
#include "workflow/messages.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <chrono>
#include <map>
#include <set>

namespace actorflow {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

struct Peer {
  std::string host;
  uint16_t port = 0;
  caf::actor gateway;  // invalid while connecting
};

struct ManagerState {
  std::map<int, uint64_t> owned;        // leases held, shard -> epoch
  std::set<int> handing_over;
  std::map<int, SteadyTime> free_since;  // shards seen free, since when
  std::map<std::string, int> sightings;  // members by how many ticks in a row they were seen
  std::map<std::string, Peer> peers;     // connected (or connecting) peers by node id
  std::map<int, uint64_t> unresumed;     // claimed shards whose workflows are not resumed yet
  SteadyTime renewed_at = std::chrono::steady_clock::now();
  bool store_trouble = false;
  std::set<std::string> last_members;  // the other members on the last tick the store answered
  // Members known before a store outage whose records it may have let expire: counted as alive
  // until they heartbeat again or the grace after the store came back ends.
  std::set<std::string> remembered;
  SteadyTime store_back_at{};
  static inline const char* name = "shard-manager";
};

using Self = caf::stateful_actor<ManagerState>;

Millis since(SteadyTime t) {
  return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - t);
}

// The handlers this node runs for the cluster: its own, but for those it sends elsewhere.
std::vector<std::string> local_handlers(Engine::Core& core) {
  std::vector<std::string> names;
  {
    std::shared_lock lock(core.registry_mutex);
    for (const auto& [name, handler] : core.sync_handlers) names.push_back(name);
    for (const auto& [name, handler] : core.async_handlers) names.push_back(name);
  }
  std::erase_if(names, [&](const std::string& name) { return core.is_remote_handler(name); });
  return names;
}

// The shard is no longer this node's: nothing of it may start or be written here.
void drop_shard(Self* self, Engine::Core& core, int shard, const std::string& why) {
  ClusterState& cluster = *core.cluster;
  const uint64_t epoch = self->state.owned[shard];
  cluster.set_epoch(shard, 0);
  self->state.owned.erase(shard);
  self->state.handing_over.erase(shard);
  if (shard == 0) deactivate_scheduler(core);
  self->request(core.supervisor, caf::infinite, shard_atom::value, static_cast<int32_t>(shard), false).then([](bool) {});
  log_json(spdlog::level::warn, {{"event", "shard_lost"}, {"node_id", cluster.node_id()}, {"shard", shard},
                                 {"epoch", epoch}, {"detail", why}});
}

void hand_over(Self* self, Engine::Core& core, int shard, const std::string& to) {
  ClusterState& cluster = *core.cluster;
  const uint64_t epoch = self->state.owned[shard];
  self->state.handing_over.insert(shard);
  cluster.set_epoch(shard, 0);  // nothing new starts; running instances keep the epoch they loaded with
  if (shard == 0) deactivate_scheduler(core);
  log_json(spdlog::level::info, {{"event", "shard_handing_over"}, {"node_id", cluster.node_id()}, {"shard", shard},
                                 {"to", to}, {"epoch", epoch}});
  const auto started = std::chrono::steady_clock::now();
  self->request(core.supervisor, caf::infinite, shard_atom::value, static_cast<int32_t>(shard), true)
      .then([self, &core, shard, epoch, to, started](bool) {
        auto& st = self->state;
        if (st.handing_over.erase(shard) == 0) return;  // lost meanwhile
        st.owned.erase(shard);
        bool released = false;
        try {
          released = core.cluster->coordination().release(shard, core.cluster->node_id(), epoch);
        } catch (const StoreUnavailable& e) {
          log_json(spdlog::level::warn, {{"event", "lease_release_failed"}, {"shard", shard}, {"detail", e.what()}});
        }
        log_json(spdlog::level::info, {{"event", "shard_handed_over"}, {"node_id", core.cluster->node_id()},
                                       {"shard", shard}, {"to", to}, {"released", released},
                                       {"took_ms", since(started).count()}});
      });
}

// Resumes the live workflows of the shards just claimed (their epochs are set).
int resume_shards(Engine::Core& core, const std::map<int, uint64_t>& claimed) {
  if (claimed.empty()) return 0;
  ClusterState& cluster = *core.cluster;
  std::map<int, int> resumed;
  for (const auto& id : core.store->live_workflows()) {
    const int shard = cluster.shard_of(id);
    if (claimed.count(shard) == 0) continue;
    ++resumed[shard];
    core.send_from_outside(core.supervisor, caf::make_message(spawn_atom::value, id, true));
  }
  int total = 0;
  for (const auto& [shard, epoch] : claimed) {
    total += resumed[shard];
    log_json(spdlog::level::info, {{"event", "shard_acquired"}, {"node_id", cluster.node_id()}, {"shard", shard},
                                   {"epoch", epoch}, {"workflows", resumed[shard]}});
  }
  core.start_waker();
  if (claimed.count(0) != 0) activate_scheduler(core);
  return total;
}

// One connection per pair of nodes: the node with the smaller id opens it and introduces its own
// gateway over it (peer_hello_atom), on every tick, so that a hello lost on the way is made up
// for. Two connections between a pair, one opened from each side, make CAF 0.17's BASP broker drop
// the node when they run TLS: the second is closed as redundant and takes the peer's proxies with
// it, on both sides, every time.
bool opens_connection(const std::string& me, const std::string& peer) { return me < peer; }

void say_hello(Engine::Core& core, const caf::actor& peer_gateway) {
  caf::anon_send(peer_gateway, peer_hello_atom::value, core.cluster->node_id(), core.gateway);
}

void connect_peers(Self* self, Engine::Core& core, const std::vector<NodeRecord>& members) {
  ClusterState& cluster = *core.cluster;
  auto& peers = self->state.peers;
  std::set<std::string> present;
  for (const auto& member : members) {
    if (member.node_id == cluster.node_id() || member.cluster_port == 0) continue;
    present.insert(member.node_id);
    if (!opens_connection(cluster.node_id(), member.node_id)) continue;  // it connects here and says hello
    auto it = peers.find(member.node_id);
    if (it != peers.end() && it->second.host == member.cluster_host && it->second.port == member.cluster_port) {
      if (it->second.gateway) say_hello(core, it->second.gateway);
      continue;
    }
    if (it != peers.end() && it->second.gateway) self->demonitor(it->second.gateway);
    cluster.drop_gateway(member.node_id);
    peers[member.node_id] = Peer{member.cluster_host, member.cluster_port, {}};
    const std::string id = member.node_id, host = member.cluster_host;
    const uint16_t port = member.cluster_port;
    self->request(core.cluster_transport, cluster.options().peer_timeout, caf::connect_atom::value, host, port)
        .then(
            [self, &core, id, host, port](const caf::node_id&, caf::strong_actor_ptr& remote, const std::set<std::string>&) {
              auto it = self->state.peers.find(id);
              if (it == self->state.peers.end() || it->second.host != host || it->second.port != port) return;
              caf::actor gateway = caf::actor_cast<caf::actor>(remote);
              if (!gateway) {
                self->state.peers.erase(it);
                return;
              }
              it->second.gateway = gateway;
              self->monitor(gateway);
              core.cluster->set_gateway(id, gateway);
              say_hello(core, gateway);
              log_json(spdlog::level::info, {{"event", "peer_connected"}, {"node_id", core.cluster->node_id()},
                                             {"peer", id}, {"address", host + ":" + std::to_string(port)}});
            },
            [self, id, host, port](caf::error& e) {
              auto it = self->state.peers.find(id);
              if (it != self->state.peers.end() && !it->second.gateway && it->second.port == port) self->state.peers.erase(it);
              log_json(spdlog::level::warn, {{"event", "peer_unreachable"}, {"peer", id},
                                             {"address", host + ":" + std::to_string(port)}, {"detail", to_string(e)}});
            });
  }
  for (auto it = peers.begin(); it != peers.end();) {
    if (present.count(it->first) != 0) {
      ++it;
      continue;
    }
    if (it->second.gateway) self->demonitor(it->second.gateway);
    cluster.drop_gateway(it->first);
    it = peers.erase(it);
  }
}

// A node with a smaller id connected and introduced its gateway.
void on_peer_hello(Self* self, Engine::Core& core, const std::string& id, const caf::actor& gateway) {
  if (!gateway || id == core.cluster->node_id() || opens_connection(core.cluster->node_id(), id)) return;
  Peer& peer = self->state.peers[id];
  if (peer.gateway == gateway) return;
  if (peer.gateway) self->demonitor(peer.gateway);
  peer.gateway = gateway;
  self->monitor(gateway);
  core.cluster->set_gateway(id, gateway);
  log_json(spdlog::level::info, {{"event", "peer_connected"}, {"node_id", core.cluster->node_id()}, {"peer", id},
                                 {"address", "(it connected)"}});
}

void on_peer_down(Self* self, Engine::Core& core, const caf::down_msg& down) {
  for (auto it = self->state.peers.begin(); it != self->state.peers.end(); ++it) {
    if (!it->second.gateway || it->second.gateway.address() != down.source) continue;
    log_json(spdlog::level::warn, {{"event", "peer_lost"}, {"node_id", core.cluster->node_id()}, {"peer", it->first},
                                   {"detail", core.system->render(down.reason)}});
    core.cluster->drop_gateway(it->first);
    self->state.peers.erase(it);  // connected again on the next tick if it is still a member
    return;
  }
}

// The members to assign shards to: those the store lists, and, for a grace period after a store
// outage, those known before it that have not heartbeated since (their records may have expired
// with the outage; they are most likely alive and about to renew their leases).
std::vector<std::string> with_remembered(ManagerState& st, const ClusterOptions& options, std::vector<std::string> ids,
                                         const std::set<std::string>& listed) {
  if (st.remembered.empty()) return ids;
  const Millis grace = options.outage_grace.count() > 0 ? options.outage_grace : 2 * options.heartbeat_interval;
  if (since(st.store_back_at) >= grace) {
    st.remembered.clear();
    return ids;
  }
  for (auto it = st.remembered.begin(); it != st.remembered.end();) {
    if (listed.count(*it) != 0) {
      it = st.remembered.erase(it);  // it heartbeated: the store's record speaks for it again
      continue;
    }
    ids.push_back(*it);
    ++it;
  }
  return ids;
}

int tick(Self* self, Engine::Core& core) {
  ClusterState& cluster = *core.cluster;
  Coordination& coordination = cluster.coordination();
  const ClusterOptions& options = cluster.options();
  auto& st = self->state;
  const std::string& me = cluster.node_id();
  int resumed = 0;
  try {
    // Renewing first: a node that was stopped (SIGSTOP, a stall) past its leases has each renewal
    // refused by the store, as any write it would make with those epochs, and drops those shards.
    std::vector<HeldLease> held;
    for (const auto& [shard, epoch] : st.owned) held.push_back({shard, epoch});
    // Unreachable store: the shards are kept. Their instances can write nothing meanwhile, and
    // start nothing (effects wait for commits); once the store answers, a renewal refused or a
    // write refused by the fence tells whether another node took a shard over.
    const std::vector<bool> kept = coordination.renew(me, held, options.lease_ttl);
    if (st.store_trouble) {
      st.remembered = st.last_members;
      st.store_back_at = std::chrono::steady_clock::now();
      // How long a shard has been free counts from now: during the outage nobody could renew.
      st.free_since.clear();
    }
    const Millis unrenewed = since(st.renewed_at);
    st.renewed_at = std::chrono::steady_clock::now();
    for (size_t i = 0; i < held.size(); ++i)
      if (!kept[i])
        drop_shard(self, core, held[i].shard,
                   "renewal refused: another node holds the shard (last renewed " + std::to_string(unrenewed.count()) + " ms ago)");
    coordination.heartbeat(cluster.self_record(local_handlers(core)), options.lease_ttl);

    std::vector<NodeRecord> members = coordination.members();
    std::vector<ShardLease> leases = coordination.leases(cluster.shards());
    connect_peers(self, core, members);
    std::map<std::string, int> sightings;
    std::vector<std::string> ids{me};
    std::set<std::string> others;
    for (const auto& member : members) {
      ids.push_back(member.node_id);
      sightings[member.node_id] = st.sightings[member.node_id] + 1;
      if (member.node_id != me) others.insert(member.node_id);
    }
    st.sightings = std::move(sightings);
    ids = with_remembered(st, options, std::move(ids), others);
    others.insert(st.remembered.begin(), st.remembered.end());  // still known, if the store fails again
    st.last_members = std::move(others);
    const std::vector<std::string> targets = assign_shards(cluster.shards(), ids);

    for (const auto& [shard, epoch] : std::map<int, uint64_t>(st.owned)) {
      const std::string& target = targets[static_cast<size_t>(shard)];
      if (target != me && st.sightings[target] >= 2 && st.handing_over.count(shard) == 0) hand_over(self, core, shard, target);
    }
    std::map<int, uint64_t>& claimed = st.unresumed;
    const auto now = std::chrono::steady_clock::now();
    for (const ShardLease& lease : leases) {
      if (!lease.owner.empty() || st.owned.count(lease.shard) != 0) {
        st.free_since.erase(lease.shard);
        continue;
      }
      if (core.draining) continue;  // a node on its way out takes nothing new
      const SteadyTime free_since = st.free_since.emplace(lease.shard, now).first->second;
      const bool assigned = targets[static_cast<size_t>(lease.shard)] == me;
      if (!assigned && since(free_since) < options.lease_ttl) continue;
      if (auto epoch = coordination.claim(lease.shard, me, options.lease_ttl)) {
        st.owned[lease.shard] = *epoch;
        cluster.set_epoch(lease.shard, *epoch);
        st.free_since.erase(lease.shard);
        claimed[lease.shard] = *epoch;
      }
    }
    if (!claimed.empty()) leases = coordination.leases(cluster.shards());
    cluster.set_view(std::move(members), std::move(leases));
    for (auto it = claimed.begin(); it != claimed.end();)  // dropped again meanwhile
      it = st.owned.count(it->first) == 0 ? claimed.erase(it) : std::next(it);
    resumed = resume_shards(core, claimed);
    claimed.clear();
    if (st.store_trouble) log_json(spdlog::level::info, {{"event", "cluster_store_recovered"}, {"node_id", me}});
    st.store_trouble = false;
  } catch (const StoreUnavailable& e) {
    if (!st.store_trouble)
      log_json(spdlog::level::err, {{"event", "cluster_store_unavailable"}, {"node_id", me}, {"detail", e.what()}});
    st.store_trouble = true;
  } catch (const std::exception& e) {
    // A bug, not an outage: logged, and the next tick tries again (the manager must not die).
    log_json(spdlog::level::err, {{"event", "shard_manager_failed"}, {"node_id", me}, {"detail", e.what()}});
  }
  return resumed;
}

caf::behavior shard_manager(Self* self, Engine::Core* core) {
  self->set_down_handler([=](caf::down_msg& down) { on_peer_down(self, *core, down); });
  self->delayed_send(self, core->cluster->options().heartbeat_interval, tick_atom::value);
  return {
      [=](join_atom) -> int32_t { return tick(self, *core); },
      [=](tick_atom) {
        tick(self, *core);
        self->delayed_send(self, core->cluster->options().heartbeat_interval, tick_atom::value);
      },
      [=](peer_hello_atom, const std::string& id, const caf::actor& gateway) { on_peer_hello(self, *core, id, gateway); },
      [=](fenced_atom, int32_t shard) {
        if (self->state.owned.count(shard) != 0)
          drop_shard(self, *core, shard, "a write was refused: another node holds a newer epoch");
      },
  };
}

}  // namespace

caf::actor spawn_shard_manager(caf::actor_system& system, Engine::Core& core) {
  return system.spawn<caf::detached>(shard_manager, &core);
}

void leave_cluster(Engine::Core& core) {
  ClusterState& cluster = *core.cluster;
  if (core.cluster_transport) caf::anon_send_exit(core.cluster_transport, caf::exit_reason::user_shutdown);
  core.cluster_transport = nullptr;
  int released = 0;
  try {
    for (int shard : cluster.owned_shards()) {
      if (cluster.coordination().release(shard, cluster.node_id(), cluster.epoch_of_shard(shard))) ++released;
      cluster.set_epoch(shard, 0);
    }
    cluster.coordination().leave(cluster.node_id());
  } catch (const StoreUnavailable& e) {
    log_json(spdlog::level::warn, {{"event", "cluster_leave_failed"}, {"node_id", cluster.node_id()}, {"detail", e.what()}});
    return;
  }
  log_json(spdlog::level::info, {{"event", "cluster_left"}, {"node_id", cluster.node_id()}, {"leases_released", released}});
}

}  // namespace actorflow
