#pragma once
// Which role each route of the HTTP API needs: the one table of it (route_roles.cpp). Reads need
// `read`; starting, signalling (approvals are signals), cancelling, retrying and pausing or resuming
// a schedule need `operate`; deploying definitions, creating or deleting schedules and cluster
// actions need `admin`. A route the table does not name needs `read` for GET and `admin` for
// anything else, so a route added without an entry is never open to a lower role than that.
#include "role.hpp"

#include <string>
#include <vector>

namespace actorflow::node::auth {

// What the table says about one request.
struct RouteRule {
  std::string route;  // the route as "METHOD /path/{param}", e.g. "POST /v1/workflows/{id}/cancel"
  Role role = Role::admin;
  // The workflow or schedule id the route acts on, when its path names one ("" otherwise).
  std::string workflow_id;
  std::string schedule_id;
};

// The rule for `method` on the percent-decoded path `segments` ("v1", "workflows", "order-1").
RouteRule route_rule(const std::string& method, const std::vector<std::string>& segments);

// True for methods that change state (everything but GET, HEAD and OPTIONS).
bool is_state_changing(const std::string& method);

}  // namespace actorflow::node::auth
