// API tokens with roles against a real node (issue 18): each role allowed and refused on a route of
// each level, no or a garbled token, failed attempts limited per address, a short token refused at
// start, a non-loopback address refused without tokens (issue 17 item 12), tokens reloaded on
// SIGHUP, the audit trail and the `by` taken from the token's name, and no token in any log line
// or history event.
#include "node_process.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

using namespace actorflow;
using namespace actorflow::testing;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// 32 random bytes in hex, as `openssl rand -hex 32` writes them.
std::string random_token() {
  std::random_device random;
  std::ostringstream hex;
  hex << std::hex;
  for (int i = 0; i < 8; ++i) {
    const unsigned int word = random();
    hex.width(8);
    hex.fill('0');
    hex << word;
  }
  return hex.str();
}

struct Tokens {
  std::string read = random_token();
  std::string operate = random_token();
  std::string admin = random_token();

  std::string file_text() const {
    return "# role name token\nread viewer " + read + "\noperate ops-bot " + operate + "\n\nadmin root " + admin + "\n";
  }
};

NodeSetup auth_setup(const NodeDir& dir, const std::string& tokens_file, const std::string& auth_lines = "") {
  NodeSetup setup = dir.setup();
  setup.extra_yaml = "auth:\n  tokens_file: '" + tokens_file + "'\n" + auth_lines;
  return setup;
}

// One request with `token` (empty: none at all, whatever the setup's client token).
HttpAnswer call(const NodeProcess& node, const std::string& method, const std::string& path, const std::string& token,
                const std::string& body = "", const std::string& content_type = "application/json") {
  std::unique_ptr<httplib::Client> client =
      token.empty() ? std::make_unique<httplib::Client>("127.0.0.1", node.port()) : node.client(token);
  auto result = method == "GET" ? client->Get(path) : client->Post(path, body, content_type);
  HttpAnswer answer;
  if (!result) return answer;
  answer.status = result->status;
  answer.body = Json::parse(result->body, nullptr, false);
  return answer;
}

HttpAnswer with_header(const NodeProcess& node, const std::string& path, const std::string& authorization) {
  auto client = node.client();
  httplib::Headers headers{{"Authorization", authorization}};
  auto result = client->Get(path, headers);
  HttpAnswer answer;
  if (!result) return answer;
  answer.status = result->status;
  answer.body = Json::parse(result->body, nullptr, false);
  answer.content_type = result->get_header_value("WWW-Authenticate");
  return answer;
}

const char* kDefinition = R"(name: deployed_flow
version: 1
steps:
  - step: only
    handler: inventory.reserve
)";

int count_of(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

// Waits (bounded; the log is the only news from the node) until `event` was logged `times` times.
bool wait_for_count(const NodeProcess& node, const std::string& event, int times) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (count_of(node.log(), "\"event\":\"" + event + "\"") >= times) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

}  // namespace

