#pragma once
// http.listen as both HTTP listeners take it: host:port or [ipv6]:port.
#include <exception>
#include <string>

namespace actorflow::node {

struct HostPort {
  std::string host;   // without brackets
  std::string shown;  // as written, brackets kept
  int port = -1;      // -1: malformed
};

inline HostPort parse_address(const std::string& address) {
  HostPort out;
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return out;
  out.shown = address.substr(0, colon);
  out.host = out.shown;
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']')
    out.host = out.host.substr(1, out.host.size() - 2);
  try {
    size_t used = 0;
    const std::string port = address.substr(colon + 1);
    const int value = std::stoi(port, &used);
    if (used == port.size() && value >= 0 && value <= 65535) out.port = value;
  } catch (const std::exception&) {
  }
  return out;
}

}  // namespace actorflow::node
