#pragma once
// The query string of a raw request target ("/v1/workflows?status=running&limit=10"), decoded.
#include <map>
#include <optional>
#include <string>

namespace actorflow::node {

// Decoded name -> value (a repeated name keeps its last value; a name without '=' has value "").
// Nothing when an escape is malformed; `bad` then holds the offending part.
std::optional<std::map<std::string, std::string>> parse_query(const std::string& target, std::string& bad);

}  // namespace actorflow::node
