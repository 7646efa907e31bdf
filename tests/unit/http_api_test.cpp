// The node's HTTP/JSON API, driven over a real socket: an httplib::Server on 127.0.0.1 (a free
// port) serving an Engine on a memory store and the real clock, called with httplib::Client.
#include "http_api.hpp"

#include <actorflow/actorflow.hpp>
#include <actorflow/plugin.hpp>
#include <actorflow/step_handler.hpp>
#include <actorflow/version.hpp>
#include <actorflow/workflow_definition.hpp>
#include <actorflow/yaml_definition.hpp>

#include <httplib.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>

using namespace actorflow;
using namespace actorflow::node;

namespace {

struct Reply {
  int status = 0;
  Json body;
  std::string content_type;
};

EngineOptions test_options() {
  EngineOptions options;
  options.store = make_memory_store();
  options.clock = make_real_clock();
  options.passivate_after = std::nullopt;
  return options;
}

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine = std::make_unique<Engine>(test_options());
    engine->register_handler("greet", [](const StepContext& ctx) {
      return Json{{"hello", ctx.input().value("name", std::string("nobody"))}};
    });
    engine->register_handler("after", [](const StepContext&) { return Json{{"done", true}}; });
    engine->register_handler("boom", [](const StepContext&) -> Json { throw NonRetryableError("the card was declined"); });
    ASSERT_TRUE(engine->register_workflow(WorkflowBuilder("greet").step("greet", "greet").build()));
    ASSERT_TRUE(engine->register_workflow(
        WorkflowBuilder("approve").wait_for(WaitSpec("go", "go")).step("after", "after").build()));
    ASSERT_TRUE(engine->register_workflow(
        WorkflowBuilder("doomed").step(StepSpec("boom", "boom").on_error(ErrorStrategy::dead_letter)).build()));

    api = std::make_unique<HttpApi>(*engine);
    api->bind(server);
    // Outside /v1: only to prove the exception handler turns a throw into 500 JSON.
    server.Get("/test/throw", [](const httplib::Request&, httplib::Response&) { throw std::runtime_error("kaboom"); });
    // The socket listens once bound, so a request made before listen_after_bind runs waits in the
    // backlog. But stop() before the loop runs is lost (httplib 0.11.4 has no wait_until_ready):
    // wait for is_running(), bounded.
    port = server.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    serving = std::thread([this] { server.listen_after_bind(); });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server.is_running() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    ASSERT_TRUE(server.is_running());
    client = std::make_unique<httplib::Client>("127.0.0.1", port);
    client->set_read_timeout(10, 0);
  }

  void TearDown() override {
    server.stop();
    if (serving.joinable()) serving.join();
  }

  Reply call(const std::string& method, const std::string& path, const std::string& body = "") {
    auto send = [&]() -> httplib::Result {
      if (method == "POST")
        return client->Post(path, body, path.rfind("/v1/definitions", 0) == 0 ? "application/yaml" : "application/json");
      if (method == "DELETE") return client->Delete(path);
      if (method == "PUT") return client->Put(path, body, "application/json");
      return client->Get(path);
    };
    httplib::Result result = send();
    Reply reply;
    if (!result) {
      ADD_FAILURE() << method << " " << path << ": no response (" << httplib::to_string(result.error()) << ")";
      return reply;
    }
    reply.status = result->status;
    reply.content_type = result->get_header_value("Content-Type");
    try {
      reply.body = Json::parse(result->body);
    } catch (const std::exception& e) {
      ADD_FAILURE() << method << " " << path << ": body is not JSON: '" << result->body << "'";
    }
    return reply;
  }

  Reply start(const std::string& definition, const std::string& id, Json input = Json::object()) {
    return call("POST", "/v1/workflows", Json{{"definition", definition}, {"id", id}, {"input", input}}.dump());
  }

  // Expects a JSON error reply with `status` whose message contains `part`.
  static void expect_error(const Reply& reply, int status, const std::string& part) {
    EXPECT_EQ(reply.status, status) << reply.body.dump();
    ASSERT_TRUE(reply.body.is_object() && reply.body.contains("error") && reply.body["error"].is_string())
        << reply.body.dump();
    EXPECT_NE(reply.body["error"].get<std::string>().find(part), std::string::npos) << reply.body.dump();
    EXPECT_EQ(reply.content_type, "application/json");
  }

  std::unique_ptr<Engine> engine;
  std::unique_ptr<HttpApi> api;
  httplib::Server server;
  int port = 0;
  std::thread serving;
  std::unique_ptr<httplib::Client> client;
};

