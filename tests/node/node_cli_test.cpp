// The CLI (`actorflow`, nodes/cli) driving a real node: start --wait, approvals, cancel, dead-letter
// retry, and its errors. The node's state is checked over HTTP, not through the CLI's wording.
#include "node_process.hpp"
#include "test_certificates.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace actorflow;
using namespace actorflow::testing;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// `actorflow --node http://<node> <args...>`
ProgramRun cli(const NodeProcess& node, std::vector<std::string> args) {
  args.insert(args.begin(), {"--node", "http://" + node.address()});
  return run_program(ACTORFLOW_CLI_PATH, args);
}

std::string status_of(const NodeProcess& node, const std::string& id) {
  return http_get(node, "/v1/workflows/" + id).body.value("status", "");
}

}  // namespace

TEST(NodeCli, StartAndWaitRunsTheOrderSagaToTheEnd) {
  NodeDir dir;
  NodeProcess node(dir, dir.setup());
  const ProgramRun ok = cli(node, {"start", "order_saga", "cli-1", "--input", R"({"order_id": "cli-1"})", "--wait"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(contains(ok.output, "completed")) << ok.output;
  EXPECT_EQ(status_of(node, "cli-1"), "completed");

  // A saga that compensates: --wait says so with exit code 3.
  const ProgramRun failed =
      cli(node, {"start", "order_saga", "cli-2", "--input", R"({"fail": "payment.charge"})", "--wait"});
  EXPECT_EQ(failed.exit_code, 3) << failed.output;
  EXPECT_TRUE(contains(failed.output, "compensated")) << failed.output;
  EXPECT_EQ(status_of(node, "cli-2"), "compensated");

  const ProgramRun timeline = cli(node, {"history", "cli-2"});
  EXPECT_EQ(timeline.exit_code, 0) << timeline.output;
  EXPECT_TRUE(contains(timeline.output, "reserve_inventory")) << timeline.output;
  EXPECT_EQ(node.stop(), 0) << node.log();
}

TEST(NodeCli, ApproveLetsThePurchaseOrderThrough) {
  NodeDir dir;
  NodeProcess node(dir, dir.setup());
  const ProgramRun started =
      cli(node, {"start", "purchase_order", "po-cli", "--input", R"({"order_id": "po-cli", "amount_cents": 50000})"});
  ASSERT_EQ(started.exit_code, 0) << started.output;
  ASSERT_TRUE(wait_for_history_event(node, "po-cli", "approval_waiting"));
  const ProgramRun approved = cli(node, {"approve", "po-cli", "manager_approval", "--by", "x"});
  EXPECT_EQ(approved.exit_code, 0) << approved.output;
  const ProgramRun done = cli(node, {"status", "po-cli", "--wait", "--wait-timeout", "30s"});
  EXPECT_EQ(done.exit_code, 0) << done.output;
  EXPECT_EQ(status_of(node, "po-cli"), "completed");
  bool granted_by_x = false;
  for (const auto& e : history(node, "po-cli"))
    if (e.value("type", "") == "approval_granted" && e.value("detail", "") == "by x") granted_by_x = true;
  EXPECT_TRUE(granted_by_x);
  EXPECT_EQ(node.stop(), 0) << node.log();
}

TEST(NodeCli, CancelCompensatesAWaitingWorkflow) {
  NodeDir dir;
  NodeProcess node(dir, dir.setup());
  ASSERT_EQ(
      cli(node, {"start", "purchase_order", "po-cancel", "--input", R"({"order_id": "p", "amount_cents": 50000})"})
          .exit_code,
      0);
  ASSERT_TRUE(wait_for_history_event(node, "po-cancel", "approval_waiting"));
  const ProgramRun cancelled = cli(node, {"cancel", "po-cancel", "--by", "ops", "--reason", "duplicate order"});
  EXPECT_EQ(cancelled.exit_code, 0) << cancelled.output;
  const ProgramRun waited = cli(node, {"status", "po-cancel", "--wait", "--wait-timeout", "30s"});
  EXPECT_EQ(waited.exit_code, 3) << waited.output;
  const Json info = http_get(node, "/v1/workflows/po-cancel").body;
  EXPECT_EQ(info.value("status", ""), "compensated");
  EXPECT_EQ(info.value("error", ""), "cancelled by ops: duplicate order");
  EXPECT_EQ(node.stop(), 0) << node.log();
}

TEST(NodeCli, RetryRunsADeadLetteredWorkflowOnAfterTheFix) {
  NodeDir dir;
  dir.write("workflows/fulfilment.yaml",
            "name: fulfilment\nversion: 1\ndefaults:\n  on_error: dead-letter\nsteps:\n"
            "  - step: create_shipment\n    handler: shipping.create\n");
  const std::string flag = dir.file("warehouse-open");
  NodeProcess node(dir, dir.setup());
  const Json input{{"fail_while_missing", {{"shipping.create", flag}}}};
  const ProgramRun parked = cli(node, {"start", "fulfilment", "ship-cli", "--input", input.dump(), "--wait"});
  EXPECT_EQ(parked.exit_code, 3) << parked.output;
  ASSERT_EQ(status_of(node, "ship-cli"), "dead-lettered");
  const ProgramRun letters = cli(node, {"dead-letters"});
  EXPECT_EQ(letters.exit_code, 0) << letters.output;
  EXPECT_TRUE(contains(letters.output, "ship-cli")) << letters.output;

  std::ofstream(flag) << "open\n";
  const ProgramRun retried = cli(node, {"retry", "ship-cli", "--by", "ops"});
  EXPECT_EQ(retried.exit_code, 0) << retried.output;
  EXPECT_EQ(cli(node, {"status", "ship-cli", "--wait", "--wait-timeout", "30s"}).exit_code, 0);
  EXPECT_EQ(status_of(node, "ship-cli"), "completed");
  EXPECT_EQ(node.stop(), 0) << node.log();
}

TEST(NodeCli, ErrorsOfTheNodeReachTheUser) {
  NodeDir dir;
  NodeProcess node(dir, dir.setup());
  const ProgramRun unknown = cli(node, {"status", "no-such-workflow"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
  EXPECT_TRUE(contains(unknown.output, "no such workflow")) << unknown.output;
  const ProgramRun bad_definition = cli(node, {"start", "no_such_flow", "x"});
  EXPECT_EQ(bad_definition.exit_code, 1) << bad_definition.output;
  EXPECT_TRUE(contains(bad_definition.output, "no_such_flow")) << bad_definition.output;
  const ProgramRun stats = cli(node, {"--json", "stats"});
  EXPECT_EQ(stats.exit_code, 0) << stats.output;
  EXPECT_TRUE(contains(stats.output, "workflows_by_status")) << stats.output;
  EXPECT_EQ(node.stop(), 0) << node.log();
  // The node is gone: the CLI says it cannot connect.
  const ProgramRun gone = cli(node, {"stats"});
  EXPECT_EQ(gone.exit_code, 1) << gone.output;
}

namespace {

std::string random_hex_token() {
  std::random_device random;
  std::ostringstream hex;
  hex << std::hex;
  for (int i = 0; i < 8; ++i) {
    hex.width(8);
    hex.fill('0');
    hex << static_cast<unsigned int>(random());
  }
  return hex.str();
}

}  // namespace

// A node with API tokens behind HTTPS with a private CA: the CLI passes --ca-file and a token from
// --token-file, --token or ACTORFLOW_TOKEN; a 401 or 403 says which role is missing and how to pass
// a token; an approval without --by is made in the token's name.
TEST(NodeCli, TokensAndAPrivateCaReachASecuredNode) {
  NodeDir dir;
  const CertificateFiles ca = make_ca(dir.path(), "ca");
  const CertificateFiles server = make_certificate(dir.path(), "server", ca);
  const std::string read_token = random_hex_token(), operate_token = random_hex_token();
  NodeSetup setup = dir.setup();
  setup.extra_yaml = "auth:\n  tokens_file: '" +
                     dir.write("tokens", "read viewer " + read_token + "\noperate ops-bot " + operate_token + "\n") +
                     "'\n";
  setup.http_yaml = "  tls: {cert_file: '" + server.cert + "', key_file: '" + server.key + "'}\n";
  setup.client_ca_file = ca.cert;
  setup.client_token = read_token;
  NodeProcess node(dir, setup);
  const std::string url = "https://127.0.0.1:" + std::to_string(node.port());
  const auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--node", url, "--ca-file", ca.cert});
    return run_program(ACTORFLOW_CLI_PATH, args);
  };

  const ProgramRun anonymous = run({"stats"});
  EXPECT_EQ(anonymous.exit_code, 1) << anonymous.output;
  EXPECT_TRUE(contains(anonymous.output, "HTTP 401")) << anonymous.output;
  EXPECT_TRUE(contains(anonymous.output, "needs a token of role 'read' or higher")) << anonymous.output;
  EXPECT_TRUE(contains(anonymous.output, "--token-file")) << anonymous.output;

  const std::string read_file = dir.write("read.token", read_token + "\n");
  EXPECT_EQ(run({"--token-file", read_file, "stats"}).exit_code, 0);
  EXPECT_EQ(run({"--token", read_token, "stats"}).exit_code, 0);
  setenv("ACTORFLOW_TOKEN", read_token.c_str(), 1);
  const ProgramRun from_env = run({"stats"});
  unsetenv("ACTORFLOW_TOKEN");
  EXPECT_EQ(from_env.exit_code, 0) << from_env.output;

  const ProgramRun untrusted =
      run_program(ACTORFLOW_CLI_PATH, {"--node", url, "--token-file", read_file, "stats"});
  EXPECT_EQ(untrusted.exit_code, 1) << untrusted.output;
  EXPECT_TRUE(contains(untrusted.output, "certificate")) << untrusted.output;

  const Json input{{"order_id", "po-tls"}, {"amount_cents", 50'000}, {"requested_by", "bob"}};
  const ProgramRun started = run({"--token", operate_token, "start", "purchase_order", "po-tls", "--input", input.dump()});
  ASSERT_EQ(started.exit_code, 0) << started.output;
  ASSERT_TRUE(wait_for_history_event(node, "po-tls", "approval_waiting"));
  const ProgramRun refused = run({"--token-file", read_file, "approve", "po-tls", "manager_approval"});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_TRUE(contains(refused.output, "HTTP 403")) << refused.output;
  EXPECT_TRUE(contains(refused.output, "needs a token of role 'operate' or higher")) << refused.output;
  const ProgramRun approved = run({"--token", operate_token, "approve", "po-tls", "manager_approval"});
  EXPECT_EQ(approved.exit_code, 0) << approved.output;
  ASSERT_TRUE(wait_for_history_event(node, "po-tls", "approval_granted"));
  for (const auto& e : history(node, "po-tls")) {
    if (e.value("type", "") != "approval_granted") continue;
    EXPECT_EQ(e.value("detail", ""), "by ops-bot") << e.dump();
  }
  EXPECT_EQ(node.stop(), 0) << node.log();
}
