// What only the Redis store has: fencing in a Lua script, history as a stream, one pipelined
// transaction per commit, and outages of a real redis-server (stopped, killed, paused, restarted).
#include "raw_redis.hpp"
#include "redis_server.hpp"
#include "store_writes.hpp"

#include <actorflow/store.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace actorflow::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* kPrefix = "t:";

class RedisStoreTest : public ::testing::Test {
 protected:
  // Persistent, so that a restarted (or killed) server still has what was acknowledged.
  RedisStoreTest() : server(RedisServer::Options{.persistent = true}), raw(server.port()) {
    options.port = server.port();
    options.key_prefix = kPrefix;
    store = make_redis_store(options);
  }

  std::string address() const { return "redis 127.0.0.1:" + std::to_string(server.port()); }

  // Every read throws StoreUnavailable naming the server; every commit is unavailable.
  void expect_unreachable() {
    EXPECT_THAT(store->commit({create_write("x", 1, "s"), save_write("y", 1, "s")}),
                ElementsAre(WriteResult::unavailable, WriteResult::unavailable));
    try {
      store->load("wf-1");
      ADD_FAILURE() << "load did not throw";
    } catch (const StoreUnavailable& e) {
      EXPECT_THAT(e.what(), StartsWith(address() + ": "));
    }
    EXPECT_THROW(store->live_workflows(), StoreUnavailable);
    EXPECT_THROW(store->history("wf-1"), StoreUnavailable);
    EXPECT_THROW(store->dead_letters(), StoreUnavailable);
    EXPECT_THROW(store->list_workflows({}), StoreUnavailable);
    EXPECT_THROW(store->count_by_status(), StoreUnavailable);
    EXPECT_THROW(store->ledger_get("k"), StoreUnavailable);
    EXPECT_THROW(store->ledger_scan(""), StoreUnavailable);
    EXPECT_THROW(store->ledger_put("k", "v"), StoreUnavailable);
    EXPECT_THROW(store->next_epoch(), StoreUnavailable);
  }

  RedisServer server;
  RawRedis raw;
  RedisOptions options;
  std::shared_ptr<Store> store;
};

TEST_F(RedisStoreTest, StaleWriteLeavesSnapshotStreamAndLiveSetUntouched) {
  ASSERT_THAT(store->commit({create_write("wf-1", 5, "v1", {"e1", "e2"})}), ElementsAre(WriteResult::ok));

  WorkflowWrite stale = save_write("wf-1", 4, "v2", {"e3", "e4", "e5"});
  stale.live = false;
  stale.dead_letter = DeadLetter{"wf-1", "stale", 1};
  ASSERT_THAT(store->commit({stale}), ElementsAre(WriteResult::stale_epoch));

  EXPECT_EQ(raw.text({"HGET", "t:wf:wf-1", "snapshot"}), "v1");
  EXPECT_EQ(raw.text({"HGET", "t:wf:wf-1", "epoch"}), "5");
  EXPECT_EQ(raw.integer({"XLEN", "t:hist:wf-1"}), 2);
  EXPECT_EQ(raw.integer({"SISMEMBER", "t:live", "wf-1"}), 1);
  EXPECT_EQ(raw.integer({"EXISTS", "t:dead"}), 0);
}

// A workflow hash written before it kept its live flag and wake-up time: the next write still
// moves it in the live set and the wake index.
TEST_F(RedisStoreTest, AWorkflowWrittenBeforeItsHashKeptLiveAndWakeStillLeavesTheIndexes) {
  WorkflowWrite timed = create_write("wf-1", 1, "s");
  timed.wake_at_ms = 500;
  ASSERT_THAT(store->commit({timed}), ElementsAre(WriteResult::ok));
  ASSERT_EQ(raw.integer({"HDEL", "t:wf:wf-1", "live", "wake"}), 2);
  ASSERT_EQ(raw.integer({"SISMEMBER", "t:live", "wf-1"}), 1);
  ASSERT_EQ(raw.integer({"ZCARD", "t:wake"}), 1);

  WorkflowWrite ended = save_write("wf-1", 1, "done");
  ended.live = false;
  ASSERT_THAT(store->commit({ended}), ElementsAre(WriteResult::ok));
  EXPECT_EQ(raw.integer({"SISMEMBER", "t:live", "wf-1"}), 0);
  EXPECT_EQ(raw.integer({"ZCARD", "t:wake"}), 0);
}

