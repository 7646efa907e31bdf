// A real node and the ground its store stands on (issues 16 and 17): a second node on the same
// SQLite file is refused, a database deleted under a running node stops its writes (503, unhealthy
// /healthz), a Redis without machine durability stops the node at start, a node whose store a
// second node took over is fenced (503 naming it, unhealthy /healthz).
#include "node_process.hpp"
#include "redis_server.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

TEST(NodeStore, ASecondNodeOnTheSameSqliteFileRefusesToStartNamingTheFirst) {
  NodeDir dir;
  NodeSetup setup = dir.setup();
  setup.node_id = "node-a";
  NodeProcess first(dir, setup);

  NodeSetup second = dir.setup();
  second.node_id = "node-b";
  const std::string config = dir.write("second.yaml", second.to_yaml());
  const ProgramRun run = run_node_program({"--config", config});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("in use by another process"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("pid " + std::to_string(first.pid())), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("node 'node-a'"), std::string::npos) << run.output;

  // The first goes on as it was.
  EXPECT_EQ(http_get(first, "/healthz").status, 200);
  EXPECT_EQ(start_workflow(first, "order_saga", "order-1", {{"order_id", "order-1"}}).status, 201);
  EXPECT_EQ(first.stop(), 0) << first.log();
  // Once it has stopped, the file is free.
  NodeProcess after(dir, second, "second.yaml");
  EXPECT_EQ(http_get(after, "/healthz").status, 200);
}

TEST(NodeStore, ADeletedDatabaseStopsWritesAndMakesTheNodeUnhealthy) {
  NodeDir dir;
  NodeSetup setup = dir.setup();
  setup.store_yaml = "  wait_max: 500ms\n";
  NodeProcess node(dir, setup);
  ASSERT_EQ(start_workflow(node, "order_saga", "order-1", {{"order_id", "order-1"}}).status, 201);

  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(dir.store_path() + suffix);
  const HttpAnswer refused = start_workflow(node, "order_saga", "order-2", {{"order_id", "order-2"}});
  EXPECT_EQ(refused.status, 503) << refused.body.dump();
  const std::string error = refused.body.value("error", "");
  EXPECT_NE(error.find("store unavailable"), std::string::npos) << error;
  EXPECT_NE(error.find(dir.store_path()), std::string::npos) << error;

  const HttpAnswer health = http_get(node, "/healthz");
  EXPECT_EQ(health.status, 503);
  EXPECT_NE(health.body.value("reason", "").find("was deleted"), std::string::npos) << health.body.dump();
  EXPECT_TRUE(node.wait_for_event("store_file_gone", std::chrono::seconds(5))) << node.log();
}

TEST(NodeStore, ANodeWhoseStoreAnotherNodeTookOverIsFencedUnhealthyAndRefusesWrites) {
  RedisServer redis;
  NodeDir dir;
  NodeSetup setup = dir.setup();
  setup.node_id = "node-a";
  setup.store = "redis:127.0.0.1:" + std::to_string(redis.port()) + ":n:";
  setup.store_yaml = "  durability: process\n";
  NodeProcess first(dir, setup);
  const Json purchase{{"order_id", "po-1"}, {"amount_cents", 50'000}, {"requested_by", "bob"}};
  ASSERT_EQ(start_workflow(first, "purchase_order", "po-1", purchase).status, 201);
  ASSERT_TRUE(wait_for_history_event(first, "po-1", "approval_waiting"));

  // A second node on the same Redis, no cluster between them: it resumes po-1 under a newer epoch.
  NodeSetup other = setup;
  other.node_id = "node-b";
  NodeProcess second(dir, other, "second.yaml");
  ASSERT_TRUE(wait_for_history_event(second, "po-1", "workflow_recovered"));

  // The first node's instance takes the approval and writes it: refused, and the node is fenced.
  const std::string approval = Json{{"decision", "approve"}, {"by", "alice"}}.dump();
  EXPECT_EQ(http_post(first, "/v1/workflows/po-1/signals/manager_approval", approval).status, 202);
  ASSERT_TRUE(first.wait_for_event("engine_fenced", std::chrono::seconds(10))) << first.log();
  const HttpAnswer health = http_get(first, "/healthz");
  EXPECT_EQ(health.status, 503);
  EXPECT_NE(health.body.value("reason", "").find("fenced"), std::string::npos) << health.body.dump();
  const HttpAnswer refused = start_workflow(first, "order_saga", "order-2", {{"order_id", "order-2"}});
  EXPECT_EQ(refused.status, 503) << refused.body.dump();
  EXPECT_NE(refused.body.value("error", "").find("another engine took over this store"), std::string::npos)
      << refused.body.dump();
  EXPECT_EQ(http_post(first, "/v1/workflows/po-1/signals/manager_approval", approval).status, 503);
  // The node that took over is healthy and holds po-1 as it left it (the refused write is not in).
  EXPECT_EQ(http_get(second, "/healthz").status, 200);
  EXPECT_EQ(http_get(second, "/v1/workflows/order-2").status, 404);
}

TEST(NodeStore, MachineDurabilityRefusesARedisAtEverysec) {
  RedisServer redis(RedisServer::Options{.persistent = false, .append_only_every_second = true});
  NodeDir dir;
  NodeSetup setup = dir.setup();
  setup.store = "redis:127.0.0.1:" + std::to_string(redis.port()) + ":n:";
  const std::string config = dir.write("node.yaml", setup.to_yaml());
  const ProgramRun run = run_node_program({"--config", config});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("appendfsync is 'everysec'"), std::string::npos) << run.output;

  setup.store_yaml = "  durability: process\n";  // asked for: runs, and says what it survives
  NodeProcess node(dir, setup, "process.yaml");
  EXPECT_TRUE(node.wait_for_event("store_durability", std::chrono::seconds(5)));
  EXPECT_NE(node.log().find("may lose up to a second"), std::string::npos) << node.log();
}

}  // namespace
