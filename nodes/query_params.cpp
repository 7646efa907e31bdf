#include "query_params.hpp"

#include "http_api.hpp"

namespace actorflow::node {

std::optional<std::map<std::string, std::string>> parse_query(const std::string& target, std::string& bad) {
  std::map<std::string, std::string> params;
  const size_t question = target.find('?');
  if (question == std::string::npos) return params;
  const std::string query = target.substr(question + 1);
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    const std::string part = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    std::string name, value;
    if (!percent_decode(part.substr(0, eq), name) ||
        (eq != std::string::npos && !percent_decode(part.substr(eq + 1), value))) {
      bad = part;
      return std::nullopt;
    }
    params[name] = value;
  }
  return params;
}

}  // namespace actorflow::node
