#include "http_api.hpp"

#include "auth/api_audit.hpp"
#include "definition_routes.hpp"
#include "prometheus_text.hpp"
#include "query_params.hpp"
#include "status_http.hpp"
#include "version_info.hpp"

#include <actorflow/bounded_parse.hpp>
#include <actorflow/schedule_policy.hpp>
#include <actorflow/store.hpp>
#include <actorflow/workflow_info.hpp>
#include <actorflow/workflow_status.hpp>

#include <httplib.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <vector>

namespace actorflow::node {

namespace {

HttpReply error_reply(int status, std::string message) {
  return HttpReply{status, Json{{"error", std::move(message)}}};
}

Json to_json(const WorkflowInfo& info) {
  return Json{{"id", info.id},
              {"definition", info.definition},
              {"version", info.version},
              {"status", std::string(to_string(info.status))},
              {"data", info.data},
              {"error", info.error},
              {"restarts", info.restarts}};
}

Json to_json(const ScheduleInfo& info) {
  return Json{{"id", info.spec.id},
              {"cron", info.spec.cron},
              {"definition", info.spec.definition},
              {"input", info.spec.input},
              {"overlap", std::string(to_string(info.spec.overlap))},
              {"catch_up", std::string(to_string(info.spec.catch_up))},
              {"catch_up_fires_max", info.spec.catch_up_fires_max},
              {"paused", info.paused},
              {"created_ms", info.created_ms},
              {"last_fire_ms", info.last_fire_ms},
              {"next_fire_ms", info.next_fire_ms},
              {"last_workflow_id", info.last_workflow_id},
              {"buffered_fire_ms", info.buffered_fire_ms},
              {"fires_started", info.fires_started},
              {"fires_skipped", info.fires_skipped}};
}

Json cluster_json(const ClusterStatus& status) {
  Json members = Json::array();
  for (const auto& m : status.members)
    members.push_back(Json{{"node_id", m.node_id},
                           {"cluster_address", m.cluster_host + ":" + std::to_string(m.cluster_port)},
                           {"http_address", m.http_address},
                           {"handlers", m.handlers},
                           {"started_ms", m.started_ms}});
  Json shards = Json::array();
  for (const auto& lease : status.leases)
    shards.push_back(Json{{"shard", lease.shard}, {"owner", lease.owner}, {"epoch", lease.epoch}});
  return Json{{"enabled", status.enabled}, {"node_id", status.node_id}, {"shards_total", status.shards},
              {"members", std::move(members)}, {"shards", std::move(shards)}, {"owned", status.owned}};
}

Json event_json(const HistoryEvent& e) {
  return Json{{"seq", e.seq},   {"at_ms", e.at_ms}, {"type", e.type},
              {"step", e.step}, {"attempt", e.attempt}, {"from", e.from},
              {"to", e.to},     {"duration_ms", e.duration_ms}, {"detail", e.detail}, {"node", e.node}};
}

// Parses a request body that must be a JSON object; an empty body is `{}` when `empty_ok`.
// On failure returns the 400 reply.
std::optional<HttpReply> parse_object(const std::string& body, bool empty_ok, Json& out) {
  if (body.empty() && empty_ok) {
    out = Json::object();
    return std::nullopt;
  }
  // The depth first: the parser and every walk over the value recurse once a level.
  if (Status depth = json_text_depth(body); !depth) return error_reply(400, "request body: " + depth.message());
  try {
    out = Json::parse(body);
  } catch (const Json::parse_error& e) {
    return error_reply(400, std::string("malformed JSON body: ") + e.what());
  }
  if (!out.is_object()) return error_reply(400, std::string("the body must be a JSON object, got ") + out.type_name());
  return std::nullopt;
}

// Reads an optional string field; on a wrong type returns the 400 reply.
std::optional<HttpReply> string_field(const Json& object, const char* key, bool required, std::string& out) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (required) return error_reply(400, std::string("missing field '") + key + "' (a string)");
    return std::nullopt;
  }
  if (!it->is_string())
    return error_reply(400, std::string("field '") + key + "' must be a string, got " + it->type_name());
  out = it->get<std::string>();
  return std::nullopt;
}

