#pragma once
// The node's HTTP/JSON API over one Engine (cpp-httplib). Every body is JSON; every error is
// {"error": "..."} with a 4xx code (5xx only for an exception inside a handler).
//
//   POST   /v1/workflows                        {"definition","id","input"} -> 201 created, 200 existed,
//                                                   503 (cluster) no owner of its shard answered in time
//   GET    /v1/workflows?status=&definition=&after=&limit=
//                                                -> {"workflows":[{"id","definition","version","status",
//                                                   "started_ms","updated_ms"}], "next_after": id|null}
//                                                   ordered by id; limit 1..1000 (default 100); next_after
//                                                   is the last id when the page is full (pass it as after=)
//   GET    /v1/workflows/{id}                   -> {"id","definition","version","status","data","error","restarts"}
//   GET    /v1/workflows/{id}/history           -> {"events":[{"seq","at_ms","type","step","attempt","from","to",
//                                                   "duration_ms","detail","node"}]}
//   POST   /v1/workflows/{id}/signals/{name}    body = payload (empty = {}) -> 202 {"delivered":true}
//                                                   (an approval: {"decision":"approve"|"reject","by","reason"})
//   POST   /v1/workflows/{id}/cancel            {"by","reason"} -> 202 {"cancelled":true}
//   POST   /v1/workflows/{id}/retry             {"by"} (optional) -> 202 {"retried":true} (a dead-lettered one)
//   GET    /v1/definitions                      -> {"definitions":[{"name","version","latest"}]}
//   POST   /v1/definitions?source=NAME          body = YAML -> 201 {"registered":[{"name","version"}],"saved_as"}
//                                                   400 {"error","problems":[...]}, 409 a version that exists
//                                                   (definition_routes.hpp)
//   GET    /v1/dead-letters                     -> {"dead_letters":[{"workflow_id","reason","at_ms"}]}
//   GET    /v1/schedules                        -> {"schedules":[...]}
//   GET    /v1/schedules/{id}                   -> one schedule
//   POST   /v1/schedules/{id}/pause | /resume   -> 200 the schedule
//   DELETE /v1/schedules/{id}                   -> 200 {"id","deleted":true}
//   GET    /v1/breakers                         -> {"breakers":[{"service","state"}]}  state: closed|open|half-open
//   GET    /v1/stats                            -> {"workflows_by_status":{"running":n,...every status...},
//                                                   "running_instances":n,"dead_letters":n,"draining":bool}
//   GET    /v1/cluster                          -> {"enabled","node_id","shards_total","owned":[n...],
//                                                   "members":[{"node_id","cluster_address","http_address",
//                                                   "handlers","started_ms"}],"shards":[{"shard","owner","epoch"}]}
//   GET    /metrics                             -> Prometheus text format (text/plain; version=0.0.4)
//   GET    /healthz                             -> {"status":"ok"}, plus "crash_recoveries":[{"workflow_id",
//                                                   "step","compensation","crashes","crash_attempts_max",
//                                                   "at_ms","detail"}] when workflows were resumed here after
//                                                   their process died while a step ran (the latest 16)
//   GET    /v1/whoami                           -> {"name","role","authenticated"}: who the token says the caller is
//   GET    /v1/version                          -> {"version","git_revision","build_type","store_kinds":[...],
//                                                   "plugin_abi_version"} (version_info.hpp)
//
// With an authorizer (auth.tokens_file, nodes/auth/authorizer.hpp) every request is checked before
// routing: 401/403/429 {"error","required_role"}; the role each route needs is in
// nodes/auth/route_roles.cpp. The `by` of cancel and retry, and of a signal whose payload names
// none, is the token's name. Every state-changing request is logged as an `api_call` event.
//
// Requests with a body must say what it is: Content-Type application/json (POST /v1/definitions:
// application/yaml), else 415. State-changing requests (POST, PUT, PATCH, DELETE) sent by a
// browser for another site are refused with 403: Sec-Fetch-Site, when present, must be
// same-origin or none, and Origin, when present, must name the Host the request was sent to.
// A JSON body nesting deeper than json_depth_max is refused with 400 before it is parsed.
//
// While the engine drains (Engine::drain), every POST and DELETE is refused with 503
// {"error":"node is draining"}; reads go on. On a cluster node every call may be made to any node:
// writes (start, signal, cancel, retry, schedule commands) reach the owner of the workflow's shard,
// reads come from the shared store.
//
// Path parameters are percent-decoded one segment at a time, from the raw request target: a
// workflow id holding '/' is sent with it encoded ("run-1%2Forder-0001"); an unencoded '/' splits
// segments and the route does not match (404).
#include "auth/authorizer.hpp"

#include <actorflow/actorflow.hpp>
#include <actorflow/json.hpp>
#include <actorflow/limits.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
}

namespace actorflow::node {

// One complete request as the server read it: header names lowercased, in arrival order.
struct HttpRequest {
  std::string method;
  std::string target;  // raw, still percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_addr;  // the client's address, as the listener saw it

  // The first value of header `lowercase_name`, or nothing.
  const std::string* header(std::string_view lowercase_name) const;
};

struct HttpApiOptions {
  size_t body_bytes_max = limits::kBodyBytesMax;  // http.body_bytes_max: a larger request body is refused with 413
  std::string node_id;              // labels /metrics (actorflow_node_info) when set
  std::string definitions_dir;      // POST /v1/definitions saves there (the node's workflows_dir); empty: not saved
  auth::Authorizer* authorizer = nullptr;  // checks every request bound by bind(); null: none (must outlive the API)
};

// What a route answers: an HTTP status and a JSON body, or (when content_type is set) `text`.
struct HttpReply {
  HttpReply() = default;
  HttpReply(int status_code, Json json) : status(status_code), body(std::move(json)) {}
  HttpReply(int status_code, std::string type, std::string content)
      : status(status_code), content_type(std::move(type)), text(std::move(content)) {}

  int status = 200;
  Json body = Json::object();
  std::string content_type;
  std::string text;
  std::vector<std::pair<std::string, std::string>> headers;  // more response headers
};

class HttpApi {
 public:
  // `engine` must outlive this object.
  explicit HttpApi(Engine& engine, HttpApiOptions options = {});

  // Answers one request without a socket: `target` is the raw request target (path, optionally
  // "?query"), still percent-encoded. Never throws for bad input (4xx replies); an exception from
  // the engine propagates. Thread-safe.
  HttpReply handle(const std::string& method, const std::string& target, const std::string& body) const;
  // The same for an authenticated `caller` (its name is the default `by`; whoami answers it).
  HttpReply handle(const std::string& method, const std::string& target, const std::string& body,
                   const auth::Caller& caller) const;
  // The same for a request with its headers: the content-type and cross-site checks, then the
  // authorizer (options.authorizer), the route, and the audit line of a state-changing call.
  HttpReply handle(const HttpRequest& request) const;

  // Registers the routes on `server` (GET/POST/DELETE under /v1/, /healthz and /metrics), plus an error
  // handler that turns any empty 4xx/5xx reply into JSON and an exception handler that answers
  // 500 JSON. Sets the server's payload limit to body_bytes_max. This object must outlive the
  // server's serving.
  void bind(httplib::Server& server) const;

 private:
  // handle() behind the authorizer's check (when there is one), and the audit line.
  HttpReply authorized_handle(const HttpRequest& request) const;

  Engine& engine_;
  HttpApiOptions options_;
};

// Percent-decodes one path segment ('+' stays '+'); false on a malformed escape ("%zz", "%4").
bool percent_decode(const std::string& text, std::string& out);

}  // namespace actorflow::node