TEST(NodeAuth, EachRoleIsAllowedAndRefusedOnARouteOfEachLevel) {
  NodeDir dir;
  const Tokens tokens;
  NodeProcess node(dir, auth_setup(dir, dir.write("tokens", tokens.file_text())));

  struct Level {
    std::string role;
    std::string method;
    std::string path;
    std::string body;
    std::string content_type;
  };
  int n = 0;
  const auto start_body = [&n] {
    return Json{{"definition", "order_saga"}, {"id", "auth-" + std::to_string(++n)}}.dump();
  };
  const std::vector<std::pair<std::string, std::string>> callers{
      {"read", tokens.read}, {"operate", tokens.operate}, {"admin", tokens.admin}};
  const std::vector<std::string> levels{"read", "operate", "admin"};
  for (size_t c = 0; c < callers.size(); ++c) {
    for (size_t l = 0; l < levels.size(); ++l) {
      HttpAnswer answer;
      if (levels[l] == "read") answer = call(node, "GET", "/v1/workflows", callers[c].second);
      if (levels[l] == "operate") answer = call(node, "POST", "/v1/workflows", callers[c].second, start_body());
      if (levels[l] == "admin") {
        const std::string version = std::to_string(++n);
        std::string yaml = kDefinition;
        yaml.replace(yaml.find("version: 1"), 10, "version: " + version);
        answer = call(node, "POST", "/v1/definitions?source=v" + version, callers[c].second, yaml, "application/yaml");
      }
      const bool allowed = c >= l;
      SCOPED_TRACE(callers[c].first + " token on a route needing " + levels[l]);
      if (allowed) {
        EXPECT_GE(answer.status, 200) << answer.body.dump();
        EXPECT_LT(answer.status, 300) << answer.body.dump();
      } else {
        EXPECT_EQ(answer.status, 403) << answer.body.dump();
        EXPECT_EQ(answer.body.value("required_role", ""), levels[l]) << answer.body.dump();
        EXPECT_EQ(answer.body.value("role", ""), callers[c].first) << answer.body.dump();
        EXPECT_TRUE(contains(answer.body.value("error", ""), "needs role '" + levels[l] + "'")) << answer.body.dump();
      }
    }
    const HttpAnswer whoami = call(node, "GET", "/v1/whoami", callers[c].second);
    EXPECT_EQ(whoami.status, 200);
    EXPECT_EQ(whoami.body.value("role", ""), callers[c].first);
    EXPECT_EQ(whoami.body.value("authenticated", false), true);
  }
  // Without a token every level is 401, naming the role it needs.
  for (const auto& [method, path, role] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", "/v1/workflows", "read"}, {"POST", "/v1/workflows", "operate"}, {"POST", "/v1/definitions", "admin"}}) {
    const HttpAnswer answer = call(node, method, path, "", "{}");
    EXPECT_EQ(answer.status, 401) << method << " " << path;
    EXPECT_EQ(answer.body.value("required_role", ""), role) << answer.body.dump();
  }
  EXPECT_EQ(node.stop(), 0) << node.log();
}

TEST(NodeAuth, NoOrGarbledTokenIs401AndOnlyHealthzIsOpenByDefault) {
  NodeDir dir;
  const Tokens tokens;
  NodeProcess node(dir, auth_setup(dir, dir.write("tokens", tokens.file_text())));
  EXPECT_EQ(call(node, "GET", "/healthz", "").status, 200);
  EXPECT_EQ(call(node, "GET", "/metrics", "").status, 401);
  EXPECT_EQ(call(node, "GET", "/metrics", tokens.read).status, 200);
  const std::vector<std::string> garbled{"Basic dXNlcjpwYXNz",
                                        "Bearer",
                                        "Bearer " + tokens.read.substr(0, 63),
                                        "Bearer " + tokens.read + "x",
                                        "Bearer " + random_token(),
                                        tokens.read};
  for (const std::string& header : garbled) {
    const HttpAnswer answer = with_header(node, "/v1/stats", header);
    EXPECT_EQ(answer.status, 401) << header;
    EXPECT_EQ(answer.body.value("required_role", ""), "read");
    EXPECT_TRUE(contains(answer.body.value("error", ""), "Bearer")) << answer.body.dump();
    EXPECT_TRUE(contains(answer.content_type, "Bearer")) << "WWW-Authenticate: " << answer.content_type;
  }
  // A control character is no header value at all: refused as malformed before any token check.
  EXPECT_EQ(with_header(node, "/v1/stats", "Bearer \x01\x02").status, 400);
  EXPECT_EQ(with_header(node, "/v1/stats", "bearer  " + tokens.read).status, 200);  // the scheme is case-insensitive
  EXPECT_EQ(node.stop(), 0) << node.log();
}