// What a transition costs Redis: one write of a running workflow is two HMGETs (the store's
// identity record, the workflow's hash), one HSET and one XADD per event; nothing else when its
// status, live flag and wake-up time stay. The batch adds one EVAL: the identity's sequence (an
// HMGET and an HINCRBY).
TEST_F(RedisStoreTest, AWriteThatChangesNoIndexTouchesOnlyTheHashAndTheStream) {
  ASSERT_THAT(store->commit({create_write("wf-1", 1, "s")}), ElementsAre(WriteResult::ok));
  raw.text({"CONFIG", "RESETSTAT"});
  ASSERT_THAT(store->commit({save_write("wf-1", 1, "s2", {"e1", "e2"})}), ElementsAre(WriteResult::ok));
  EXPECT_EQ(raw.calls_of("hmget"), 3);
  EXPECT_EQ(raw.calls_of("hset"), 1);
  EXPECT_EQ(raw.calls_of("hincrby"), 1);
  EXPECT_EQ(raw.calls_of("xadd"), 2);
  for (const char* untouched : {"sadd", "srem", "zadd", "zrem", "hget", "exists"})
    EXPECT_EQ(raw.calls_of(untouched), 0) << untouched;
}

TEST_F(RedisStoreTest, EpochsBeyondTwoToThe53CompareExactly) {
  const uint64_t big = (uint64_t{1} << 60) + 1;
  ASSERT_THAT(store->commit({create_write("wf-1", big, "v1")}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(store->commit({save_write("wf-1", big - 1, "v2")}), ElementsAre(WriteResult::stale_epoch));
  EXPECT_THAT(store->commit({save_write("wf-1", big, "v3")}), ElementsAre(WriteResult::ok));
  EXPECT_EQ(store->load("wf-1")->epoch, big);
  EXPECT_EQ(store->load("wf-1")->snapshot, "v3");
}

// Writers on separate connections race on one workflow. Were the check and the writes separate
// steps, a stale write could slip in: its snapshot would not match the stored epoch, or its event
// would be in the history although it was refused.
TEST_F(RedisStoreTest, RacingWritersNeverInterleaveCheckAndWrite) {
  constexpr int kWriters = 4;
  constexpr int kWritesPerWriter = 50;
  ASSERT_THAT(store->commit({create_write("wf-1", 0, "s0")}), ElementsAre(WriteResult::ok));

  std::vector<std::vector<uint64_t>> accepted(kWriters);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto own_store = make_redis_store(options);
      for (int k = 0; k < kWritesPerWriter; ++k) {
        const uint64_t epoch = 1 + w + uint64_t{kWriters} * k;
        const std::string tag = std::to_string(epoch);
        if (own_store->commit({save_write("wf-1", epoch, "s" + tag, {"e" + tag})})[0] == WriteResult::ok) {
          accepted[w].push_back(epoch);
        }
      }
    });
  }
  for (auto& writer : writers) writer.join();

  std::set<std::string> expected_events;
  for (const auto& epochs : accepted) {
    for (uint64_t epoch : epochs) expected_events.insert("e" + std::to_string(epoch));
  }
  const auto history = store->history("wf-1");
  EXPECT_EQ(std::set<std::string>(history.begin(), history.end()), expected_events);
  EXPECT_EQ(history.size(), expected_events.size());
  const auto stored = store->load("wf-1");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->epoch, uint64_t{kWriters} * kWritesPerWriter);
  EXPECT_EQ(stored->snapshot, "s" + std::to_string(stored->epoch));
}

TEST_F(RedisStoreTest, HistoryIsAStreamWithOneEntryPerEvent) {
  ASSERT_THAT(store->commit({create_write("wf-1", 1, "s", {"e1", "e2"})}), ElementsAre(WriteResult::ok));
  ASSERT_THAT(store->commit({save_write("wf-1", 1, "s", {"e3", "e4", "e5"})}), ElementsAre(WriteResult::ok));

  EXPECT_EQ(raw.text({"TYPE", "t:hist:wf-1"}), "stream");
  EXPECT_EQ(raw.integer({"XLEN", "t:hist:wf-1"}), 5);
  EXPECT_THAT(store->history("wf-1"), ElementsAre("e1", "e2", "e3", "e4", "e5"));
}

