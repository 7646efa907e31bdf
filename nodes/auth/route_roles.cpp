#include "route_roles.hpp"

#include <initializer_list>
#include <string_view>

namespace actorflow::node::auth {
namespace {

enum class Id { none, workflow, schedule };  // what the route's first {} names

struct Entry {
  const char* method;
  std::initializer_list<const char*> pattern;  // "{}": one path segment
  const char* route;
  Role role;
  Id id;
};

// Every route of nodes/http_api.hpp. POST /v1/schedules (create) and any POST or DELETE under
// /v1/cluster (cluster actions) are listed ahead of their routes, so they are admin from the start.
const Entry kRoutes[]{
    {"GET", {"healthz"}, "GET /healthz", Role::read, Id::none},
    {"GET", {"metrics"}, "GET /metrics", Role::read, Id::none},
    {"GET", {"v1", "whoami"}, "GET /v1/whoami", Role::read, Id::none},
    {"GET", {"v1", "version"}, "GET /v1/version", Role::read, Id::none},
    {"GET", {"v1", "workflows"}, "GET /v1/workflows", Role::read, Id::none},
    {"GET", {"v1", "workflows", "{}"}, "GET /v1/workflows/{id}", Role::read, Id::workflow},
    {"GET", {"v1", "workflows", "{}", "history"}, "GET /v1/workflows/{id}/history", Role::read, Id::workflow},
    {"GET", {"v1", "definitions"}, "GET /v1/definitions", Role::read, Id::none},
    {"GET", {"v1", "dead-letters"}, "GET /v1/dead-letters", Role::read, Id::none},
    {"GET", {"v1", "schedules"}, "GET /v1/schedules", Role::read, Id::none},
    {"GET", {"v1", "schedules", "{}"}, "GET /v1/schedules/{id}", Role::read, Id::schedule},
    {"GET", {"v1", "breakers"}, "GET /v1/breakers", Role::read, Id::none},
    {"GET", {"v1", "stats"}, "GET /v1/stats", Role::read, Id::none},
    {"GET", {"v1", "cluster"}, "GET /v1/cluster", Role::read, Id::none},
    {"POST", {"v1", "workflows"}, "POST /v1/workflows", Role::operate, Id::none},
    {"POST", {"v1", "workflows", "{}", "signals", "{}"}, "POST /v1/workflows/{id}/signals/{name}", Role::operate,
     Id::workflow},
    {"POST", {"v1", "workflows", "{}", "cancel"}, "POST /v1/workflows/{id}/cancel", Role::operate, Id::workflow},
    {"POST", {"v1", "workflows", "{}", "retry"}, "POST /v1/workflows/{id}/retry", Role::operate, Id::workflow},
    {"POST", {"v1", "schedules", "{}", "pause"}, "POST /v1/schedules/{id}/pause", Role::operate, Id::schedule},
    {"POST", {"v1", "schedules", "{}", "resume"}, "POST /v1/schedules/{id}/resume", Role::operate, Id::schedule},
    {"POST", {"v1", "schedules"}, "POST /v1/schedules", Role::admin, Id::none},
    {"PUT", {"v1", "schedules", "{}"}, "PUT /v1/schedules/{id}", Role::admin, Id::schedule},
    {"DELETE", {"v1", "schedules", "{}"}, "DELETE /v1/schedules/{id}", Role::admin, Id::schedule},
    {"POST", {"v1", "definitions"}, "POST /v1/definitions", Role::admin, Id::none},
};

bool matches(const std::vector<std::string>& segments, std::initializer_list<const char*> pattern) {
  if (segments.size() != pattern.size()) return false;
  size_t i = 0;
  for (const char* part : pattern) {
    const std::string& segment = segments[i++];
    if (std::string_view(part) == "{}" ? segment.empty() : segment != part) return false;
  }
  return true;
}

std::string joined_path(const std::vector<std::string>& segments) {
  std::string path;
  for (const auto& s : segments) path += "/" + s;
  return path.empty() ? "/" : path;
}

}  // namespace

bool is_state_changing(const std::string& method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

RouteRule route_rule(const std::string& method, const std::vector<std::string>& segments) {
  for (const Entry& entry : kRoutes) {
    if (method != entry.method || !matches(segments, entry.pattern)) continue;
    RouteRule rule{entry.route, entry.role, "", ""};
    if (entry.id == Id::workflow) rule.workflow_id = segments[2];
    if (entry.id == Id::schedule) rule.schedule_id = segments[2];
    return rule;
  }
  // Not in the table (a 404 or 405 to come, or cluster actions): reads need read, the rest admin.
  constexpr size_t kShownCharsMax = 200;  // the route names a client's path in logs: keep it short
  const bool read = !is_state_changing(method);
  std::string route = method.substr(0, 16) + " " + joined_path(segments);
  if (route.size() > kShownCharsMax) route = route.substr(0, kShownCharsMax) + "...";
  return RouteRule{std::move(route), read ? Role::read : Role::admin, "", ""};
}

}  // namespace actorflow::node::auth