TEST(NodeAuth, OpenRoutesMayOpenMetricsOrCloseHealthz) {
  NodeDir dir;
  const Tokens tokens;
  NodeSetup setup = auth_setup(dir, dir.write("tokens", tokens.file_text()), "  open_routes: [/metrics]\n");
  setup.client_token = tokens.read;  // the start-up check calls /healthz
  NodeProcess node(dir, setup);
  auto anonymous = [&](const std::string& path) {
    httplib::Client client("127.0.0.1", node.port());
    auto result = client.Get(path);
    return result ? result->status : 0;
  };
  EXPECT_EQ(anonymous("/metrics"), 200);
  EXPECT_EQ(anonymous("/healthz"), 401);
  EXPECT_EQ(call(node, "GET", "/healthz", tokens.read).status, 200);
  EXPECT_EQ(node.stop(), 0) << node.log();
}

TEST(NodeAuth, FailedAttemptsFromOneAddressAreLimitedWith429) {
  NodeDir dir;
  const Tokens tokens;
  NodeProcess node(dir, auth_setup(dir, dir.write("tokens", tokens.file_text()),
                                   "  failed_attempts_max: 3\n  failed_attempts_window: 1h\n"));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(call(node, "GET", "/v1/stats", random_token()).status, 401);
  // Beyond the limit even the right token waits: guesses cannot go on at line rate.
  auto client = node.client(tokens.read);
  auto result = client->Get("/v1/stats");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 429) << result->body;
  EXPECT_TRUE(contains(result->body, "auth.failed_attempts_max (3)")) << result->body;
  EXPECT_FALSE(result->get_header_value("Retry-After").empty());
  EXPECT_EQ(call(node, "GET", "/healthz", "").status, 200);  // open routes are not limited
  EXPECT_EQ(node.stop(), 0) << node.log();
}

TEST(NodeAuth, ATooShortTokenIsRefusedAtStartNamingItsLine) {
  NodeDir dir;
  const std::string short_token = random_token().substr(0, 40);  // 20 bytes
  const std::string tokens = dir.write("tokens", "read viewer " + random_token() + "\noperate weak " + short_token + "\n");
  NodeSetup setup = auth_setup(dir, tokens);
  const ProgramRun run = run_node_program({"--config", dir.write("node.yaml", setup.to_yaml())});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, tokens + ":2: the token of 'weak' is too short: 20 bytes")) << run.output;
  EXPECT_FALSE(contains(run.output, short_token)) << run.output;

  const std::string missing = dir.file("no-such-tokens");
  const ProgramRun absent = run_node_program({"--config", dir.write("node2.yaml", auth_setup(dir, missing).to_yaml())});
  EXPECT_EQ(absent.exit_code, 2) << absent.output;
  EXPECT_TRUE(contains(absent.output, "auth.tokens_file: " + missing + ": cannot read")) << absent.output;
}

TEST(NodeAuth, ANonLoopbackAddressNeedsTokensOrAllowUnauthenticated) {
  NodeDir dir;
  NodeSetup setup = dir.setup();
  setup.http_listen = "0.0.0.0:0";
  const ProgramRun refused = run_node_program({"--config", dir.write("open.yaml", setup.to_yaml())});
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_TRUE(contains(refused.output, "http.listen: 0.0.0.0:0 is not a loopback address")) << refused.output;
  EXPECT_TRUE(contains(refused.output, "http.allow_unauthenticated")) << refused.output;

  setup.http_yaml = "  allow_unauthenticated: true\n";
  NodeProcess node(dir, setup);
  EXPECT_TRUE(node.wait_for_event("http_unauthenticated", 5s)) << node.log();
  EXPECT_EQ(http_get(node, "/v1/stats").status, 200);
  EXPECT_EQ(node.stop(), 0) << node.log();

  const Tokens tokens;
  NodeSetup with_tokens = auth_setup(dir, dir.write("tokens", tokens.file_text()));
  with_tokens.http_listen = "0.0.0.0:0";
  NodeProcess guarded(dir, with_tokens, "guarded.yaml");
  EXPECT_EQ(http_get(guarded, "/v1/stats").status, 401);
  EXPECT_FALSE(contains(guarded.log(), "http_unauthenticated"));
  EXPECT_EQ(guarded.stop(), 0) << guarded.log();
}

