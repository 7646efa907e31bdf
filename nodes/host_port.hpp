#pragma once
// Addresses in the node config: host:port, an IPv6 host in brackets ("[::1]:8080").
#include <optional>
#include <string>
#include <string_view>

namespace actorflow::node {

struct HostPort {
  std::string host;
  int port = 0;
};

// Nothing when the form is wrong; port -1 when it is no port from 0 to 65535.
std::optional<HostPort> parse_host_port(std::string_view text);

// Whether two listen addresses take the same port: same host (case ignored) or one a wildcard.
bool same_port(const HostPort& a, const HostPort& b);

}  // namespace actorflow::node
