// Cluster coordination on a real redis-server: members, shard leases with fencing epochs, the
// fence check of the store's commits, and the index of signalled workflows.
#include "raw_redis.hpp"
#include "redis_server.hpp"
#include "store_writes.hpp"

#include <actorflow/coordination.hpp>
#include <actorflow/store.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace actorflow::testing {
namespace {

constexpr const char* kPrefix = "c:";
constexpr Millis kTtl{60'000};

NodeRecord member(const std::string& id, uint16_t port) {
  NodeRecord record;
  record.node_id = id;
  record.cluster_host = "127.0.0.1";
  record.cluster_port = port;
  record.http_address = "127.0.0.1:80" + std::to_string(port % 10);
  record.handlers = {"payment.charge"};
  record.started_ms = 42;
  return record;
}

WorkflowWrite sharded(WorkflowWrite write, int shard) {
  write.shard = shard;
  return write;
}

class CoordinationTest : public ::testing::Test {
 protected:
  CoordinationTest() : raw(server.port()) {
    options.port = server.port();
    options.key_prefix = kPrefix;
    coordination = make_redis_coordination(options);
    store = make_redis_store(options);
  }

  // A lease or member record expiring, without waiting for its TTL.
  void expire(const std::string& key) { raw.integer({"DEL", std::string(kPrefix) + key}); }

  RedisServer server;
  RawRedis raw;
  RedisOptions options;
  std::shared_ptr<Coordination> coordination;
  std::shared_ptr<Store> store;
};

TEST_F(CoordinationTest, AFreeShardIsClaimedOnceWithAnEpochAboveEveryEarlierOne) {
  const uint64_t engine_epoch = store->next_epoch();
  auto first = coordination->claim(3, "node-1", kTtl);
  ASSERT_TRUE(first);
  EXPECT_GT(*first, engine_epoch);
  EXPECT_FALSE(coordination->claim(3, "node-2", kTtl)) << "held by node-1";
  EXPECT_FALSE(coordination->claim(3, "node-1", kTtl)) << "a claim is not a renewal";
  auto other = coordination->claim(4, "node-2", kTtl);
  ASSERT_TRUE(other);
  EXPECT_GT(*other, *first);
  EXPECT_GT(store->next_epoch(), *other) << "engine and lease epochs come from one counter";

  const auto leases = coordination->leases(6);
  ASSERT_EQ(leases.size(), 6u);
  EXPECT_EQ(leases[3].owner, "node-1");
  EXPECT_EQ(leases[3].epoch, *first);
  EXPECT_EQ(leases[4].owner, "node-2");
  EXPECT_TRUE(leases[0].owner.empty());
  EXPECT_EQ(leases[5].shard, 5);
  const long long ttl_ms = raw.integer({"PTTL", std::string(kPrefix) + "lease:3"});
  EXPECT_GT(ttl_ms, 0);
  EXPECT_LE(ttl_ms, kTtl.count());
}

TEST_F(CoordinationTest, ALeaseIsKeptByRenewalAndLostToANewerOwner) {
  const uint64_t epoch = *coordination->claim(0, "node-1", kTtl);
  const uint64_t other = *coordination->claim(1, "node-1", kTtl);
  EXPECT_EQ(coordination->renew("node-1", {{0, epoch}, {1, other}}, kTtl), (std::vector<bool>{true, true}));
  EXPECT_EQ(coordination->renew("node-2", {{0, epoch}}, kTtl), std::vector<bool>{false}) << "not node-2's";
  EXPECT_EQ(coordination->renew("node-1", {{0, epoch + 100}}, kTtl), std::vector<bool>{false}) << "another epoch";

  expire("lease:0");  // node-1 stopped renewing long enough...
  const uint64_t taken = *coordination->claim(0, "node-2", kTtl);  // ...and node-2 took shard 0
  EXPECT_GT(taken, epoch);
  EXPECT_EQ(coordination->renew("node-1", {{0, epoch}, {1, other}}, kTtl), (std::vector<bool>{false, true}));
  EXPECT_EQ(coordination->leases(2)[0].owner, "node-2");
}

TEST_F(CoordinationTest, ALeaseThatExpiredUntakenIsKeptByItsOwnersRenewal) {
  const uint64_t epoch = *coordination->claim(2, "node-1", kTtl);
  expire("lease:2");  // e.g. the store was unreachable for longer than the TTL; nobody claimed
  EXPECT_EQ(coordination->renew("node-1", {{2, epoch}}, kTtl), std::vector<bool>{true});
  EXPECT_EQ(coordination->leases(3)[2].owner, "node-1");
  EXPECT_EQ(coordination->leases(3)[2].epoch, epoch) << "same epoch: nobody else wrote the shard meanwhile";
}

TEST_F(CoordinationTest, OnlyTheHolderReleasesALease) {
  const uint64_t epoch = *coordination->claim(5, "node-1", kTtl);
  EXPECT_FALSE(coordination->release(5, "node-2", epoch));
  EXPECT_FALSE(coordination->release(5, "node-1", epoch + 1));
  EXPECT_TRUE(coordination->release(5, "node-1", epoch));
  EXPECT_TRUE(coordination->leases(6)[5].owner.empty());
  EXPECT_FALSE(coordination->release(5, "node-1", epoch)) << "already released";
  EXPECT_GT(*coordination->claim(5, "node-2", kTtl), epoch);
}

TEST_F(CoordinationTest, MembersAreThoseWhoseHeartbeatHasNotExpired) {
  coordination->heartbeat(member("node-2", 7402), kTtl);
  coordination->heartbeat(member("node-1", 7401), kTtl);
  auto members = coordination->members();
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0].node_id, "node-1");
  EXPECT_EQ(members[0].cluster_port, 7401);
  EXPECT_EQ(members[0].handlers, std::vector<std::string>{"payment.charge"});
  EXPECT_EQ(members[0].started_ms, 42);

