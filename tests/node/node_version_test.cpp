// What a node and the CLI say about their build (issue 19): --version, GET /v1/version, the
// actorflow_build_info metric and the node_started log line, from the real programs.
#include "node_process.hpp"

#include <actorflow/plugin.hpp>
#include <actorflow/version.hpp>

#include <gtest/gtest.h>

#include <sstream>
#include <string>

using namespace actorflow;
using namespace actorflow::testing;
using namespace std::chrono_literals;

namespace {

// "(revision <12 hex digits or unknown>, <build type>"
std::string build_text() { return std::string("(revision ") + git_revision() + ", " + build_type(); }

// The node's log line of `event`, parsed; null when there is none.
Json log_event(const NodeProcess& node, const std::string& event) {
  std::istringstream lines(node.log());
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\"event\":\"" + event + "\"") == std::string::npos) continue;
    const size_t brace = line.find('{');
    if (brace != std::string::npos) return Json::parse(line.substr(brace), nullptr, false);
  }
  return nullptr;
}

}  // namespace

TEST(NodeVersion, TheNodeProgramSaysItsVersionWithoutAConfig) {
  const ProgramRun run = run_node_program({"--version"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, std::string("actorflow-node ") + ACTORFLOW_VERSION + " " + build_text() + ", plugin ABI " +
                            std::to_string(kPluginAbiVersion) + ")\n");
}

TEST(NodeVersion, TheCliSaysItsVersion) {
  const ProgramRun run = run_program(ACTORFLOW_CLI_PATH, {"--version"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, std::string("actorflow ") + ACTORFLOW_VERSION + " " + build_text() + ")\n");
}

TEST(NodeVersion, ARunningNodeReportsItsBuildInTheApiMetricsAndStartLine) {
  NodeDir dir;
  NodeProcess node(dir, dir.setup());

  const HttpAnswer version = http_get(node, "/v1/version");
  ASSERT_EQ(version.status, 200) << version.body.dump();
  EXPECT_EQ(version.body["version"], ACTORFLOW_VERSION);
  EXPECT_EQ(version.body["git_revision"], git_revision());
  EXPECT_EQ(version.body["build_type"], build_type());
  EXPECT_EQ(version.body["store_kinds"], (Json{"memory", "sqlite", "redis"}));
  EXPECT_EQ(version.body["plugin_abi_version"], kPluginAbiVersion);

  const HttpAnswer metrics = http_get(node, "/metrics");
  ASSERT_EQ(metrics.status, 200);
  ASSERT_TRUE(metrics.body.is_string());
  const std::string build_info = std::string("actorflow_build_info{version=\"") + ACTORFLOW_VERSION +
                                 "\",revision=\"" + git_revision() + "\"} 1\n";
  EXPECT_NE(metrics.body.get<std::string>().find(build_info), std::string::npos) << metrics.body.get<std::string>();

  // Logged once the listener serves, so perhaps after /healthz first answered.
  ASSERT_TRUE(node.wait_for_event("node_started", 10s)) << node.log();
  const Json started = log_event(node, "node_started");
  ASSERT_TRUE(started.is_object()) << node.log();
  EXPECT_EQ(started["version"], ACTORFLOW_VERSION);
  EXPECT_EQ(started["git_revision"], git_revision());
  EXPECT_EQ(node.stop(), 0);
}