TEST(NodeAuth, SighupReloadsTheTokensAndABrokenFileKeepsTheOldOnes) {
  NodeDir dir;
  const Tokens first;
  const std::string path = dir.write("tokens", first.file_text());
  NodeProcess node(dir, auth_setup(dir, path));
  EXPECT_EQ(call(node, "GET", "/v1/stats", first.read).status, 200);

  const std::string second = random_token();
  dir.write("tokens", "admin rotated " + second + "\n");
  kill(node.pid(), SIGHUP);
  ASSERT_TRUE(wait_for_count(node, "security_reloaded", 1)) << node.log();
  EXPECT_EQ(call(node, "GET", "/v1/stats", first.read).status, 401);  // a token taken out of the file is refused
  const HttpAnswer whoami = call(node, "GET", "/v1/whoami", second);
  EXPECT_EQ(whoami.status, 200);
  EXPECT_EQ(whoami.body.value("name", ""), "rotated");

  dir.write("tokens", "admin broken " + second.substr(0, 10) + "\n");
  kill(node.pid(), SIGHUP);
  ASSERT_TRUE(wait_for_count(node, "security_reload_failed", 1)) << node.log();
  EXPECT_EQ(call(node, "GET", "/v1/stats", second).status, 200);
  EXPECT_EQ(node.stop(), 0) << node.log();  // SIGHUP does not stop the node; SIGTERM still does
}

TEST(NodeAuth, StateChangingCallsAreAuditedAndByIsTheTokensName) {
  NodeDir dir;
  const Tokens tokens;
  NodeProcess node(dir, auth_setup(dir, dir.write("tokens", tokens.file_text())));
  const Json input{{"order_id", "po-1"}, {"amount_cents", 50'000}, {"requested_by", "bob"}};
  ASSERT_EQ(call(node, "POST", "/v1/workflows", tokens.operate,
                 Json{{"definition", "purchase_order"}, {"id", "po-1"}, {"input", input}}.dump())
                .status,
            201);
  ASSERT_EQ(call(node, "POST", "/v1/workflows", tokens.operate,
                 Json{{"definition", "purchase_order"}, {"id", "po-2"}, {"input", input}}.dump())
                .status,
            201);
  auto history_of = [&](const std::string& id) {
    auto client = node.client(tokens.read);
    auto result = client->Get("/v1/workflows/" + id + "/history");
    return result ? Json::parse(result->body, nullptr, false) : Json();
  };
  auto has_event = [&](const std::string& id, const std::string& type) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      for (const auto& e : history_of(id).value("events", Json::array()))
        if (e.value("type", "") == type) return e;
      std::this_thread::sleep_for(50ms);
    }
    return Json();
  };
  ASSERT_FALSE(has_event("po-1", "approval_waiting").is_null());
  EXPECT_EQ(call(node, "POST", "/v1/workflows/po-1/signals/manager_approval", tokens.read,
                 Json{{"decision", "approve"}}.dump())
                .status,
            403);
  EXPECT_EQ(call(node, "POST", "/v1/workflows/po-1/signals/manager_approval", tokens.operate,
                 Json{{"decision", "approve"}}.dump())
                .status,
            202);
  const Json granted = has_event("po-1", "approval_granted");
  EXPECT_EQ(granted.value("detail", ""), "by ops-bot") << granted.dump();
  ASSERT_FALSE(has_event("po-2", "approval_waiting").is_null());
  EXPECT_EQ(call(node, "POST", "/v1/workflows/po-2/cancel", tokens.operate, "{}").status, 202);
  const Json cancelled = has_event("po-2", "workflow_cancel_requested");
  EXPECT_EQ(cancelled.value("detail", "").rfind("by ops-bot", 0), 0u) << cancelled.dump();
  EXPECT_EQ(call(node, "POST", "/v1/workflows/po-2/cancel", "", "{}").status, 401);
  EXPECT_EQ(node.stop(), 0) << node.log();

  const std::string log = node.log();
  std::vector<Json> calls;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (!contains(line, "\"event\":\"api_call\"")) continue;
    calls.push_back(Json::parse(line.substr(line.find('{')), nullptr, false));
  }
  ASSERT_EQ(calls.size(), 6u) << log;
  EXPECT_EQ(calls[0].value("route", ""), "POST /v1/workflows");
  EXPECT_EQ(calls[0].value("workflow_id", ""), "po-1");
  EXPECT_EQ(calls[0].value("token_name", ""), "ops-bot");
  EXPECT_EQ(calls[0].value("role", ""), "operate");
  EXPECT_EQ(calls[0].value("client", ""), "127.0.0.1");
  EXPECT_EQ(calls[0].value("status", 0), 201);
  EXPECT_EQ(calls[2].value("route", ""), "POST /v1/workflows/{id}/signals/{name}");
  EXPECT_EQ(calls[2].value("status", 0), 403);
  EXPECT_EQ(calls[3].value("token_name", ""), "ops-bot");
  EXPECT_EQ(calls[3].value("status", 0), 202);
  EXPECT_EQ(calls[4].value("route", ""), "POST /v1/workflows/{id}/cancel");
  EXPECT_EQ(calls[4].value("workflow_id", ""), "po-2");
  EXPECT_EQ(calls[5].value("status", 0), 401);
  EXPECT_TRUE(calls[5]["token_name"].is_null());
}