TEST_F(HttpApiTest, ASingleNodeSaysItIsNoClusterMember) {
  auto reply = call("GET", "/v1/cluster");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body["enabled"], false);
  EXPECT_TRUE(reply.body["members"].empty());
  EXPECT_TRUE(reply.body["shards"].empty());
}

TEST_F(HttpApiTest, HealthzAnswersOk) {
  auto reply = call("GET", "/healthz");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, (Json{{"status", "ok"}}));
  EXPECT_EQ(reply.content_type, "application/json");
}

TEST_F(HttpApiTest, StartCreatesOnceThenReportsTheExistingWorkflow) {
  auto first = start("greet", "wf-1", {{"name", "ada"}});
  EXPECT_EQ(first.status, 201);
  EXPECT_EQ(first.body, (Json{{"id", "wf-1"}, {"created", true}}));

  auto again = start("greet", "wf-1", {{"name", "ada"}});
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, (Json{{"id", "wf-1"}, {"created", false}}));

  // The same id with another input is not the same start: refused, naming what is there.
  auto clash = start("greet", "wf-1", {{"name", "bob"}});
  EXPECT_EQ(clash.status, 409);
  EXPECT_NE(clash.body.value("error", "").find("a different input"), std::string::npos) << clash.body.dump();

  auto info = engine->wait("wf-1");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, WorkflowStatus::completed);
  EXPECT_EQ(info->data["greet"]["hello"], "ada");
}

TEST_F(HttpApiTest, StartWithoutInputUsesAnEmptyObject) {
  auto reply = call("POST", "/v1/workflows", R"({"definition":"greet","id":"wf-no-input"})");
  EXPECT_EQ(reply.status, 201);
  ASSERT_TRUE(engine->wait("wf-no-input"));
  EXPECT_EQ(engine->query("wf-no-input")->data["greet"]["hello"], "nobody");
}

TEST_F(HttpApiTest, BadStartBodiesAre400NamingTheProblem) {
  expect_error(call("POST", "/v1/workflows", R"({"definition": "greet", "id": )"), 400, "malformed JSON body");
  expect_error(call("POST", "/v1/workflows", ""), 400, "malformed JSON body");
  expect_error(call("POST", "/v1/workflows", "[1,2]"), 400, "must be a JSON object, got array");
  expect_error(call("POST", "/v1/workflows", R"({"id":"x"})"), 400, "missing field 'definition'");
  expect_error(call("POST", "/v1/workflows", R"({"definition":"greet","id":7})"), 400, "field 'id' must be a string");
  expect_error(call("POST", "/v1/workflows", R"({"definition":"greet","id":"x","input":[1]})"), 400,
               "field 'input' must be a JSON object, got array");
  auto unknown = start("no-such-definition", "x");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_FALSE(unknown.body.value("error", std::string()).empty()) << unknown.body.dump();
  EXPECT_FALSE(engine->query("x"));
}

TEST_F(HttpApiTest, QueryAndHistoryOfACompletedWorkflow) {
  ASSERT_EQ(start("greet", "wf-q", {{"name", "ada"}}).status, 201);
  ASSERT_TRUE(engine->wait("wf-q"));

  auto reply = call("GET", "/v1/workflows/wf-q");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body["id"], "wf-q");
  EXPECT_EQ(reply.body["definition"], "greet");
  EXPECT_EQ(reply.body["version"], 1);
  EXPECT_EQ(reply.body["status"], "completed");
  EXPECT_EQ(reply.body["data"]["greet"]["hello"], "ada");
  EXPECT_EQ(reply.body["error"], "");
  EXPECT_EQ(reply.body["restarts"], 0);

  auto history = call("GET", "/v1/workflows/wf-q/history");
  ASSERT_EQ(history.status, 200);
  const Json& events = history.body["events"];
  ASSERT_TRUE(events.is_array());
  ASSERT_EQ(events.size(), engine->history("wf-q").size());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0]["seq"], 1);
  EXPECT_EQ(events[0]["type"], "workflow_started");
  for (const char* key : {"seq", "at_ms", "type", "step", "attempt", "from", "to", "duration_ms", "detail", "node"})
    EXPECT_TRUE(events[0].contains(key)) << key;
  bool step_seen = false;
  for (const auto& e : events) step_seen = step_seen || (e["step"] == "greet" && e["duration_ms"].get<int64_t>() >= 0);
  EXPECT_TRUE(step_seen) << events.dump();

  expect_error(call("GET", "/v1/workflows/nope"), 404, "no such workflow: 'nope'");
  expect_error(call("GET", "/v1/workflows/nope/history"), 404, "no such workflow");
}

