#include "host_port.hpp"

#include "config/scalars.hpp"

#include <algorithm>
#include <cctype>

namespace actorflow::node {
namespace {

std::string lowercase(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool is_wildcard_host(const std::string& host) { return host == "0.0.0.0" || host == "[::]"; }

}  // namespace

std::optional<HostPort> parse_host_port(std::string_view text) {
  size_t colon = std::string_view::npos;
  HostPort out;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close == 1 || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    out.host = std::string(text.substr(0, close + 1));
    colon = close + 1;
  } else {
    colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    out.host = std::string(text.substr(0, colon));
    const bool host_ok = std::all_of(out.host.begin(), out.host.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    });
    if (!host_ok) return std::nullopt;
  }
  const std::string_view port = text.substr(colon + 1);
  const auto is_digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  if (port.empty() || !std::all_of(port.begin(), port.end(), is_digit)) return std::nullopt;
  const auto value = config::scalar_integer(port);
  out.port = value && *value >= 0 && *value <= 65535 ? static_cast<int>(*value) : -1;
  return out;
}

bool same_port(const HostPort& a, const HostPort& b) {
  return a.port == b.port &&
         (lowercase(a.host) == lowercase(b.host) || is_wildcard_host(a.host) || is_wildcard_host(b.host));
}

}  // namespace actorflow::node
