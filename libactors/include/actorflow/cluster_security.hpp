#pragma once
// What a cluster node's transport security needs checked before it starts: the TLS key files
// (ClusterTls) and whether its gateway may listen in plaintext. docs/ARCHITECTURE.md, "Cluster
// transport security", describes the model.
#include <actorflow/export.hpp>
#include <actorflow/cluster_options.hpp>

#include <optional>
#include <string>

namespace ACTORFLOW_API actorflow {

// A problem of one of the files: which field ("cert_file", "key_file" or "ca_file") and what.
struct ClusterTlsProblem {
  std::string field;
  std::string message;
};

// Loads the files as the node will (OpenSSL, PEM): the certificate chain, the private key and
// that it matches the certificate, the CA, and that the node's own certificate verifies against
// the CA for TLS client and server use. Nothing when all is well; a set of fields with some
// empty is a problem of the first empty one.
std::optional<ClusterTlsProblem> check_cluster_tls(const ClusterTls& tls);

// 127.0.0.0/8, ::1 (bracketed or not) and "localhost": hosts only this machine can reach.
bool is_loopback_host(const std::string& host);

}  // namespace actorflow