TEST_F(HttpApiTest, SignalDeliversItsPayloadAndMapsEachError) {
  ASSERT_EQ(start("approve", "wf-s").status, 201);

  expect_error(call("POST", "/v1/workflows/wf-s/signals/stop", "{}"), 400, "stop");
  expect_error(call("POST", "/v1/workflows/nope/signals/go", "{}"), 404, "no such workflow: 'nope'");
  expect_error(call("POST", "/v1/workflows/wf-s/signals/go", "{oops"), 400, "malformed JSON body");
  expect_error(call("POST", "/v1/workflows/wf-s/signals/go", "3"), 400, "must be a JSON object");

  auto ok = call("POST", "/v1/workflows/wf-s/signals/go", R"({"colour":"green"})");
  EXPECT_EQ(ok.status, 202);
  EXPECT_EQ(ok.body, (Json{{"delivered", true}}));
  auto info = engine->wait("wf-s");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, WorkflowStatus::completed);
  EXPECT_EQ(info->data["go"], (Json{{"colour", "green"}}));

  expect_error(call("POST", "/v1/workflows/wf-s/signals/go", "{}"), 409, "has ended (completed)");
}

TEST_F(HttpApiTest, AnEmptySignalBodyIsAnEmptyPayload) {
  ASSERT_EQ(start("approve", "wf-e").status, 201);
  EXPECT_EQ(call("POST", "/v1/workflows/wf-e/signals/go", "").status, 202);
  auto info = engine->wait("wf-e");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, WorkflowStatus::completed);
  EXPECT_EQ(info->data["go"], Json::object());
}

TEST_F(HttpApiTest, CancelEndsTheWorkflowAndMapsEachError) {
  ASSERT_EQ(start("approve", "wf-c").status, 201);
  expect_error(call("POST", "/v1/workflows/wf-c/cancel", R"({"by": 1})"), 400, "field 'by' must be a string");
  expect_error(call("POST", "/v1/workflows/nope/cancel", "{}"), 404, "no such workflow");

  auto ok = call("POST", "/v1/workflows/wf-c/cancel", R"({"by":"tester","reason":"not needed"})");
  EXPECT_EQ(ok.status, 202);
  auto info = engine->wait("wf-c");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, WorkflowStatus::compensated);
  EXPECT_NE(info->error.find("cancelled by tester: not needed"), std::string::npos) << info->error;

  expect_error(call("POST", "/v1/workflows/wf-c/cancel", "{}"), 409, "has ended");
}

TEST_F(HttpApiTest, IdsWithASlashTravelPercentEncoded) {
  const std::string id = "run-1/order-0001";
  ASSERT_EQ(start("approve", id).status, 201);

  auto query = call("GET", "/v1/workflows/run-1%2Forder-0001");
  ASSERT_EQ(query.status, 200);
  EXPECT_EQ(query.body["id"], id);
  EXPECT_EQ(call("GET", "/v1/workflows/run-1%2forder-0001").body["id"], id);  // lower-case hex too

  // An id ending in a route word is still one segment.
  ASSERT_EQ(start("greet", "a/history").status, 201);
  ASSERT_TRUE(engine->wait("a/history"));
  EXPECT_EQ(call("GET", "/v1/workflows/a%2Fhistory").body["id"], "a/history");
  EXPECT_EQ(call("GET", "/v1/workflows/a%2Fhistory/history").status, 200);

  EXPECT_EQ(call("POST", "/v1/workflows/run-1%2Forder-0001/signals/go", R"({"n":1})").status, 202);
  auto info = engine->wait(id);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, WorkflowStatus::completed);

  auto history = call("GET", "/v1/workflows/run-1%2Forder-0001/history");
  ASSERT_EQ(history.status, 200);
  EXPECT_FALSE(history.body["events"].empty());

  // Unencoded, the '/' splits the path: no route, and the error says how to send it.
  expect_error(call("GET", "/v1/workflows/run-1/order-0001"), 404, "%2F");
  expect_error(call("GET", "/v1/workflows/run-1%2"), 400, "malformed percent-encoding");
  expect_error(call("GET", "/v1/workflows/run-1%zz"), 400, "malformed percent-encoding");
}

