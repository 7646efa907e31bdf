// Bad input to a real node, each refused with a clear error while nothing crashes: malformed HTTP
// requests (4xx JSON; the node keeps serving), malformed node configs and workflow definitions
// (exit 2 before serving, every problem named with its file and line), an address in use (exit 1).
#include "node_process.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

using namespace actorflow;
using namespace actorflow::testing;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct BadRequest {
  std::string what;
  std::string method;
  std::string path;
  std::string body;
  int status;                  // the exact status expected
  std::string error_contains;  // a part of the "error" text
};

// Runs `actorflow-node --config <config>` on the config text `yaml`, written to <dir>/bad.yaml.
ProgramRun run_config(const NodeDir& dir, const std::string& yaml) {
  return run_node_program({"--config", dir.write("bad.yaml", yaml)});
}

}  // namespace

TEST(NodeRefusals, BadRequestsGetAJsonErrorAndTheNodeKeepsServing) {
  NodeDir dir;
  NodeProcess node(dir, dir.setup());
  ASSERT_EQ(start_workflow(node, "purchase_order", "po-live", {{"order_id", "po-live"}, {"amount_cents", 50'000}})
                .status,
            201);
  ASSERT_EQ(start_workflow(node, "order_saga", "done-1").status, 201);
  ASSERT_EQ(wait_for_status(node, "done-1", {"completed"}).value("status", ""), "completed");

  const std::vector<BadRequest> requests{
      {"invalid JSON", "POST", "/v1/workflows", "{\"definition\": \"order_saga\", ", 400, "malformed JSON body"},
      {"JSON that is no object", "POST", "/v1/workflows", "[1, 2]", 400, "must be a JSON object"},
      {"no definition", "POST", "/v1/workflows", R"({"id": "x"})", 400, "definition"},
      {"a number for the id", "POST", "/v1/workflows", R"({"definition": "order_saga", "id": 7})", 400, "'id'"},
      {"input that is no object", "POST", "/v1/workflows", R"({"definition": "order_saga", "id": "x", "input": 3})",
       400, "input"},
      {"unknown definition", "POST", "/v1/workflows", R"({"definition": "no_such_flow", "id": "x"})", 400,
       "no_such_flow"},
      {"oversized body", "POST", "/v1/workflows",
       R"({"definition": "order_saga", "id": "big", "input": {"pad": ")" + std::string(2 << 20, 'x') + "\"}}", 413,
       ""},
      {"unknown route", "GET", "/v1/nothing-here", "", 404, ""},
      {"method not allowed on a route", "DELETE", "/v1/workflows", "", 405, "DELETE"},
      {"unknown workflow", "GET", "/v1/workflows/no-such-id", "", 404, "no-such-id"},
      {"history of an unknown workflow", "GET", "/v1/workflows/no-such-id/history", "", 404, "no-such-id"},
      {"signal to an unknown workflow", "POST", "/v1/workflows/no-such-id/signals/manager_approval", "{}", 404,
       "no-such-id"},
      {"signal the definition never waits for", "POST", "/v1/workflows/po-live/signals/no_such_signal", "{}", 400,
       "no_such_signal"},
      {"signal with a payload that is no JSON", "POST", "/v1/workflows/po-live/signals/manager_approval", "approve",
       400, "malformed JSON body"},
      {"signal to a workflow that has ended", "POST", "/v1/workflows/done-1/signals/manager_approval", "{}", 409,
       "has ended"},
      {"cancel of an unknown workflow", "POST", "/v1/workflows/no-such-id/cancel", "{}", 404, "no-such-id"},
      {"cancel with a number for by", "POST", "/v1/workflows/po-live/cancel", R"({"by": 1})", 400, "'by'"},
      {"retry of an unknown workflow", "POST", "/v1/workflows/no-such-id/retry", "{}", 404, "no-such-id"},
      {"retry of a live workflow", "POST", "/v1/workflows/po-live/retry", "{}", 409, "not dead-lettered"},
      {"malformed percent-encoding", "GET", "/v1/workflows/bad%zzid", "", 400, "percent-encoding"},
      {"unknown status filter", "GET", "/v1/workflows?status=sleepy", "", 400, "sleepy"},
      {"limit out of range", "GET", "/v1/workflows?limit=0", "", 400, "limit"},
      {"unknown schedule", "GET", "/v1/schedules/no-such-schedule", "", 404, "no-such-schedule"},
  };
  for (const auto& r : requests) {
    SCOPED_TRACE(r.what);
    const HttpAnswer answer = http_request(node, r.method, r.path, r.body);
    EXPECT_EQ(answer.status, r.status) << answer.body.dump();
    EXPECT_NE(answer.content_type.find("application/json"), std::string::npos) << answer.content_type;
    ASSERT_TRUE(answer.body.is_object()) << answer.body.dump();
    ASSERT_TRUE(answer.body.contains("error")) << answer.body.dump();
    EXPECT_TRUE(contains(answer.body["error"].get<std::string>(), r.error_contains)) << answer.body.dump();
    EXPECT_EQ(http_get(node, "/healthz").status, 200);
  }
  // Nothing the bad requests asked for happened.
  EXPECT_EQ(http_get(node, "/v1/workflows/x").status, 404);
  EXPECT_EQ(http_get(node, "/v1/workflows/big").status, 404);
  EXPECT_EQ(http_get(node, "/v1/workflows/po-live").body.value("status", ""), "running");
  EXPECT_EQ(node.stop(), 0) << node.log();
}

TEST(NodeRefusals, MalformedNodeConfigsStopTheNodeNamingFileLineAndKey) {
  NodeDir dir;
  const std::string path = dir.file("bad.yaml");
  struct BadConfig {
    std::string what;
    std::string yaml;
    std::string expected;       // a part of the output
    bool store_opened = false;  // refused after the store was opened (plugins are loaded into the engine)
  };
  const std::string good_rest = "store: 'sqlite:" + dir.store_path() + "'\nhttp: {listen: '127.0.0.1:0'}\n";
  const std::vector<BadConfig> configs{
      {"unknown key", "node:\n  id: n1\n  colour: blue\n" + good_rest,
       path + ":3:3: node.colour: unknown key; expected one of id, workflows_dir, drain_timeout, plugins in node"},
      {"bad duration", "node:\n  id: n1\n  drain_timeout: soon\n" + good_rest,
       path + ":3:18: node.drain_timeout: expected a duration from 0ms to 1h"},
      {"missing node.id", "node:\n  drain_timeout: 1s\n" + good_rest, path + ":1:1: node.id: missing"},
      {"bad store spec", "node: {id: n1}\nstore: 'postgres://db'\n",
       path + ":2:8: store: expected memory, sqlite:<path> or redis:<host>:<port>[:<prefix>], got 'postgres://db'"},
      {"unknown plugin file", "node:\n  id: n1\n  plugins:\n    - /nonexistent/libhandlers.so\n" + good_rest,
       path + ":4:7: node.plugins[0]: plugin '/nonexistent/libhandlers.so': no such file", true},
      {"plugins that are no list", "node:\n  id: n1\n  plugins: libhandlers.so\n" + good_rest,
       path + ":3:12: node.plugins: expected a list of plugin paths"},
      {"malformed YAML", "node:\n  id: [n1\n", path + ":"},
      {"bad listen address", "node: {id: n1}\nhttp:\n  listen: 'localhost'\n",
       path + ":3:11: http.listen: expected host:port"},
  };
  for (const auto& c : configs) {
    SCOPED_TRACE(c.what);
    const ProgramRun run = run_config(dir, c.yaml);
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_TRUE(contains(run.output, c.expected)) << run.output;
    EXPECT_TRUE(contains(run.output, "not started")) << run.output;
    EXPECT_FALSE(contains(run.output, "node_listening")) << run.output;
    // A config refused as such is refused before the store is opened.
    EXPECT_EQ(std::filesystem::exists(dir.store_path()), c.store_opened);
    std::filesystem::remove(dir.store_path());
  }
}

TEST(NodeRefusals, EveryProblemOfAConfigIsNamedAtOnce) {
  NodeDir dir;
  const ProgramRun run = run_config(dir, "node:\n  id: n1\n  colour: blue\nengine:\n  step_workers: 0\nlog:\n  level: loud\n");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  const std::string path = dir.file("bad.yaml");
  EXPECT_TRUE(contains(run.output, path + ":3:3: node.colour")) << run.output;
  EXPECT_TRUE(contains(run.output, path + ":5:17: engine.step_workers")) << run.output;
  EXPECT_TRUE(contains(run.output, path + ":7:10: log.level")) << run.output;
  EXPECT_TRUE(contains(run.output, "3 problems in " + path + "; not started")) << run.output;
}

TEST(NodeRefusals, BadCommandLinesAndMissingConfigFiles) {
  const ProgramRun no_config = run_node_program({});
  EXPECT_EQ(no_config.exit_code, 2) << no_config.output;
  EXPECT_TRUE(contains(no_config.output, "--config is required")) << no_config.output;
  const ProgramRun unknown_flag = run_node_program({"--config", "x.yaml", "--frobnicate"});
  EXPECT_EQ(unknown_flag.exit_code, 2) << unknown_flag.output;
  EXPECT_TRUE(contains(unknown_flag.output, "--frobnicate")) << unknown_flag.output;
  const ProgramRun missing = run_node_program({"--config", "/nonexistent/node.yaml"});
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_TRUE(contains(missing.output, "/nonexistent/node.yaml: cannot read: No such file or directory")) << missing.output;
  const ProgramRun help = run_node_program({"--help"});
  EXPECT_EQ(help.exit_code, 0) << help.output;
  EXPECT_TRUE(contains(help.output, "--check")) << help.output;
}

TEST(NodeRefusals, MalformedWorkflowDefinitionsStopTheNodeWithEveryProblemNamed) {
  NodeDir dir;
  dir.write("workflows/bad_duration.yaml",
            "name: slow_order\nversion: 1\nsteps:\n"
            "  - step: reserve\n    handler: inventory.reserve\n    timeout: 5 parsecs\n");
  dir.write("workflows/duplicate_step.yaml",
            "name: twice\nversion: 1\nsteps:\n"
            "  - step: reserve\n    handler: inventory.reserve\n"
            "  - step: reserve\n    handler: inventory.release\n");
  dir.write("workflows/unreachable_branch.yaml",
            "name: gated\nversion: 1\nsteps:\n"
            "  - choice: gate\n    when:\n      - if: false\n        then:\n"
            "          - step: never\n            handler: inventory.reserve\n"
            "    otherwise:\n      - step: always\n        handler: inventory.reserve\n");
  dir.write("workflows/unknown_handler.yaml",
            "name: mystery\nversion: 1\nsteps:\n"
            "  - step: reserve\n    handler: inventory.reserv\n");
  dir.write("workflows/unknown_breaker.yaml",
            "name: unguarded\nversion: 1\nsteps:\n"
            "  - step: pay\n    handler: payment.charge\n    breaker: paymnts\n");
  const std::string wf = dir.workflows_dir();
  for (const bool check : {false, true}) {
    SCOPED_TRACE(check ? "--check" : "start");
    std::vector<std::string> args{"--config", dir.write("node.yaml", dir.setup().to_yaml())};
    if (check) args.push_back("--check");
    const ProgramRun run = run_node_program(args);
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_TRUE(contains(run.output, wf + "/bad_duration.yaml:6:14: step 'reserve': timeout: expected a duration from 1ms "
                                              "to 3650d (e.g. 500ms, 30s, 5m, 2h, 1h30m), got '5 parsecs'"))
        << run.output;
    EXPECT_TRUE(contains(run.output, wf + "/duplicate_step.yaml:6:11: step 'reserve': duplicate name 'reserve'"))
        << run.output;
    EXPECT_TRUE(contains(run.output, wf + "/unreachable_branch.yaml:6:13: choice 'gate' branch 1: if: branch 1 can "
                                          "never run"))
        << run.output;
    EXPECT_TRUE(contains(run.output, wf + "/unknown_breaker.yaml:6:14: step 'pay': breaker: unknown circuit breaker "
                                          "'paymnts'"))
        << run.output;
    EXPECT_TRUE(contains(run.output, wf + "/unknown_handler.yaml:5:14: step 'reserve': handler: unknown handler "
                                          "'inventory.reserv' (not registered by the program)"))
        << run.output;
    EXPECT_TRUE(contains(run.output, "5 problems in the workflow definitions; not started")) << run.output;
    EXPECT_FALSE(contains(run.output, "node_listening")) << run.output;
  }
}

TEST(NodeRefusals, AnAddressInUseStopsTheNodeWithExit1) {
  NodeDir dir;
  NodeProcess first(dir, dir.setup());
  NodeSetup second = dir.setup();
  second.node_id = "second";
  second.store = "memory";
  std::string yaml = second.to_yaml();
  yaml.replace(yaml.find("127.0.0.1:0"), std::string("127.0.0.1:0").size(), first.address());
  const ProgramRun run = run_node_program({"--config", dir.write("second.yaml", yaml)});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_TRUE(contains(run.output, "cannot listen on " + first.address() + ": Address already in use")) << run.output;
  EXPECT_EQ(http_get(first, "/healthz").status, 200);
  EXPECT_EQ(first.stop(), 0) << first.log();
}

TEST(NodeRefusals, AStoreThatCannotBeOpenedStopsTheNodeWithExit1) {
  NodeDir dir;
  NodeSetup setup = dir.setup();
  setup.store = "sqlite:/nonexistent/dir/node.db";
  const ProgramRun run = run_node_program({"--config", dir.write("node.yaml", setup.to_yaml())});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_TRUE(contains(run.output, "cannot open the store 'sqlite:/nonexistent/dir/node.db'")) << run.output;
}
