// What a real node answers about what it stored: a start of an existing id is 200 only when it is
// the same start (same definition and input), 409 otherwise; a second approval is refused with
// 409 naming the decision taken; passing trouble (Redis down) is 503 with Retry-After, never 500.
#include "node_process.hpp"
#include "redis_server.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

using namespace actorflow;
using namespace actorflow::testing;
using namespace std::chrono_literals;

namespace {

const Json kPurchase{{"order_id", "po-1"}, {"amount_cents", 50'000}, {"requested_by", "bob"}};

}  // namespace

TEST(NodeAcknowledgement, StartingAnExistingIdIs200ForTheSameStartAnd409ForAnother) {
  NodeDir dir;
  NodeProcess node(dir, dir.setup());
  ASSERT_EQ(start_workflow(node, "purchase_order", "po-1", kPurchase).status, 201);

  const HttpAnswer same = start_workflow(node, "purchase_order", "po-1", kPurchase);
  EXPECT_EQ(same.status, 200) << same.body.dump();
  EXPECT_EQ(same.body.value("created", true), false);

  Json other = kPurchase;
  other["amount_cents"] = 1;
  const HttpAnswer clash = start_workflow(node, "purchase_order", "po-1", other);
  EXPECT_EQ(clash.status, 409) << clash.body.dump();
  const std::string error = clash.body.value("error", "");
  EXPECT_NE(error.find("definition 'purchase_order'"), std::string::npos) << error;
  EXPECT_NE(error.find("status running"), std::string::npos) << error;
  EXPECT_NE(error.find("a different input"), std::string::npos) << error;

  const HttpAnswer other_definition = start_workflow(node, "order_saga", "po-1", kPurchase);
  EXPECT_EQ(other_definition.status, 409) << other_definition.body.dump();
  EXPECT_EQ(node.stop(), 0) << node.log();
}

TEST(NodeAcknowledgement, OfTwoApprovalsSentAtOnceEachAcknowledgedOneIsTakenOrRecordedAsRefused) {
  NodeDir dir;
  NodeProcess node(dir, dir.setup());
  ASSERT_EQ(start_workflow(node, "purchase_order", "po-1", kPurchase).status, 201);
  ASSERT_TRUE(wait_for_history_event(node, "po-1", "approval_waiting"));
  const std::string path = "/v1/workflows/po-1/signals/manager_approval";
  int status[2] = {0, 0};
  const char* who[2] = {"alice", "bob"};
  std::thread second([&] { status[1] = http_post(node, path, Json{{"decision", "reject"}, {"by", who[1]}}.dump()).status; });
  status[0] = http_post(node, path, Json{{"decision", "approve"}, {"by", who[0]}}.dump()).status;
  second.join();
  const Json done = wait_for_status(node, "po-1", {"completed", "failed", "compensated", "dead-lettered"});
  ASSERT_NE(done.value("status", ""), "running") << done.dump();

  // Every 202 left a trace: the decision taken, or its refusal. Never acknowledged and dropped.
  int decisions = 0;
  const auto events = history(node, "po-1");
  for (const auto& e : events) decisions += e["type"] == "approval_granted" || e["type"] == "approval_rejected";
  EXPECT_EQ(decisions, 1);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(status[i] == 202 || status[i] == 409) << who[i] << ": " << status[i];
    if (status[i] != 202) continue;
    bool traced = false;
    for (const auto& e : events) {
      const std::string detail = e.value("detail", "");
      const std::string type = e.value("type", "");
      traced |= (type == "approval_granted" || type == "approval_rejected") && detail.rfind(std::string("by ") + who[i], 0) == 0;
      traced |= type == "approval_duplicate_refused" && detail.find(std::string("from ") + who[i]) != std::string::npos;
    }
    EXPECT_TRUE(traced) << who[i] << "'s approval was acknowledged (202) and left no trace in the history";
  }
  EXPECT_EQ(node.stop(), 0) << node.log();
}

TEST(NodeAcknowledgement, ASignalWhileRedisIsDownIs503WithRetryAfterAndTakesEffectWhenSentAgain) {
  RedisServer::Options persistent;
  persistent.persistent = true;
  RedisServer redis(persistent);
  NodeDir dir;
  NodeSetup setup = dir.setup();
  setup.store = "redis:127.0.0.1:" + std::to_string(redis.port());
  NodeProcess node(dir, setup);
  ASSERT_EQ(start_workflow(node, "purchase_order", "po-1", kPurchase).status, 201);
  ASSERT_TRUE(wait_for_history_event(node, "po-1", "approval_waiting"));

  redis.kill9();
  const std::string path = "/v1/workflows/po-1/signals/manager_approval";
  const std::string decision = Json{{"decision", "approve"}, {"by", "alice"}}.dump();
  auto client = node.client();
  const auto refused = client->Post(path, decision, "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503) << refused->body;
  EXPECT_EQ(refused->get_header_value("Retry-After"), "1");
  EXPECT_NE(refused->body.find("redis"), std::string::npos) << refused->body;

  redis.restart();
  EXPECT_EQ(http_post(node, path, decision).status, 202);
  const Json done = wait_for_status(node, "po-1", {"completed", "failed", "compensated", "dead-lettered"});
  EXPECT_EQ(done.value("status", ""), "completed") << done.dump();
  EXPECT_EQ(node.stop(), 0) << node.log();
}