// The workflow-level precondition of signal and cancel: 404 unknown, 409 ended.
std::optional<HttpReply> check_live(const Engine& engine, const std::string& id) {
  auto info = engine.query(id);
  if (!info) return error_reply(404, "no such workflow: '" + id + "'");
  if (is_terminal(info->status))
    return error_reply(409, "workflow '" + id + "' has ended (" + std::string(to_string(info->status)) + ")");
  return std::nullopt;
}

// Splits the path of a raw target into decoded segments; false on a malformed escape.
bool split_path(const std::string& target, std::vector<std::string>& segments, std::string& bad) {
  std::string path = target.substr(0, target.find('?'));
  size_t pos = 0;
  if (!path.empty() && path[0] == '/') pos = 1;
  while (true) {
    size_t slash = path.find('/', pos);
    std::string raw = path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    std::string decoded;
    if (!percent_decode(raw, decoded)) {
      bad = raw;
      return false;
    }
    segments.push_back(std::move(decoded));
    if (slash == std::string::npos) return true;
    pos = slash + 1;
  }
}

// Matches `segments` against `pattern` ("{}" = one non-empty parameter); fills `params`.
bool matches(const std::vector<std::string>& segments, std::initializer_list<const char*> pattern,
             std::vector<std::string>& params) {
  if (segments.size() != pattern.size()) return false;
  std::vector<std::string> found;
  size_t i = 0;
  for (const char* part : pattern) {
    const std::string& seg = segments[i++];
    if (std::string_view(part) == "{}") {
      if (seg.empty()) return false;
      found.push_back(seg);
    } else if (seg != part) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

constexpr size_t kListLimitMax = limits::kListPageMax;

HttpReply list_workflows(const Engine& engine, const std::string& target) {
  std::string bad;
  auto query = parse_query(target, bad);
  if (!query) return error_reply(400, "malformed percent-encoding in query part '" + bad + "'");
  WorkflowFilter filter;
  for (const auto& [name, value] : *query) {
    if (name == "status") {
      filter.status = parse_workflow_status(value);
      if (!filter.status)
        return error_reply(400, "status '" + value +
                                    "' is not one of running, compensating, completed, failed, compensated, dead-lettered");
    } else if (name == "definition") {
      filter.definition = value;
    } else if (name == "after") {
      filter.after_id = value;
    } else if (name == "limit") {
      size_t used = 0;
      long long limit = 0;
      try {
        limit = std::stoll(value, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != value.size() || value.empty() || limit < 1 || limit > static_cast<long long>(kListLimitMax))
        return error_reply(400, "limit must be an integer from 1 to " + std::to_string(kListLimitMax) + ", got '" + value + "'");
      filter.limit = static_cast<size_t>(limit);
    } else {
      return error_reply(400, "unknown query parameter '" + name + "' (expected status, definition, after, limit)");
    }
  }
  Json list = Json::array();
  auto page = engine.list_workflows(filter);
  for (const auto& w : page)
    list.push_back(Json{{"id", w.id}, {"definition", w.definition}, {"version", w.version},
                        {"status", std::string(to_string(w.status))}, {"started_ms", w.started_ms},
                        {"updated_ms", w.updated_ms}});
  Json next = page.size() == filter.limit && !page.empty() ? Json(page.back().id) : Json(nullptr);
  return HttpReply{200, Json{{"workflows", std::move(list)}, {"next_after", std::move(next)}}};
}

// Serving is healthy; workflows resumed here after their process died while a step ran are
// listed (the latest), so that a crash loop shows.
HttpReply health(const Engine& engine) {
  // The store's fault: writes are refused until an operator acts (its file gone, its data flushed...).
  if (const std::string fault = engine.store().fault(); !fault.empty())
    return HttpReply{503, Json{{"status", "unhealthy"}, {"reason", fault}}};
  if (const std::string fenced = engine.fenced(); !fenced.empty())
    return HttpReply{503, Json{{"status", "unhealthy"}, {"reason", "fenced: " + fenced}}};
  Json body{{"status", "ok"}};
  const auto recoveries = engine.crash_recoveries();
  if (!recoveries.empty()) {
    Json list = Json::array();
    for (const auto& r : recoveries)
      list.push_back({{"workflow_id", r.workflow_id}, {"step", r.step}, {"compensation", r.compensation},
                      {"crashes", r.crashes}, {"crash_attempts_max", r.crashes_max}, {"at_ms", r.at_ms},
                      {"detail", r.text()}});
    body["crash_recoveries"] = std::move(list);
  }
  return HttpReply{200, std::move(body)};
}

HttpReply stats(const Engine& engine) {
  Json by_status = Json::object();
  for (WorkflowStatus status : kWorkflowStatuses)
    by_status[std::string(to_string(status))] = 0;
  for (const auto& [status, count] : engine.store().count_by_status()) by_status[std::string(to_string(status))] = count;
  return HttpReply{200, Json{{"workflows_by_status", std::move(by_status)},
                             {"running_instances", engine.running_instances()},
                             {"dead_letters", engine.dead_letters().size()},
                             {"draining", engine.draining()}}};
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return std::string(text);
}

bool is_state_changing(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

// 415 unless a body comes with the media type its route reads (parameters such as charset aside).
std::optional<HttpReply> content_type_problem(const HttpRequest& request) {
  if (request.body.empty()) return std::nullopt;
  const std::string path = request.target.substr(0, request.target.find('?'));
  const bool yaml_route = request.method == "POST" && path == "/v1/definitions";
  const std::string wanted = yaml_route ? "application/yaml" : "application/json";
  const std::string* given = request.header("content-type");
  const std::string type = given ? lowercase(trimmed(given->substr(0, given->find(';')))) : "";
  if (type == wanted) return std::nullopt;
  return error_reply(415, request.method + " " + path + " takes a body of Content-Type " + wanted + ", got " +
                              (given ? "'" + *given + "'" : "none"));
}

// 403 for a state-changing request a browser sends on behalf of another site's page.
std::optional<HttpReply> cross_site_problem(const HttpRequest& request) {
  if (!is_state_changing(request.method)) return std::nullopt;
  if (const std::string* site = request.header("sec-fetch-site")) {
    const std::string value = lowercase(trimmed(*site));
    if (value != "same-origin" && value != "none")
      return error_reply(403, "cross-site request refused (Sec-Fetch-Site: " + *site +
                                  "): state-changing requests must come from the node's own origin");
  }
  if (const std::string* origin = request.header("origin")) {
    const std::string value = lowercase(trimmed(*origin));
    const size_t scheme_end = value.find("://");
    const std::string authority = scheme_end == std::string::npos ? "" : value.substr(scheme_end + 3);
    const std::string* host = request.header("host");
    if (authority.empty() || !host || authority != lowercase(trimmed(*host)))
      return error_reply(403, "cross-site request refused (Origin: " + *origin + ", Host: " + (host ? *host : "none") +
                                  "): state-changing requests must come from the node's own origin");
  }
  return std::nullopt;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool percent_decode(const std::string& text, std::string& out) {
  out.clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return false;
    int hi = hex_value(text[i + 1]);
    int lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

const std::string* HttpRequest::header(std::string_view lowercase_name) const {
  for (const auto& [name, value] : headers)
    if (name == lowercase_name) return &value;
  return nullptr;
}

HttpApi::HttpApi(Engine& engine, HttpApiOptions options) : engine_(engine), options_(options) {}

HttpReply HttpApi::handle(const HttpRequest& request) const {
  if (auto refused = cross_site_problem(request)) return *refused;
  HttpReply reply;
  try {
    reply = authorized_handle(request);
  } catch (const StoreUnavailable& e) {
    // Passing trouble (the store is down or restarting): the client tries again.
    reply = error_reply(503, std::string("store unavailable: ") + e.what());
  }
  const bool has_retry_after = std::any_of(reply.headers.begin(), reply.headers.end(),
                                           [](const auto& header) { return header.first == "Retry-After"; });
  if (reply.status == 503 && !has_retry_after) reply.headers.emplace_back("Retry-After", std::to_string(kRetryAfterSeconds));
  return reply;
}

HttpReply HttpApi::handle(const std::string& method, const std::string& target, const std::string& body) const {
  return handle(method, target, body, auth::Caller{});
}

HttpReply HttpApi::handle(const std::string& method, const std::string& target, const std::string& body,
                          const auth::Caller& caller) const {
  if (body.size() > options_.body_bytes_max)
    return error_reply(413, "request body of " + std::to_string(body.size()) + " bytes exceeds body_bytes_max (" +
                                std::to_string(options_.body_bytes_max) + ")");
  std::vector<std::string> seg;
  std::string bad;
  if (!split_path(target, seg, bad)) return error_reply(400, "malformed percent-encoding in path segment '" + bad + "'");

  std::vector<std::string> p;
  bool path_known = false;  // the path matched a route, the method did not: 405
  auto route = [&](const char* route_method, std::initializer_list<const char*> pattern) {
    if (!matches(seg, pattern, p)) return false;
    if (method == route_method) return true;
    path_known = true;
    return false;
  };

  if (route("GET", {"healthz"})) return health(engine_);
  if (route("GET", {"metrics"}))
    return HttpReply{200, kPrometheusContentType, render_prometheus(engine_.metrics(), options_.node_id)};
  if (engine_.draining() && (method == "POST" || method == "DELETE")) return error_reply(503, "node is draining");

  if (route("GET", {"v1", "whoami"}))
    return HttpReply{200, Json{{"name", caller.name}, {"role", std::string(auth::to_string(caller.role))},
                               {"authenticated", caller.authenticated}}};
  if (route("GET", {"v1", "version"})) return HttpReply{200, version_json()};
  if (route("GET", {"v1", "workflows"})) return list_workflows(engine_, target);
  if (route("GET", {"v1", "definitions"})) return list_definitions(engine_);
  if (route("POST", {"v1", "definitions"})) {
    std::string bad;
    auto query = parse_query(target, bad);
    if (!query) return error_reply(400, "malformed percent-encoding in query part '" + bad + "'");
    const std::string source = query->count("source") != 0 ? query->at("source") : "request";
    return deploy_definitions(engine_, body, source, options_.definitions_dir);
  }
  if (route("GET", {"v1", "stats"})) return stats(engine_);
  if (route("GET", {"v1", "cluster"})) return HttpReply{200, cluster_json(engine_.cluster_status())};
  if (route("GET", {"v1", "breakers"})) {
    Json list = Json::array();
    for (const auto& [service, state] : engine_.breakers())
      list.push_back(Json{{"service", service}, {"state", std::string(to_string(state))}});
    return HttpReply{200, Json{{"breakers", std::move(list)}}};
  }

  if (route("POST", {"v1", "workflows"})) {
    Json request;
    if (auto err = parse_object(body, false, request)) return *err;
    std::string definition, id;
    if (auto err = string_field(request, "definition", true, definition)) return *err;
    if (auto err = string_field(request, "id", true, id)) return *err;
    Json input = Json::object();
    if (auto it = request.find("input"); it != request.end()) {
      if (!it->is_object()) return error_reply(400, std::string("field 'input' must be a JSON object, got ") + it->type_name());
      input = *it;
    }
    StartResult result = engine_.start(definition, id, std::move(input));
    if (!result.status) return error_reply(result.unavailable ? 503 : http_status_of(result.status, 400), result.status.message());
    return HttpReply{result.created ? 201 : 200, Json{{"id", id}, {"created", result.created}}};
  }

  if (route("GET", {"v1", "workflows", "{}"})) {
    auto info = engine_.query(p[0]);
    if (!info) return error_reply(404, "no such workflow: '" + p[0] + "'");
    return HttpReply{200, to_json(*info)};
  }

  if (route("GET", {"v1", "workflows", "{}", "history"})) {
    if (!engine_.query(p[0])) return error_reply(404, "no such workflow: '" + p[0] + "'");
    Json events = Json::array();
    for (const auto& event : engine_.history(p[0])) events.push_back(event_json(event));
    return HttpReply{200, Json{{"events", std::move(events)}}};
  }

  if (route("POST", {"v1", "workflows", "{}", "signals", "{}"})) {
    Json payload;
    if (auto err = parse_object(body, true, payload)) return *err;
    if (caller.authenticated && !payload.contains("by")) payload["by"] = caller.name;
    if (auto err = check_live(engine_, p[0])) return *err;
    Status status = engine_.signal(p[0], p[1], std::move(payload));
    if (!status) {
      if (auto err = check_live(engine_, p[0])) return *err;  // it ended meanwhile
      return error_reply(http_status_of(status, 400), status.message());
    }
    return HttpReply{202, Json{{"delivered", true}}};
  }

  if (route("POST", {"v1", "workflows", "{}", "cancel"})) {
    Json request;
    if (auto err = parse_object(body, true, request)) return *err;
    std::string by = caller.name, reason;
    if (auto err = string_field(request, "by", false, by)) return *err;
    if (auto err = string_field(request, "reason", false, reason)) return *err;
    if (auto err = check_live(engine_, p[0])) return *err;
    Status status = engine_.cancel(p[0], by, reason);
    if (!status) {
      if (auto err = check_live(engine_, p[0])) return *err;
      return error_reply(http_status_of(status, 400), status.message());
    }
    return HttpReply{202, Json{{"cancelled", true}}};
  }

  if (route("POST", {"v1", "workflows", "{}", "retry"})) {
    Json request;
    if (auto err = parse_object(body, true, request)) return *err;
    std::string by = caller.name;
    if (auto err = string_field(request, "by", false, by)) return *err;
    auto info = engine_.query(p[0]);
    if (!info) return error_reply(404, "no such workflow: '" + p[0] + "'");
    if (info->status != WorkflowStatus::dead_lettered)
      return error_reply(409, "workflow '" + p[0] + "' is " + std::string(to_string(info->status)) +
                                  ", not dead-lettered: only a dead-lettered workflow can be retried");
    Status status = engine_.retry_dead_letter(p[0], by);
    if (!status) return error_reply(http_status_of(status, 409), status.message());
    return HttpReply{202, Json{{"retried", true}, {"id", p[0]}}};
  }

  if (route("GET", {"v1", "dead-letters"})) {
    Json list = Json::array();
    for (const auto& d : engine_.dead_letters())
      list.push_back(Json{{"workflow_id", d.workflow_id}, {"reason", d.reason}, {"at_ms", d.at_ms}});
    return HttpReply{200, Json{{"dead_letters", std::move(list)}}};
  }

  if (route("GET", {"v1", "schedules"})) {
    Json list = Json::array();
    for (const auto& s : engine_.schedules()) list.push_back(to_json(s));
    return HttpReply{200, Json{{"schedules", std::move(list)}}};
  }

  if (route("GET", {"v1", "schedules", "{}"})) {
    auto info = engine_.schedule(p[0]);
    if (!info) return error_reply(404, "no such schedule: '" + p[0] + "'");
    return HttpReply{200, to_json(*info)};
  }

  bool pause = route("POST", {"v1", "schedules", "{}", "pause"});
  if (pause || route("POST", {"v1", "schedules", "{}", "resume"})) {
    if (!engine_.schedule(p[0])) return error_reply(404, "no such schedule: '" + p[0] + "'");
    Status status = pause ? engine_.pause_schedule(p[0]) : engine_.resume_schedule(p[0]);
    if (!status) return error_reply(http_status_of(status, 400), status.message());
    auto info = engine_.schedule(p[0]);
    if (!info) return error_reply(404, "no such schedule: '" + p[0] + "'");
    return HttpReply{200, to_json(*info)};
  }

  if (route("DELETE", {"v1", "schedules", "{}"})) {
    if (!engine_.schedule(p[0])) return error_reply(404, "no such schedule: '" + p[0] + "'");
    Status status = engine_.delete_schedule(p[0]);
    if (!status) return error_reply(http_status_of(status, 400), status.message());
    return HttpReply{200, Json{{"id", p[0]}, {"deleted", true}}};
  }

  std::string path = target.substr(0, target.find('?'));
  if (path_known) return error_reply(405, "method " + method + " not allowed on " + path);
  return error_reply(404, "no route for " + method + " " + path +
                              " (a '/' inside a workflow or schedule id must be sent as %2F)");
}

HttpReply HttpApi::authorized_handle(const HttpRequest& request) const {
  std::vector<std::string> segments;
  std::string bad;
  if (!split_path(request.target, segments, bad)) segments.clear();  // handle() answers 400; the check needs a role
  auth::AuthCheck check;
  if (options_.authorizer) {
    const std::string* authorization = request.header("authorization");
    check = options_.authorizer->check(request.method, segments, authorization ? *authorization : std::string(),
                                       request.remote_addr);
  } else {
    check.rule = auth::route_rule(request.method, segments);
    check.caller = auth::Caller{};
  }
  HttpReply reply;
  if (check.caller) {
    // After the caller is known: a stranger learns nothing of a route's body format.
    auto refused = request.body.size() <= options_.body_bytes_max ? content_type_problem(request) : std::nullopt;
    reply = refused ? *refused : handle(request.method, request.target, request.body, *check.caller);
  } else {
    reply = HttpReply{check.status, check.body};
    if (check.status == 401) reply.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"actorflow\"");
    if (check.status == 429)
      reply.headers.emplace_back("Retry-After", std::to_string((check.retry_after.count() + 999) / 1000));
  }
  if (auth::is_state_changing(request.method)) {
    // A start names its workflow in the body, not the path: the reply says which it was.
    const bool start = check.rule.route == "POST /v1/workflows";
    const std::string started_id = start && reply.content_type.empty() && reply.body.is_object() &&
                                           reply.body.contains("id") && reply.body["id"].is_string()
                                       ? reply.body["id"].get<std::string>()
                                       : "";
    auth::log_api_call(check.rule, check.caller ? &*check.caller : nullptr, request.remote_addr, reply.status, started_id);
  }
  return reply;
}

void HttpApi::bind(httplib::Server& server) const {
  server.set_payload_max_length(options_.body_bytes_max);
  auto serve = [this](const httplib::Request& req, httplib::Response& res) {
    HttpRequest request{req.method, req.target, {}, req.body, req.remote_addr};
    for (const auto& [name, value] : req.headers) request.headers.emplace_back(lowercase(name), value);
    HttpReply reply = handle(request);
    res.status = reply.status;
    for (const auto& [name, value] : reply.headers) res.set_header(name.c_str(), value);
    if (reply.content_type.empty()) res.set_content(reply.body.dump(), "application/json");
    else res.set_content(reply.text, reply.content_type.c_str());
  };
  for (const char* pattern : {R"(/v1/.*)", R"(/healthz)", R"(/metrics)"}) {
    server.Get(pattern, serve);
    server.Post(pattern, serve);
    server.Delete(pattern, serve);
    server.Put(pattern, serve);
    server.Patch(pattern, serve);
  }
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const StoreUnavailable& e) {
      // Passing trouble (the store is down or restarting): the client tries again.
      res.status = 503;
      res.set_header("Retry-After", std::to_string(kRetryAfterSeconds));
      res.set_content(Json{{"error", std::string("store unavailable: ") + e.what()}}.dump(), "application/json");
      return;
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    res.status = 500;
    res.set_content(Json{{"error", "internal error: " + what}}.dump(), "application/json");
  });
  // Replies httplib makes itself (unknown route, bad request line, payload too large) get a JSON body.
  server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    std::string message;
    switch (res.status) {
      case 404: message = "no route for " + req.method + " " + req.path; break;
      case 413: message = "request body too large"; break;
      case 414: message = "request URI too long"; break;
      default: message = "HTTP " + std::to_string(res.status); break;
    }
    res.set_content(Json{{"error", message}}.dump(), "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }));
}

}  // namespace actorflow::node