TEST_F(HttpApiTest, UnknownRoutesAndMethodsAreJsonErrors) {
  expect_error(call("GET", "/v1/nothing-here"), 404, "no route for GET /v1/nothing-here");
  expect_error(call("GET", "/elsewhere"), 404, "no route for GET /elsewhere");
  expect_error(call("DELETE", "/v1/workflows/wf-1"), 405, "method DELETE not allowed");
  expect_error(call("PUT", "/v1/workflows", "{}"), 405, "not allowed");
  expect_error(call("GET", "/v1/workflows/"), 404, "no route");
}

TEST_F(HttpApiTest, AnExceptionInAHandlerIs500JsonAndTheServerGoesOn) {
  expect_error(call("GET", "/test/throw"), 500, "kaboom");
  EXPECT_EQ(call("GET", "/healthz").status, 200);
}

TEST_F(HttpApiTest, DeadLettersAreListed) {
  EXPECT_EQ(call("GET", "/v1/dead-letters").body, (Json{{"dead_letters", Json::array()}}));
  ASSERT_EQ(start("doomed", "wf-d").status, 201);
  auto info = engine->wait("wf-d");
  ASSERT_TRUE(info);
  ASSERT_EQ(info->status, WorkflowStatus::dead_lettered);

  auto reply = call("GET", "/v1/dead-letters");
  ASSERT_EQ(reply.status, 200);
  ASSERT_EQ(reply.body["dead_letters"].size(), 1u);
  const Json& letter = reply.body["dead_letters"][0];
  EXPECT_EQ(letter["workflow_id"], "wf-d");
  EXPECT_NE(letter["reason"].get<std::string>().find("the card was declined"), std::string::npos) << letter.dump();
  EXPECT_GT(letter["at_ms"].get<int64_t>(), 0);
  EXPECT_EQ(call("GET", "/v1/workflows/wf-d").body["status"], "dead-lettered");
}

TEST_F(HttpApiTest, SchedulesAreListedPausedResumedAndDeleted) {
  EXPECT_EQ(call("GET", "/v1/schedules").body, (Json{{"schedules", Json::array()}}));
  ScheduleSpec spec;
  spec.id = "daily.greet";
  spec.cron = "0 6 * * *";
  spec.definition = "greet";
  ASSERT_TRUE(engine->create_schedule(spec));

  auto list = call("GET", "/v1/schedules");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["schedules"].size(), 1u);
  EXPECT_EQ(list.body["schedules"][0]["id"], "daily.greet");
  EXPECT_EQ(list.body["schedules"][0]["cron"], "0 6 * * *");
  EXPECT_EQ(list.body["schedules"][0]["paused"], false);

  auto paused = call("POST", "/v1/schedules/daily.greet/pause");
  EXPECT_EQ(paused.status, 200);
  EXPECT_EQ(paused.body["paused"], true);
  EXPECT_TRUE(engine->schedule("daily.greet")->paused);
  auto resumed = call("POST", "/v1/schedules/daily.greet/resume");
  EXPECT_EQ(resumed.status, 200);
  EXPECT_EQ(resumed.body["paused"], false);
  EXPECT_EQ(call("GET", "/v1/schedules/daily.greet").body["definition"], "greet");

  auto deleted = call("DELETE", "/v1/schedules/daily.greet");
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.body, (Json{{"id", "daily.greet"}, {"deleted", true}}));
  EXPECT_FALSE(engine->schedule("daily.greet"));

  expect_error(call("POST", "/v1/schedules/daily.greet/pause"), 404, "no such schedule");
  expect_error(call("DELETE", "/v1/schedules/daily.greet"), 404, "no such schedule");
  expect_error(call("GET", "/v1/schedules/daily.greet"), 404, "no such schedule");
}