  expire("node:node-2");
  members = coordination->members();
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].node_id, "node-1");
  EXPECT_EQ(raw.integer({"SISMEMBER", std::string(kPrefix) + "nodes", "node-2"}), 0) << "pruned from the set";

  coordination->leave("node-1");
  EXPECT_TRUE(coordination->members().empty());
}

TEST_F(CoordinationTest, AMalformedMemberRecordIsSkipped) {
  coordination->heartbeat(member("node-1", 7401), kTtl);
  raw.text({"SET", std::string(kPrefix) + "node:node-9", "not json"});
  raw.integer({"SADD", std::string(kPrefix) + "nodes", "node-9"});
  const auto members = coordination->members();
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].node_id, "node-1");
}

TEST_F(CoordinationTest, AShardedWriteNeedsTheShardsCurrentEpoch) {
  EXPECT_EQ(store->commit({sharded(create_write("wf-a", 1, "s0"), 7)}), std::vector<WriteResult>{WriteResult::stale_epoch})
      << "a shard nobody leased can not be written";
  const uint64_t old_epoch = *coordination->claim(7, "node-1", kTtl);
  EXPECT_EQ(store->commit({sharded(create_write("wf-a", old_epoch, "s1"), 7)}), std::vector<WriteResult>{WriteResult::ok});

  expire("lease:7");
  const uint64_t new_epoch = *coordination->claim(7, "node-2", kTtl);
  // node-1 comes back from a pause and writes what it was doing: refused, before node-2 wrote anything.
  EXPECT_EQ(store->commit({sharded(save_write("wf-a", old_epoch, "stale"), 7)}),
            std::vector<WriteResult>{WriteResult::stale_epoch});
  EXPECT_EQ(store->load("wf-a")->snapshot, "s1");
  EXPECT_EQ(store->commit({sharded(save_write("wf-a", new_epoch, "s2"), 7)}), std::vector<WriteResult>{WriteResult::ok});
  EXPECT_EQ(store->load("wf-a")->snapshot, "s2");
  EXPECT_EQ(store->commit({sharded(create_write("wf-b", old_epoch, "x"), 7)}),
            std::vector<WriteResult>{WriteResult::stale_epoch}) << "nor can it create workflows";
  EXPECT_FALSE(store->load("wf-b"));
  // Writes of single nodes (no shard) are not fenced by leases.
  EXPECT_EQ(store->commit({create_write("wf-c", 1, "y")}), std::vector<WriteResult>{WriteResult::ok});
}