TEST_F(RedisStoreTest, EveryKeyIsUnderThePrefix) {
  WorkflowWrite parked = create_write("wf-1", 1, "s", {"e1"});
  parked.live = false;
  parked.dead_letter = DeadLetter{"wf-1", "parked", 7};
  ASSERT_THAT(store->commit({parked, create_write("wf-2", 1, "s")}), ElementsAre(WriteResult::ok, WriteResult::ok));
  ASSERT_TRUE(store->ledger_put("k", "v"));
  store->next_epoch();

  const auto keys = raw.strings({"KEYS", "*"});
  EXPECT_THAT(keys, Each(StartsWith(kPrefix)));
  EXPECT_EQ(keys.size(), 10u);  // wf x2, hist, live, dead, ledger, epoch, workflows, status:running, identity
}

TEST_F(RedisStoreTest, AStatusChangeMovesTheIdBetweenStatusSetsInTheCommit) {
  WorkflowWrite created = create_write("wf-1", 1, "s");
  created.summary.definition = "order";
  ASSERT_THAT(store->commit({created}), ElementsAre(WriteResult::ok));
  EXPECT_EQ(raw.text({"HGET", "t:wf:wf-1", "status"}), "running");
  EXPECT_EQ(raw.text({"HGET", "t:wf:wf-1", "definition"}), "order");
  EXPECT_THAT(raw.strings({"ZRANGE", "t:status:running", "0", "-1"}), ElementsAre("wf-1"));

  WorkflowWrite failed = save_write("wf-1", 1, "s");
  failed.summary.status = WorkflowStatus::failed;
  ASSERT_THAT(store->commit({failed}), ElementsAre(WriteResult::ok));

  EXPECT_EQ(raw.integer({"EXISTS", "t:status:running"}), 0);
  EXPECT_THAT(raw.strings({"ZRANGE", "t:status:failed", "0", "-1", "WITHSCORES"}), ElementsAre("wf-1", "0"));
  EXPECT_THAT(raw.strings({"ZRANGE", "t:workflows", "0", "-1"}), ElementsAre("wf-1"));
}

// A workflow written before summaries were kept is in no set: its next write puts it there.
TEST_F(RedisStoreTest, AWorkflowWithoutASummaryIsIndexedByItsNextWrite) {
  raw.integer({"HSET", "t:wf:old", "snapshot", "s", "epoch", "1", "write", ""});
  EXPECT_THAT(store->list_workflows({}), ::testing::IsEmpty());

  WorkflowWrite done = save_write("old", 1, "s2");
  done.live = false;
  done.summary.status = WorkflowStatus::completed;
  ASSERT_THAT(store->commit({done}), ElementsAre(WriteResult::ok));

  const auto listed = store->list_workflows({});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, "old");
  EXPECT_EQ(listed[0].status, WorkflowStatus::completed);
}

TEST_F(RedisStoreTest, AMalformedSummaryIsAnErrorNamingTheWorkflow) {
  ASSERT_THAT(store->commit({create_write("wf-1", 1, "s")}), ElementsAre(WriteResult::ok));
  raw.integer({"HSET", "t:wf:wf-1", "status", "sleepy"});

  try {
    store->list_workflows({});
    ADD_FAILURE() << "list_workflows did not throw";
  } catch (const StoreUnavailable& e) {
    EXPECT_THAT(e.what(), HasSubstr("workflow 'wf-1' has an unknown status 'sleepy'"));
  }
  raw.integer({"HSET", "t:wf:wf-1", "status", "running", "version", "x1"});
  try {
    store->list_workflows({});
    ADD_FAILURE() << "list_workflows did not throw";
  } catch (const StoreUnavailable& e) {
    EXPECT_THAT(e.what(), HasSubstr("workflow 'wf-1' has a malformed version"));
  }
}