TEST(NodeAuth, NoTokenAppearsInAnyLogLineOrHistoryEvent) {
  NodeDir dir;
  const Tokens tokens;
  const std::string wrong = random_token();
  std::string history_text;
  std::string log;
  {
    NodeSetup setup = auth_setup(dir, dir.write("tokens", tokens.file_text()));
    setup.client_token = tokens.read;  // for the helpers that poll the workflow
    NodeProcess node(dir, setup);
    const Json input{{"order_id", "po-9"}, {"amount_cents", 50'000}, {"requested_by", "bob"}};
    ASSERT_EQ(call(node, "POST", "/v1/workflows", tokens.admin,
                   Json{{"definition", "purchase_order"}, {"id", "po-9"}, {"input", input}}.dump())
                  .status,
              201);
    EXPECT_EQ(call(node, "GET", "/v1/workflows/po-9", wrong).status, 401);
    EXPECT_EQ(with_header(node, "/v1/stats", "Bearer " + wrong + " trailing").status, 401);
    EXPECT_EQ(call(node, "POST", "/v1/workflows/po-9/signals/manager_approval", tokens.read,
                   Json{{"decision", "approve"}}.dump())
                  .status,
              403);
    ASSERT_TRUE(wait_for_history_event(node, "po-9", "approval_waiting"));
    EXPECT_EQ(call(node, "POST", "/v1/workflows/po-9/signals/manager_approval", tokens.operate,
                   Json{{"decision", "approve"}}.dump())
                  .status,
              202);
    wait_for_status(node, "po-9", {"completed", "failed"});
    auto client = node.client(tokens.read);
    auto result = client->Get("/v1/workflows/po-9/history");
    ASSERT_TRUE(result);
    history_text = result->body;
    EXPECT_EQ(node.stop(), 0);
    log = node.log();
  }
  ASSERT_TRUE(contains(log, "\"event\":\"api_call\"")) << log;
  ASSERT_TRUE(contains(log, "\"event\":\"auth_refused\"")) << log;
  for (const std::string& token : {tokens.read, tokens.operate, tokens.admin, wrong}) {
    EXPECT_FALSE(contains(log, token)) << "a token is in the node's log";
    EXPECT_FALSE(contains(history_text, token)) << "a token is in the history";
    EXPECT_FALSE(contains(log, token.substr(0, 16))) << "a part of a token is in the node's log";
  }
}
