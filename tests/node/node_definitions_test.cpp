// Deploying workflow definitions to a real node while it serves (POST /v1/definitions, the CLI's
// `deploy`): a new version is used by new workflows while running ones keep theirs, a bad
// definition is refused naming each problem's line:column and changes nothing, and a deployed
// version is loaded again by a node started on the same store and workflows dir.
#include "node_process.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace actorflow;
using namespace actorflow::testing;
using namespace std::chrono_literals;

namespace {

// The step purchase_order v2 adds (with a handler of the example plugin): what tells v2 from v1.
const std::string kV2Step = "notify_requester";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// `actorflow --node http://<node> <args...>`
ProgramRun cli(const NodeProcess& node, std::vector<std::string> args) {
  args.insert(args.begin(), {"--node", "http://" + node.address()});
  return run_program(ACTORFLOW_CLI_PATH, args);
}

// config/workflows/approval_chain.yaml (purchase_order v1) as version 2, with one more step
// before the approval gate.
std::string purchase_order_v2(const NodeDir& dir) {
  std::string yaml = read_text(dir.workflows_dir() + "/approval_chain.yaml");
  const std::string version = "\nversion: 1\n";
  const std::string after_hold = "    compensate: release_budget\n";
  const auto version_at = yaml.find(version);
  const auto hold_at = yaml.find(after_hold);
  if (version_at == std::string::npos || hold_at == std::string::npos)
    throw std::runtime_error("approval_chain.yaml changed: the test cannot make its v2");
  yaml.insert(hold_at + after_hold.size(), "\n  - step: " + kV2Step + "\n    handler: notify.confirmation\n");
  yaml.replace(version_at, version.size(), "\nversion: 2\n");
  return yaml;
}

Json order_input(const std::string& order_id) {
  return Json{{"order_id", order_id}, {"amount_cents", 25'000}, {"requested_by", "dana"}};
}

// The steps that appear in a workflow's history.
std::set<std::string> steps_in_history(const NodeProcess& node, const std::string& id) {
  std::set<std::string> steps;
  for (const auto& e : history(node, id))
    if (e.value("step", "") != "") steps.insert(e.value("step", ""));
  return steps;
}

int version_of(const NodeProcess& node, const std::string& id) {
  return http_get(node, "/v1/workflows/" + id).body.value("version", 0);
}

// (name, version, latest) of every registered definition named `name`.
Json versions_of(const NodeProcess& node, const std::string& name) {
  Json found = Json::array();
  for (const auto& d : http_get(node, "/v1/definitions").body.value("definitions", Json::array()))
    if (d.value("name", "") == name) found.push_back({d.value("version", Json()), d.value("latest", Json())});
  return found;
}

std::set<std::string> files_in(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

}  // namespace

TEST(NodeDefinitions, ANewVersionDeployedWhileServingStartsNewWorkflowsAndRunningOnesKeepTheirs) {
  NodeDir dir;
  NodeProcess node(dir, dir.setup());
  ASSERT_EQ(start_workflow(node, "purchase_order", "po-first", order_input("po-first")).status, 201);
  ASSERT_TRUE(wait_for_history_event(node, "po-first", "approval_waiting")) << node.log();
  ASSERT_EQ(version_of(node, "po-first"), 1);

  const std::string v2 = purchase_order_v2(dir);
  const ProgramRun deployed = cli(node, {"deploy", dir.write("purchase_order_v2.yaml", v2)});
  ASSERT_EQ(deployed.exit_code, 0) << deployed.output;
  const std::string saved = dir.workflows_dir() + "/purchase_order-v2.yaml";
  EXPECT_TRUE(contains(deployed.output, "registered purchase_order v2")) << deployed.output;
  EXPECT_TRUE(contains(deployed.output, "saved as " + saved)) << deployed.output;
  EXPECT_EQ(read_text(saved), v2);
  EXPECT_EQ(versions_of(node, "purchase_order"), Json::parse("[[1, false], [2, true]]"));
  const ProgramRun listed = cli(node, {"definitions"});
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_TRUE(contains(listed.output, "purchase_order  2        yes")) << listed.output;

  // A second purchase order runs v2: the added step is in its history.
  ASSERT_EQ(start_workflow(node, "purchase_order", "po-second", order_input("po-second")).status, 201);
  ASSERT_TRUE(wait_for_history_event(node, "po-second", "approval_waiting")) << node.log();
  EXPECT_EQ(version_of(node, "po-second"), 2);
  EXPECT_EQ(steps_in_history(node, "po-second").count(kV2Step), 1u);

  // The first, approved through the CLI, completes as v1: no step of v2 ever ran in it.
  const ProgramRun approved = cli(node, {"approve", "po-first", "manager_approval", "--by", "alice"});
  EXPECT_EQ(approved.exit_code, 0) << approved.output;
  const Json first = wait_for_status(node, "po-first", {"completed", "failed", "compensated", "dead-lettered"});
  EXPECT_EQ(first.value("status", ""), "completed") << first.dump();
  EXPECT_EQ(first.value("version", 0), 1);
  const auto first_steps = steps_in_history(node, "po-first");
  EXPECT_EQ(first_steps.count(kV2Step), 0u);
  EXPECT_EQ(first_steps.count("place_order"), 1u);

  ASSERT_EQ(cli(node, {"approve", "po-second", "manager_approval", "--by", "alice"}).exit_code, 0);
  EXPECT_EQ(wait_for_status(node, "po-second", {"completed"}).value("status", ""), "completed");
  EXPECT_EQ(node.stop(), 0) << node.log();
}

struct BadDefinition {
  std::string what;
  std::string source;  // the file name the problems are named by
  std::string yaml;
  int status;
  std::string problem_at;        // the start of the problem naming it ("source:line:column: ")...
  std::string problem_contains;  // ...and a part of its text; for a 409, a part of the error
};

TEST(NodeDefinitions, BadDefinitionsAreRefusedNamingTheProblemAndChangeNothing) {
  NodeDir dir;
  NodeProcess node(dir, dir.setup());
  const Json registered_before = http_get(node, "/v1/definitions").body;
  ASSERT_TRUE(registered_before.contains("definitions")) << registered_before.dump();
  const auto files_before = files_in(dir.workflows_dir());

  const std::string step_header = "name: po_bad\nversion: 1\nsteps:\n";
  const std::vector<BadDefinition> cases{
      {"malformed YAML", "unclosed.yaml", step_header + "  - step: hold\n    handler: [hold_budget\n", 400,
       "unclosed.yaml:6:1: ", "malformed YAML"},
      {"an unknown handler", "handler.yaml", step_header + "  - step: hold\n    handler: no_such_handler\n", 400,
       "handler.yaml:5:14: ", "unknown handler 'no_such_handler'"},
      {"a bad duration", "duration.yaml",
       step_header + "  - step: hold\n    handler: hold_budget\n    timeout: 5 minutes\n", 400,
       "duration.yaml:6:14: ",
       "timeout: expected a duration from 1ms to 3650d (e.g. 500ms, 30s, 5m, 2h, 1h30m), got '5 minutes'"},
      {"a duplicate step name", "duplicate.yaml",
       step_header + "  - step: hold\n    handler: hold_budget\n  - step: hold\n    handler: place_order\n", 400,
       "duplicate.yaml:6:11: ", "duplicate name 'hold'"},
      {"the same version twice in one text", "twice.yaml",
       step_header + "  - step: hold\n    handler: hold_budget\n---\n" + step_header +
           "  - step: hold\n    handler: hold_budget\n",
       400, "twice.yaml:7:1: ", "'po_bad' v1: defined twice"},
      {"a version that exists", "existing.yaml", read_text(dir.workflows_dir() + "/approval_chain.yaml"), 409, "",
       "purchase_order v1 is already registered"},
  };
  for (const auto& bad : cases) {
    SCOPED_TRACE(bad.what);
    const HttpAnswer answer =
        http_post(node, "/v1/definitions?source=" + bad.source, bad.yaml, "application/yaml");
    EXPECT_EQ(answer.status, bad.status) << answer.body.dump();
    ASSERT_TRUE(answer.body.is_object()) << answer.body.dump();
    ASSERT_TRUE(answer.body.contains("error")) << answer.body.dump();
    if (bad.status == 400) {
      bool named = false;
      for (const auto& problem : answer.body.value("problems", Json::array()))
        if (problem.is_string() && problem.get<std::string>().rfind(bad.problem_at, 0) == 0 &&
            contains(problem.get<std::string>(), bad.problem_contains))
          named = true;
      EXPECT_TRUE(named) << "no problem starting '" << bad.problem_at << "' naming '" << bad.problem_contains
                         << "':\n"
                         << answer.body.dump(2);
    } else {
      EXPECT_TRUE(contains(answer.body.value("error", ""), bad.problem_contains)) << answer.body.dump();
    }
    EXPECT_EQ(http_get(node, "/healthz").status, 200) << node.log();
    EXPECT_EQ(http_get(node, "/v1/definitions").body, registered_before);
    EXPECT_EQ(files_in(dir.workflows_dir()), files_before);
  }
  // Still usable: a good definition goes in after all those.
  const HttpAnswer good =
      http_post(node, "/v1/definitions?source=good.yaml", step_header + "  - step: hold\n    handler: hold_budget\n",
                "application/yaml");
  EXPECT_EQ(good.status, 201) << good.body.dump();
  EXPECT_EQ(versions_of(node, "po_bad"), Json::parse("[[1, true]]"));
  EXPECT_EQ(node.stop(), 0) << node.log();
}

TEST(NodeDefinitions, ADeployedVersionIsLoadedAgainByANodeOnTheSameStoreAndDir) {
  NodeDir dir;
  const std::string v2 = purchase_order_v2(dir);
  {
    NodeProcess node(dir, dir.setup());
    const HttpAnswer deployed =
        http_post(node, "/v1/definitions?source=purchase_order_v2.yaml", v2, "application/yaml");
    ASSERT_EQ(deployed.status, 201) << deployed.body.dump();
    EXPECT_EQ(deployed.body.value("registered", Json()), Json::parse(R"([{"name": "purchase_order", "version": 2}])"));
    EXPECT_EQ(deployed.body.value("saved_as", Json()), dir.workflows_dir() + "/purchase_order-v2.yaml");
    ASSERT_EQ(start_workflow(node, "purchase_order", "po-across", order_input("po-across")).status, 201);
    ASSERT_TRUE(wait_for_history_event(node, "po-across", "approval_waiting")) << node.log();
    ASSERT_EQ(version_of(node, "po-across"), 2);
    ASSERT_EQ(node.stop(), 0) << node.log();
  }

  NodeProcess node(dir, dir.setup());
  EXPECT_EQ(versions_of(node, "purchase_order"), Json::parse("[[1, false], [2, true]]"));
  const Json waiting = http_get(node, "/v1/workflows/po-across").body;
  EXPECT_EQ(waiting.value("status", ""), "running") << waiting.dump();
  EXPECT_EQ(waiting.value("version", 0), 2);

  const ProgramRun approved = cli(node, {"approve", "po-across", "manager_approval", "--by", "alice"});
  EXPECT_EQ(approved.exit_code, 0) << approved.output;
  const Json done = wait_for_status(node, "po-across", {"completed", "failed", "compensated", "dead-lettered"});
  EXPECT_EQ(done.value("status", ""), "completed") << done.dump() << node.log();
  EXPECT_EQ(done.value("version", 0), 2);
  EXPECT_EQ(steps_in_history(node, "po-across").count(kV2Step), 1u);
  EXPECT_EQ(node.stop(), 0) << node.log();
}
