// The Engine's cluster parts: joining (publishing the gateway, the shard manager), what the
// node knows of its cluster, remote handlers, and the write of a shard this node may not own.
#include <actorflow/actorflow.hpp>
#include <actorflow/cluster_security.hpp>
#include <actorflow/logging.hpp>

#include "cluster/cluster_messages.hpp"
#include "cluster/cluster_state.hpp"
#include "cluster/cluster_transport.hpp"
#include "cluster/node_gateway.hpp"
#include "cluster/shard_manager.hpp"
#include "workflow/engine_core.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/manager.hpp>

#include <stdexcept>

namespace actorflow {

namespace {

// TLS files checked and handed to CAF's OpenSSL module, or plaintext allowed only on loopback
// (or with allow_insecure, warned).
void configure_transport_security(caf::actor_system_config& config, const std::string& node_id,
                                  const ClusterOptions& cluster) {
  if (cluster.max_message_bytes < 1024)
    throw std::invalid_argument("ClusterOptions::max_message_bytes must be at least 1024, got " +
                                std::to_string(cluster.max_message_bytes));
  if (cluster.tls.enabled()) {
    if (auto problem = check_cluster_tls(cluster.tls))
      throw std::invalid_argument("ClusterOptions::tls." + problem->field + ": " + problem->message);
    config.openssl_certificate = cluster.tls.cert_file;
    config.openssl_key = cluster.tls.key_file;
    config.openssl_cafile = cluster.tls.ca_file;
    return;
  }
  if (is_loopback_host(cluster.listen_host)) return;
  if (!cluster.allow_insecure)
    throw std::invalid_argument("ClusterOptions::listen_host '" + cluster.listen_host +
                                "' is not a loopback address: set ClusterOptions::tls (mutual TLS between the "
                                "nodes) or allow_insecure (any peer that reaches the port is trusted)");
  log_json(spdlog::level::warn, {{"event", "cluster_insecure"}, {"node_id", node_id},
                                 {"listen", cluster.listen_host + ":" + std::to_string(cluster.listen_port)},
                                 {"detail", "the cluster port takes plaintext from any peer that reaches it "
                                            "(allow_insecure): set cluster.tls outside a trusted network"}});
}

}  // namespace

void configure_cluster(Engine::Core& core) {
  const EngineOptions& options = core.options;
  if (!options.cluster) return;
  const ClusterOptions& cluster = *options.cluster;
  if (options.node_id.empty()) throw std::invalid_argument("a cluster node needs a node id (EngineOptions::node_id)");
  if (!cluster.coordination) throw std::invalid_argument("a cluster node needs ClusterOptions::coordination (the store's)");
  if (cluster.shards < 1) throw std::invalid_argument("ClusterOptions::shards must be at least 1");
  if (cluster.heartbeat_interval * 2 > cluster.lease_ttl)
    throw std::invalid_argument("ClusterOptions::heartbeat_interval (" + std::to_string(cluster.heartbeat_interval.count()) +
                                " ms) must be at most half of lease_ttl (" + std::to_string(cluster.lease_ttl.count()) + " ms)");
  configure_transport_security(core.config, options.node_id, cluster);
  core.config.load<caf::io::middleman>();
  // Heartbeats on, so that a peer that hangs (stopped, partitioned) is cut off, not waited for.
  core.config.set("middleman.heartbeat-interval", caf::timespan{std::chrono::duration_cast<caf::timespan>(cluster.heartbeat_interval)});
  core.config.set("middleman.connection-timeout", caf::timespan{std::chrono::duration_cast<caf::timespan>(cluster.peer_timeout)});
  // Every connection goes through the cluster transport; none is opened by CAF on its own.
  core.config.set("middleman.enable-automatic-connections", false);
  if (cluster.tls.enabled()) core.config.load<caf::openssl::manager>();
  core.cluster = std::make_unique<ClusterState>(options.node_id, cluster);
}

int join_cluster(Engine::Core& core) {
  ClusterState& cluster = *core.cluster;
  core.gateway = spawn_node_gateway(*core.system, core);
  core.cluster_transport = spawn_cluster_transport(*core.system, cluster.options(), cluster.node_id());
  caf::expected<uint16_t> port{caf::sec::cannot_open_port};
  {
    caf::scoped_actor self{*core.system};
    self->request(core.cluster_transport, caf::infinite, caf::publish_atom::value, cluster.options().listen_port,
                  caf::actor_cast<caf::strong_actor_ptr>(core.gateway), std::set<std::string>{},  // a dynamically typed actor: no interface
                  cluster.options().listen_host, /*reuse_addr=*/true)
        .receive([&](uint16_t bound) { port = bound; }, [&](caf::error& e) { port = std::move(e); });
  }
  if (!port)
    throw std::runtime_error("cannot listen for the cluster on " + cluster.options().listen_host + ":" +
                             std::to_string(cluster.options().listen_port) + ": " + core.system->render(port.error()));
  cluster.set_bound_port(*port);
  log_json(spdlog::level::info, {{"event", "cluster_listening"}, {"node_id", cluster.node_id()},
                                 {"address", cluster.options().listen_host + ":" + std::to_string(*port)},
                                 {"transport", cluster.options().tls.enabled() ? "mutual-tls" : "plaintext"},
                                 {"shards", cluster.shards()}});
  core.shard_manager = spawn_shard_manager(*core.system, core);
  caf::scoped_actor self{*core.system};
  int32_t resumed = 0;
  self->request(core.shard_manager, caf::infinite, join_atom::value)
      .receive([&](int32_t n) { resumed = n; }, [](caf::error&) {});
  return resumed;
}

int Engine::Core::write_shard(const std::string& workflow_id) const {
  return cluster ? cluster->shard_of(workflow_id) : -1;
}

bool Engine::Core::is_remote_handler(const std::string& name) const {
  return cluster && cluster->is_remote_handler(name);
}

void Engine::Core::shard_fenced(const std::string& workflow_id) {
  if (cluster) {
    send_from_outside(shard_manager, caf::make_message(fenced_atom::value, static_cast<int32_t>(cluster->shard_of(workflow_id))));
    return;
  }
  fence.fence("another engine took over this store: a write of workflow '" + workflow_id +
              "' was refused for a newer epoch than this engine's (" + std::to_string(epoch) +
              "); this engine writes nothing more: stop the other one or this one, then restart");
}

Status Engine::register_remote_handler(const std::string& name) {
  if (!core_->cluster) return Status::error("handler '" + name + "' cannot be remote: this engine is not a cluster node");
  core_->cluster->add_remote_handler(name);
  return Status::ok();
}

ClusterStatus Engine::cluster_status() const {
  ClusterStatus status;
  if (!core_->cluster) return status;
  const ClusterState& cluster = *core_->cluster;
  status.enabled = true;
  status.node_id = cluster.node_id();
  status.shards = cluster.shards();
  status.members = cluster.members();
  status.leases = cluster.leases();
  status.owned = cluster.owned_shards();
  return status;
}

void Engine::set_http_address(const std::string& address) {
  if (core_->cluster) core_->cluster->set_http_address(address);
}

uint16_t Engine::cluster_port() const { return core_->cluster ? core_->cluster->bound_port() : 0; }

}  // namespace actorflow