// Dead letters the script cannot read (not JSON) are left alone when one workflow's is cleared.
TEST_F(RedisStoreTest, ClearingADeadLetterSkipsEntriesThatAreNotJson) {
  raw.integer({"RPUSH", "t:dead", "not json"});
  WorkflowWrite parked = create_write("wf-1", 1, "s");
  parked.dead_letter = DeadLetter{"wf-1", "parked", 1};
  ASSERT_THAT(store->commit({parked}), ElementsAre(WriteResult::ok));
  WorkflowWrite retried = save_write("wf-1", 1, "s");
  retried.clear_dead_letter = true;

  ASSERT_THAT(store->commit({retried}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(raw.strings({"LRANGE", "t:dead", "0", "-1"}), ElementsAre("not json"));
}

TEST_F(RedisStoreTest, ACommitOfAThousandWritesIsOneTransaction) {
  constexpr int kWrites = 1000;
  std::vector<WorkflowWrite> batch;
  for (int i = 0; i < kWrites; ++i) batch.push_back(create_write("wf-" + std::to_string(i), 1, "s", {"created"}));
  raw.text({"CONFIG", "RESETSTAT"});

  const auto results = store->commit(batch);

  EXPECT_THAT(results, Each(WriteResult::ok));
  EXPECT_EQ(raw.calls_of("multi"), 1);
  EXPECT_EQ(raw.calls_of("exec"), 1);
  EXPECT_EQ(raw.calls_of("evalsha"), kWrites);
  EXPECT_EQ(store->live_workflows().size(), size_t{kWrites});
  EXPECT_EQ(store->load("wf-999")->snapshot, "s");
}

TEST_F(RedisStoreTest, FlushedScriptCacheFallsBackToEval) {
  ASSERT_THAT(store->commit({create_write("wf-1", 1, "v1")}), ElementsAre(WriteResult::ok));
  raw.text({"SCRIPT", "FLUSH"});
  raw.text({"CONFIG", "RESETSTAT"});

  EXPECT_THAT(store->commit({save_write("wf-1", 1, "v2", {"e"}), create_write("wf-2", 1, "v1")}),
              ElementsAre(WriteResult::ok, WriteResult::ok));
  EXPECT_EQ(raw.calls_of("eval"), 4);  // the two writes, and each pass's sequence bump
  EXPECT_EQ(store->load("wf-1")->snapshot, "v2");
  EXPECT_THAT(store->history("wf-1"), ElementsAre("e"));

  // EVAL cached the script again: the next commit uses EVALSHA alone.
  raw.text({"CONFIG", "RESETSTAT"});
  EXPECT_THAT(store->commit({save_write("wf-1", 1, "v3")}), ElementsAre(WriteResult::ok));
  EXPECT_EQ(raw.calls_of("eval"), 1);  // the sequence bump only
  EXPECT_EQ(raw.calls_of("evalsha"), 1);
}

TEST_F(RedisStoreTest, KeysOfTheWrongTypeAreErrorsNotCrashes) {
  raw.text({"SET", "t:wf:broken", "not a hash"});
  raw.text({"SET", "t:hist:broken", "not a stream"});
  raw.integer({"RPUSH", "t:dead", "not json"});

  EXPECT_THAT(store->commit({save_write("broken", 1, "s"), create_write("fine", 1, "s")}),
              ElementsAre(WriteResult::unavailable, WriteResult::ok));
  EXPECT_EQ(store->load("fine")->snapshot, "s");
  try {
    store->load("broken");
    ADD_FAILURE() << "load did not throw";
  } catch (const StoreUnavailable& e) {
    EXPECT_THAT(e.what(), HasSubstr("WRONGTYPE"));
  }
  EXPECT_THROW(store->history("broken"), StoreUnavailable);
  try {
    store->dead_letters();
    ADD_FAILURE() << "dead_letters did not throw";
  } catch (const StoreUnavailable& e) {
    EXPECT_THAT(e.what(), HasSubstr("malformed dead letter"));
  }
}

TEST_F(RedisStoreTest, StoppedRedisMakesCommitsUnavailableAndReadsThrow) {
  ASSERT_THAT(store->commit({create_write("wf-1", 1, "s")}), ElementsAre(WriteResult::ok));
  server.stop();

  expect_unreachable();
}

TEST_F(RedisStoreTest, TheSameStoreWorksAgainAfterRedisRestartsAndKeepsItsData) {
  ASSERT_THAT(store->commit({create_write("wf-1", 3, "v1", {"e1"})}), ElementsAre(WriteResult::ok));
  ASSERT_TRUE(store->ledger_put("wf-1/a", "done"));
  const uint64_t epoch_before = store->next_epoch();
  server.stop();
  expect_unreachable();

  server.restart();

  const auto stored = store->load("wf-1");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->snapshot, "v1");
  EXPECT_EQ(stored->epoch, 3u);
  EXPECT_EQ(store->ledger_get("wf-1/a"), "done");
  EXPECT_GT(store->next_epoch(), epoch_before);
  EXPECT_THAT(store->commit({save_write("wf-1", 3, "v2", {"e2"})}), ElementsAre(WriteResult::ok));
  EXPECT_THAT(store->history("wf-1"), ElementsAre("e1", "e2"));
  EXPECT_THAT(store->live_workflows(), ElementsAre("wf-1"));
}

TEST_F(RedisStoreTest, KilledRedisLosesNoAcknowledgedWrite) {
  ASSERT_THAT(store->commit({create_write("wf-1", 1, "v1", {"e1"})}), ElementsAre(WriteResult::ok));
  server.kill9();
  EXPECT_THAT(store->commit({save_write("wf-1", 1, "v2")}), ElementsAre(WriteResult::unavailable));

  server.restart();

  EXPECT_EQ(store->load("wf-1")->snapshot, "v1");
  EXPECT_THAT(store->history("wf-1"), ElementsAre("e1"));
}

TEST_F(RedisStoreTest, UnansweredCommandsTimeOut) {
  options.command_timeout_ms = 200;
  auto impatient = make_redis_store(options);
  ASSERT_THAT(impatient->commit({create_write("wf-1", 1, "v1")}), ElementsAre(WriteResult::ok));
  server.pause();

  // What this commit did is unknown once the server resumes: the test looks at wf-1 only.
  EXPECT_THAT(impatient->commit({create_write("during-pause", 1, "s")}), ElementsAre(WriteResult::unavailable));
  try {
    impatient->load("wf-1");
    ADD_FAILURE() << "load did not throw";
  } catch (const StoreUnavailable& e) {
    EXPECT_THAT(e.what(), StartsWith(address() + ": "));
  }
  server.resume();

  EXPECT_EQ(impatient->load("wf-1")->snapshot, "v1");
}

// The case write ids exist for: Redis ran the commit, but its answer came after the client gave
// up, so the writer commits the same writes again.
TEST_F(RedisStoreTest, ACommitThatTimedOutButWasAppliedIsAppliedOnceWhenRetried) {
  options.command_timeout_ms = 200;
  auto impatient = make_redis_store(options);
  auto create = create_write("wf-1", 1, "s1", {"e1", "e2"});
  create.write_id = "e1.1";
  ASSERT_THAT(impatient->commit({create_write("connected", 1, "s")}), ElementsAre(WriteResult::ok));
  server.pause();
  ASSERT_THAT(impatient->commit({create}), ElementsAre(WriteResult::unavailable));
  server.resume();
  auto observer = make_redis_store(RedisOptions(options));
  ASSERT_TRUE(observer->load("wf-1").has_value()) << "the paused server did not run the queued commit";

  EXPECT_THAT(impatient->commit({create}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(observer->history("wf-1"), ElementsAre("e1", "e2"));
}

TEST(RedisStoreWithoutServer, RefusedConnectionIsUnavailable) {
  RedisOptions options;
  options.port = 1;  // nothing listens on port 1 of the loopback
  auto store = make_redis_store(options);

  EXPECT_THAT(store->commit({create_write("wf-1", 1, "s")}), ElementsAre(WriteResult::unavailable));
  try {
    store->load("wf-1");
    ADD_FAILURE() << "load did not throw";
  } catch (const StoreUnavailable& e) {
    EXPECT_THAT(e.what(), HasSubstr("redis 127.0.0.1:1: "));
  }
  EXPECT_THROW(store->dead_letters(), StoreUnavailable);
}

}  // namespace
}  // namespace actorflow::testing