TEST_F(HttpApiTest, WorkflowsAreListedByStatusAndDefinitionInPages) {
  ASSERT_EQ(start("greet", "g1").status, 201);
  ASSERT_EQ(start("greet", "g2").status, 201);
  ASSERT_EQ(start("approve", "a/1").status, 201);
  ASSERT_EQ(engine->wait("g1")->status, WorkflowStatus::completed);
  ASSERT_EQ(engine->wait("g2")->status, WorkflowStatus::completed);

  auto running = call("GET", "/v1/workflows?status=running");
  ASSERT_EQ(running.status, 200) << running.body.dump();
  ASSERT_EQ(running.body["workflows"].size(), 1u);
  EXPECT_EQ(running.body["workflows"][0]["id"], "a/1");
  EXPECT_EQ(running.body["workflows"][0]["definition"], "approve");
  EXPECT_TRUE(running.body["next_after"].is_null());

  auto first = call("GET", "/v1/workflows?definition=greet&limit=1");
  ASSERT_EQ(first.body["workflows"].size(), 1u);
  EXPECT_EQ(first.body["workflows"][0]["id"], "g1");
  EXPECT_EQ(first.body["workflows"][0]["status"], "completed");
  ASSERT_EQ(first.body["next_after"], "g1");
  auto second = call("GET", "/v1/workflows?definition=greet&limit=1&after=g1");
  ASSERT_EQ(second.body["workflows"].size(), 1u);
  EXPECT_EQ(second.body["workflows"][0]["id"], "g2");

  expect_error(call("GET", "/v1/workflows?status=sleepy"), 400, "status 'sleepy'");
  expect_error(call("GET", "/v1/workflows?limit=0"), 400, "limit must be an integer from 1 to 1000");
  expect_error(call("GET", "/v1/workflows?limit=12abc"), 400, "limit");
  expect_error(call("GET", "/v1/workflows?colour=red"), 400, "unknown query parameter 'colour'");
  expect_error(call("GET", "/v1/workflows?after=%zz"), 400, "malformed percent-encoding");
}

TEST_F(HttpApiTest, ADeadLetteredWorkflowIsRetried) {
  ASSERT_EQ(start("doomed", "d1").status, 201);
  ASSERT_EQ(engine->wait("d1")->status, WorkflowStatus::dead_lettered);
  expect_error(call("POST", "/v1/workflows/d1/retry", "[1]"), 400, "JSON object");
  auto retried = call("POST", "/v1/workflows/d1/retry", Json{{"by", "ops"}}.dump());
  EXPECT_EQ(retried.status, 202) << retried.body.dump();
  EXPECT_EQ(retried.body["retried"], true);
  // It fails again (the handler always throws), so it is dead-lettered a second time.
  auto history = engine->history("d1");
  EXPECT_TRUE(std::any_of(history.begin(), history.end(), [](const auto& e) { return e.type == "workflow_retried"; }));

  ASSERT_EQ(start("greet", "g1").status, 201);
  ASSERT_EQ(engine->wait("g1")->status, WorkflowStatus::completed);
  expect_error(call("POST", "/v1/workflows/g1/retry"), 409, "not dead-lettered");
  expect_error(call("POST", "/v1/workflows/nope/retry"), 404, "no such workflow");
}

