#pragma once
// The audit trail of the HTTP API: one `api_call` log line for every state-changing request
// (POST, PUT, PATCH, DELETE), refused or not, with the route, the workflow or schedule it acts on,
// the caller's token name and role (never the token), the client address and the status answered.
#include "authorizer.hpp"

#include <string>

namespace actorflow::node::auth {

// `caller` is null when the request was refused before a caller was known (401, 429); a start
// names its workflow id in `started_id` (the route's path holds none).
void log_api_call(const RouteRule& rule, const Caller* caller, const std::string& client, int status,
                  const std::string& started_id = "");

}  // namespace actorflow::node::auth