TEST_F(CoordinationTest, ASignalledWorkflowIsIndexedUntilACommitHasTakenItsSignals) {
  EXPECT_EQ(store->commit({create_write("wf-s", 1, "s")}), std::vector<WriteResult>{WriteResult::ok});
  EXPECT_EQ(store->commit({create_write("wf-t", 1, "s")}), std::vector<WriteResult>{WriteResult::ok});
  EXPECT_TRUE(store->signalled_workflows(10).empty());
  EXPECT_EQ(store->inbox_append("wf-s", "approve", "{}", 1), 1u);
  EXPECT_EQ(store->inbox_append("wf-s", "approve", "{}", 2), 2u);
  EXPECT_EQ(store->inbox_append("wf-t", "go", "{}", 3), 1u);
  auto signalled = store->signalled_workflows(10);
  std::sort(signalled.begin(), signalled.end());
  EXPECT_EQ(signalled, (std::vector<std::string>{"wf-s", "wf-t"}));

  WorkflowWrite took_one = save_write("wf-s", 1, "s");
  took_one.inbox_seen = 1;
  EXPECT_EQ(store->commit({took_one}), std::vector<WriteResult>{WriteResult::ok});
  signalled = store->signalled_workflows(10);
  std::sort(signalled.begin(), signalled.end());
  EXPECT_EQ(signalled, (std::vector<std::string>{"wf-s", "wf-t"})) << "wf-s has one signal left";

  WorkflowWrite took_all = save_write("wf-s", 1, "s");
  took_all.inbox_seen = 2;
  EXPECT_EQ(store->commit({took_all}), std::vector<WriteResult>{WriteResult::ok});
  EXPECT_EQ(store->signalled_workflows(10), std::vector<std::string>{"wf-t"});

  WorkflowWrite ended = save_write("wf-t", 1, "s");
  ended.live = false;  // ended before it took the signal: nothing will
  EXPECT_EQ(store->commit({ended}), std::vector<WriteResult>{WriteResult::ok});
  EXPECT_TRUE(store->signalled_workflows(10).empty());
}

TEST_F(CoordinationTest, ASignalToAWorkflowThatEndedIsDroppedFromTheIndex) {
  WorkflowWrite ended = create_write("wf-e", 1, "s");
  ended.live = false;
  EXPECT_EQ(store->commit({ended}), std::vector<WriteResult>{WriteResult::ok});
  store->inbox_append("wf-e", "late", "{}", 1);  // raced with the end
  EXPECT_TRUE(store->signalled_workflows(10).empty());
  EXPECT_EQ(raw.integer({"SCARD", std::string(kPrefix) + "signalled"}), 0);
}

TEST_F(CoordinationTest, CallsFailCleanlyWhileRedisIsDown) {
  server.stop();
  EXPECT_THROW(coordination->claim(0, "node-1", kTtl), StoreUnavailable);
  EXPECT_THROW(coordination->heartbeat(member("node-1", 1), kTtl), StoreUnavailable);
  EXPECT_THROW(coordination->leases(4), StoreUnavailable);
  server.restart();
  EXPECT_TRUE(coordination->claim(0, "node-1", kTtl));
}

}  // namespace
}  // namespace actorflow::testing
