// A real node and the ground its store stands on (issues 16 and 17): a second node on the same
// SQLite file is refused, a database deleted under a running node stops its writes (503, unhealthy
// /healthz), a Redis without machine durability stops the node at start.
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
