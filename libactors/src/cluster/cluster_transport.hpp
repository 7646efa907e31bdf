#pragma once
// The connections of a cluster node: a middleman actor of our own (it answers what CAF's
// caf::io::middleman_actor answers: publish, connect, ...) whose connections hand CAF's BASP broker
// only what passed two checks:
//   - with ClusterOptions::tls set, a TLS session of CAF's OpenSSL module (caf::openssl::session)
//     on each connection, both ways: each side presents its certificate and verifies the other's
//     against the cluster CA (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT). Until the
//     handshake has succeeded no byte reaches the broker, so nothing from a peer without a
//     certificate of the cluster CA is deserialised; a failed handshake closes the connection
//     (logged as cluster_connection_refused with OpenSSL's reason);
//   - a BaspFrameGuard: a frame announcing more than ClusterOptions::max_message_bytes closes the
//     connection before CAF allocates its payload (plaintext mode too).
// The key files are read by OpenSSL for each new connection: certificates replaced on disk are
// used from the next connection on.
#include <actorflow/cluster_options.hpp>

#include <caf/fwd.hpp>

#include <string>

namespace actorflow {

// Spawns it, detached (connecting blocks its thread): send it caf::io::middleman_actor's messages
// (publish_atom, connect_atom). The caller kills it before the system stops. With options.tls set,
// the system must have loaded caf::openssl::manager with the same files (configure_cluster).
caf::actor spawn_cluster_transport(caf::actor_system& system, const ClusterOptions& options, const std::string& node_id);

}  // namespace actorflow