TEST_F(HttpApiTest, StatsBreakersAndMetricsDescribeTheEngine) {
  engine->register_breaker("payments", BreakerOptions{});
  ASSERT_EQ(start("greet", "g1").status, 201);
  ASSERT_EQ(engine->wait("g1")->status, WorkflowStatus::completed);

  auto stats = call("GET", "/v1/stats");
  ASSERT_EQ(stats.status, 200);
  EXPECT_EQ(stats.body["workflows_by_status"]["completed"], 1);
  EXPECT_EQ(stats.body["workflows_by_status"]["dead-lettered"], 0);
  EXPECT_EQ(stats.body["draining"], false);

  auto breakers = call("GET", "/v1/breakers");
  EXPECT_EQ(breakers.body, (Json{{"breakers", {{{"service", "payments"}, {"state", "closed"}}}}}));

  auto metrics = client->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->get_header_value("Content-Type").find("text/plain; version=0.0.4"), std::string::npos);
  const std::string& text = metrics->body;
  for (const char* line : {"# TYPE actorflow_workflows gauge", "actorflow_workflows{status=\"completed\"} 1",
                           "actorflow_workflows_started_total 1",
                           "actorflow_step_attempts_total{handler=\"greet\",outcome=\"success\"} 1",
                           "actorflow_step_duration_seconds_count{handler=\"greet\"} 1",
                           "actorflow_step_duration_seconds_bucket{handler=\"greet\",le=\"+Inf\"} 1",
                           "actorflow_breaker_state{service=\"payments\",state=\"closed\"} 1",
                           "actorflow_breaker_state{service=\"payments\",state=\"open\"} 0",
                           "# TYPE actorflow_chaos_faults_injected_total counter",
                           "actorflow_chaos_faults_injected_total{kind=\"drop_reply\"} 0"})
    EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "\n" << text;
}

TEST_F(HttpApiTest, VersionNamesTheBuildItsRevisionAndItsStoreKinds) {
  auto reply = call("GET", "/v1/version");
  ASSERT_EQ(reply.status, 200) << reply.body.dump();
  EXPECT_EQ(reply.content_type, "application/json");
  // The project's version (CMakeLists.txt) reached the generated header and the library.
  EXPECT_EQ(reply.body["version"], ACTORFLOW_PROJECT_VERSION);
  EXPECT_EQ(reply.body["version"], ACTORFLOW_VERSION);
  EXPECT_EQ(std::string(version()), ACTORFLOW_VERSION);
  const std::string revision = reply.body["git_revision"].get<std::string>();
  EXPECT_TRUE(revision == "unknown" || std::regex_match(revision, std::regex("[0-9a-f]{12}"))) << revision;
  EXPECT_EQ(reply.body["build_type"], ACTORFLOW_PROJECT_BUILD_TYPE);
  EXPECT_EQ(reply.body["store_kinds"], (Json{"memory", "sqlite", "redis"}));
  EXPECT_EQ(reply.body["plugin_abi_version"], kPluginAbiVersion);
}

TEST_F(HttpApiTest, MetricsNameTheBuild) {
  auto metrics = client->Get("/metrics");
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  const std::string line = std::string("actorflow_build_info{version=\"") + ACTORFLOW_VERSION + "\",revision=\"" +
                           git_revision() + "\"} 1\n";
  EXPECT_NE(metrics->body.find("# TYPE actorflow_build_info gauge\n" + line), std::string::npos) << metrics->body;
}

