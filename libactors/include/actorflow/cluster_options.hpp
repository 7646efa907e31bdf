#pragma once
// How an Engine takes part in a cluster: nodes that share one store (Redis) and split the
// workflows between them by shard. Each node owns the shards whose leases it holds; it runs their
// workflows, and forwards calls for other shards to their owners through CAF's middleman.
#include <actorflow/export.hpp>
#include <actorflow/clock.hpp>
#include <actorflow/coordination.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ACTORFLOW_API actorflow {

// Mutual TLS between the nodes (PEM files). Set all three or none. Each node presents cert_file
// (with key_file) and accepts a peer only if its certificate is signed by ca_file, both on the
// connections it accepts and on those it opens; a node's certificate must allow TLS client and
// server use (config/cluster/make-certs.sh makes such certificates). check_cluster_tls
// (cluster_security.hpp) checks the files.
struct ClusterTls {
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
  bool enabled() const { return !cert_file.empty() || !key_file.empty() || !ca_file.empty(); }
};

inline constexpr size_t kClusterMessageBytesDefault = size_t{8} << 20;

struct ClusterOptions {
  std::shared_ptr<Coordination> coordination;  // required: the store's (make_redis_coordination)
  int shards = 16;                             // every node of a cluster must agree
  // The node gateway (the actor other nodes talk to) is published here; port 0: any free port.
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 0;
  std::string advertise_host;                  // what other nodes connect to; empty: listen_host
  ClusterTls tls;                              // empty: plaintext, only on a loopback listen_host
  bool allow_insecure = false;                 // plaintext on a non-loopback listen_host (warned)
  // A peer's message (CAF BASP frame) larger than this closes its connection before it is
  // buffered: what one connection can make the node allocate.
  size_t max_message_bytes = kClusterMessageBytesDefault;
  Millis lease_ttl{5'000};                     // a shard whose owner stops renewing is free after this
  Millis heartbeat_interval{1'000};            // membership heartbeat and lease renewal; < lease_ttl / 2
  Millis peer_timeout{5'000};                  // a peer that sends nothing this long is cut off
  Millis route_timeout{10'000};                // a call forwarded to a shard owner waits this long for one
  Millis handoff_timeout{5'000};               // handing a shard over waits this long for running steps
  // After the store was unreachable, the members known before count as alive this long after it
  // answers again (or until they heartbeat), though their records expired meanwhile: an outage
  // shorter than lease_ttl + outage_grace moves no shard. 0: twice heartbeat_interval.
  Millis outage_grace{0};
  // Handlers other nodes run for this one: its workflows may name them, and their steps are
  // dispatched to a node that runs them (and does not list them here), even when this node has
  // registered one of the same name itself.
  std::vector<std::string> remote_handlers;
};

// What a node knows of its cluster (Engine::cluster_status).
struct ClusterStatus {
  bool enabled = false;
  std::string node_id;
  int shards = 0;
  std::vector<NodeRecord> members;  // as last read, by id
  std::vector<ShardLease> leases;   // as last read, shard 0 first
  std::vector<int> owned;           // shards this node runs workflows of now
};

}  // namespace actorflow