TEST_F(HttpApiTest, WhileDrainingWritesAre503AndReadsGoOn) {
  ASSERT_EQ(start("approve", "a1").status, 201);
  engine->drain(Millis(1'000));
  expect_error(start("greet", "g1"), 503, "node is draining");
  expect_error(call("POST", "/v1/workflows/a1/signals/go"), 503, "node is draining");
  expect_error(call("DELETE", "/v1/schedules/x"), 503, "node is draining");
  EXPECT_EQ(call("GET", "/v1/workflows/a1").status, 200);
  EXPECT_EQ(call("GET", "/v1/stats").body["draining"], true);
  EXPECT_EQ(call("GET", "/healthz").status, 200);
}

TEST_F(HttpApiTest, DefinitionsAreListedAndDeployedWhileServing) {
  auto before = call("GET", "/v1/definitions");
  ASSERT_EQ(before.status, 200);
  EXPECT_EQ(before.body["definitions"][0], (Json{{"name", "approve"}, {"version", 1}, {"latest", true}}));

  const std::string v2 = "name: greet\nversion: 2\nsteps:\n  - step: greet\n    handler: greet\n  - step: after\n    handler: after\n";
  auto deployed = call("POST", "/v1/definitions?source=greet.yaml", v2);
  ASSERT_EQ(deployed.status, 201) << deployed.body.dump();
  EXPECT_EQ(deployed.body["registered"], (Json{{{"name", "greet"}, {"version", 2}}}));
  EXPECT_TRUE(deployed.body["saved_as"].is_null());  // no definitions_dir in this API
  ASSERT_EQ(start("greet", "g2").status, 201);
  auto info = engine->wait("g2");
  EXPECT_EQ(info->version, 2);
  EXPECT_TRUE(info->data.contains("after"));

  expect_error(call("POST", "/v1/definitions", v2), 409, "greet v2 is already registered");
  auto bad = call("POST", "/v1/definitions?source=bad.yaml",
                  "name: bad\nversion: 1\nsteps:\n  - step: a\n    handler: nobody\n    timeout: 5 parsecs\n");
  EXPECT_EQ(bad.status, 400);
  ASSERT_EQ(bad.body["problems"].size(), 2u) << bad.body.dump();
  EXPECT_NE(bad.body["problems"][0].get<std::string>().find("bad.yaml:5:14"), std::string::npos) << bad.body.dump();
  EXPECT_NE(bad.body.dump().find("unknown handler 'nobody'"), std::string::npos);
  EXPECT_NE(bad.body.dump().find("timeout: expected a duration from 1ms to 3650d (e.g. 500ms, 30s, 5m, 2h, 1h30m), "
                                 "got '5 parsecs'"),
            std::string::npos);
  expect_error(call("POST", "/v1/definitions", "steps: [unclosed"), 400, "problem");
  EXPECT_EQ(call("GET", "/v1/definitions").body["definitions"].size(), 4u);  // approve, doomed, greet v1 and v2
}

TEST_F(HttpApiTest, ADeployedDefinitionIsSavedBeforeItIsRegistered) {
  char pattern[] = "/tmp/actorflow-defs-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  HttpApiOptions saving;
  saving.definitions_dir = dir;
  HttpApi api_saving(*engine, saving);
  const std::string text = "name: hello\nversion: 3\nsteps:\n  - step: greet\n    handler: greet\n";
  auto reply = api_saving.handle("POST", "/v1/definitions", text);
  ASSERT_EQ(reply.status, 201) << reply.body.dump();
  EXPECT_EQ(reply.body["saved_as"], dir + "/hello-v3.yaml");
  auto reloaded = load_workflow_dir(dir);
  ASSERT_TRUE(reloaded.ok());
  ASSERT_EQ(reloaded.definitions.size(), 1u);
  EXPECT_EQ(reloaded.definitions[0].version, 3);

  HttpApiOptions unwritable;
  unwritable.definitions_dir = dir + "/missing/dir";
  auto refused = HttpApi(*engine, unwritable).handle("POST", "/v1/definitions", "name: other\nversion: 1\nsteps:\n  - step: greet\n    handler: greet\n");
  EXPECT_EQ(refused.status, 500);
  EXPECT_NE(refused.body["error"].get<std::string>().find("nothing was registered"), std::string::npos);
  auto names = engine->definitions();
  EXPECT_TRUE(std::none_of(names.begin(), names.end(), [](const auto& d) { return d.first == "other"; }));
  std::filesystem::remove_all(dir);
}

TEST_F(HttpApiTest, ABodyOverTheLimitIs413) {
  HttpApiOptions tiny;
  tiny.body_bytes_max = 16;
  HttpApi small(*engine, tiny);
  auto reply = small.handle("POST", "/v1/workflows", std::string(17, ' '));
  EXPECT_EQ(reply.status, 413);
  EXPECT_NE(reply.body["error"].get<std::string>().find("body_bytes_max"), std::string::npos);
}

TEST(PercentDecode, DecodesEscapesAndRejectsMalformedOnes) {
  std::string out;
  EXPECT_TRUE(percent_decode("run-1%2Forder%2f0001+x", out));
  EXPECT_EQ(out, "run-1/order/0001+x");
  EXPECT_FALSE(percent_decode("%", out));
  EXPECT_FALSE(percent_decode("a%4", out));
  EXPECT_FALSE(percent_decode("%g0", out));
}

}  // namespace
