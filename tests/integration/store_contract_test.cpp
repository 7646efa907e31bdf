// The Store contract, run against every backend. The TEST_P bodies live here only; other backends
// instantiate the suite in their own files (linked into the same store_test executable).
#include "store_contract.hpp"
#include "store_writes.hpp"
#include "temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <utility>

namespace actorflow::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

WorkflowWrite terminal_write(const std::string& id, uint64_t epoch, const std::string& snapshot) {
  WorkflowWrite write = save_write(id, epoch, snapshot);
  write.live = false;
  return write;
}

TEST_P(StoreContract, EmptyStoreHasNothing) {
  EXPECT_FALSE(store->load("missing").has_value());
  EXPECT_THAT(store->history("missing"), IsEmpty());
  EXPECT_THAT(store->live_workflows(), IsEmpty());
  EXPECT_THAT(store->dead_letters(), IsEmpty());
  EXPECT_FALSE(store->ledger_get("missing").has_value());
  EXPECT_THAT(store->ledger_scan(""), IsEmpty());
  EXPECT_THAT(store->commit({}), IsEmpty());
}

TEST_P(StoreContract, CreateThenLoadRoundTripsEpochAndBytes) {
  const std::string binary("\x00snap\xff\x00\x01shot\x00", 12);
  ASSERT_THAT(store->commit({create_write("wf-1", 7, binary)}), ElementsAre(WriteResult::ok));

  auto stored = store->load("wf-1");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->snapshot, binary);
  EXPECT_EQ(stored->snapshot.size(), 12u);
  EXPECT_EQ(stored->epoch, 7u);
}

TEST_P(StoreContract, EmptySnapshotRoundTrips) {
  ASSERT_THAT(store->commit({create_write("wf-1", 1, "")}), ElementsAre(WriteResult::ok));
  auto stored = store->load("wf-1");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->snapshot, "");
}

TEST_P(StoreContract, CreateTwiceReturnsExistsAndKeepsTheFirst) {
  ASSERT_THAT(store->commit({create_write("wf-1", 1, "first", {"e1"})}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(store->commit({create_write("wf-1", 2, "second", {"e2"})}), ElementsAre(WriteResult::exists));

  auto stored = store->load("wf-1");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->snapshot, "first");
  EXPECT_EQ(stored->epoch, 1u);
  EXPECT_THAT(store->history("wf-1"), ElementsAre("e1"));
}

TEST_P(StoreContract, SaveWithEqualEpochIsAccepted) {
  ASSERT_THAT(store->commit({create_write("wf-1", 3, "v1")}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(store->commit({save_write("wf-1", 3, "v2")}), ElementsAre(WriteResult::ok));

  auto stored = store->load("wf-1");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->snapshot, "v2");
  EXPECT_EQ(stored->epoch, 3u);
}

TEST_P(StoreContract, SaveWithHigherEpochIsAcceptedAndStoresIt) {
  ASSERT_THAT(store->commit({create_write("wf-1", 3, "v1")}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(store->commit({save_write("wf-1", 5, "v2")}), ElementsAre(WriteResult::ok));

  auto stored = store->load("wf-1");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->snapshot, "v2");
  EXPECT_EQ(stored->epoch, 5u);
}

TEST_P(StoreContract, SaveWithLowerEpochIsRefusedAndWritesNothing) {
  ASSERT_THAT(store->commit({create_write("wf-1", 5, "v1", {"e1"})}), ElementsAre(WriteResult::ok));

  WorkflowWrite stale = terminal_write("wf-1", 4, "v2");
  stale.history = {"e2"};
  stale.dead_letter = DeadLetter{"wf-1", "stale writer", 100};
  EXPECT_THAT(store->commit({stale}), ElementsAre(WriteResult::stale_epoch));

  auto stored = store->load("wf-1");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->snapshot, "v1");
  EXPECT_EQ(stored->epoch, 5u);
  EXPECT_THAT(store->history("wf-1"), ElementsAre("e1"));
  EXPECT_THAT(store->live_workflows(), ElementsAre("wf-1"));
  EXPECT_THAT(store->dead_letters(), IsEmpty());
}

TEST_P(StoreContract, BatchAppliesTheGoodWriteBesideAStaleOne) {
  ASSERT_THAT(store->commit({create_write("old", 9, "old-v1"), create_write("new", 1, "new-v1")}),
              ElementsAre(WriteResult::ok, WriteResult::ok));

  EXPECT_THAT(store->commit({save_write("old", 8, "old-v2", {"old-e"}), save_write("new", 2, "new-v2", {"new-e"})}),
              ElementsAre(WriteResult::stale_epoch, WriteResult::ok));

  EXPECT_EQ(store->load("old")->snapshot, "old-v1");
  EXPECT_THAT(store->history("old"), IsEmpty());
  EXPECT_EQ(store->load("new")->snapshot, "new-v2");
  EXPECT_EQ(store->load("new")->epoch, 2u);
  EXPECT_THAT(store->history("new"), ElementsAre("new-e"));
}

TEST_P(StoreContract, BatchAppliesTheGoodWriteBesideAnExistingCreate) {
  ASSERT_THAT(store->commit({create_write("taken", 1, "first")}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(store->commit({create_write("taken", 1, "again"), create_write("fresh", 1, "fresh-v1")}),
              ElementsAre(WriteResult::exists, WriteResult::ok));

  EXPECT_EQ(store->load("taken")->snapshot, "first");
  EXPECT_EQ(store->load("fresh")->snapshot, "fresh-v1");
}

WorkflowWrite with_id(WorkflowWrite write, std::string write_id) {
  write.write_id = std::move(write_id);
  return write;
}

TEST_P(StoreContract, ARepeatedCreateWithTheSameWriteIdIsOkAndAppliedOnce) {
  const auto create = with_id(create_write("wf-1", 1, "s1", {"e1"}), "e1.1");
  ASSERT_THAT(store->commit({create}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(store->commit({create}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(store->history("wf-1"), ElementsAre("e1"));
  EXPECT_THAT(store->commit({with_id(create_write("wf-1", 1, "other", {"x"}), "e1.9")}),
              ElementsAre(WriteResult::exists));
}

TEST_P(StoreContract, ARepeatedSaveWithTheSameWriteIdAppendsItsHistoryOnce) {
  ASSERT_THAT(store->commit({with_id(create_write("wf-1", 1, "s1", {"e1"}), "e1.1")}), ElementsAre(WriteResult::ok));
  const auto save = with_id(save_write("wf-1", 1, "s2", {"e2", "e3"}), "e1.2");
  ASSERT_THAT(store->commit({save}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(store->commit({save}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(store->history("wf-1"), ElementsAre("e1", "e2", "e3"));
  EXPECT_EQ(store->load("wf-1")->snapshot, "s2");
}

TEST_P(StoreContract, OnlyTheLastAppliedWriteIdCountsAsARepeat) {
  const auto first = with_id(save_write("wf-1", 1, "s1", {"e1"}), "e1.1");
  ASSERT_THAT(store->commit({first, with_id(save_write("wf-1", 1, "s2", {"e2"}), "e1.2")}),
              ElementsAre(WriteResult::ok, WriteResult::ok));

  // Not the last write any more: a replay of it would be a new write, so it is applied.
  EXPECT_THAT(store->commit({first}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(store->history("wf-1"), ElementsAre("e1", "e2", "e1"));
  EXPECT_EQ(store->load("wf-1")->snapshot, "s1");
}

TEST_P(StoreContract, InboxNumbersSignalsPerWorkflowAndReadsFromASequenceNumber) {
  EXPECT_EQ(store->inbox_append("wf-1", "approve", R"({"by":"ann"})", 10), 1u);
  EXPECT_EQ(store->inbox_append("wf-2", "other", "{}", 11), 1u);
  EXPECT_EQ(store->inbox_append("wf-1", "poke", "null", 12), 2u);

  auto all = store->inbox_after("wf-1", 0);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].seq, 1u);
  EXPECT_EQ(all[0].name, "approve");
  EXPECT_EQ(all[0].payload, R"({"by":"ann"})");
  EXPECT_EQ(all[0].at_ms, 10);
  EXPECT_EQ(all[1].seq, 2u);
  EXPECT_EQ(all[1].name, "poke");
  auto later = store->inbox_after("wf-1", 1);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].seq, 2u);
  EXPECT_THAT(store->inbox_after("wf-1", 2), IsEmpty());
  EXPECT_THAT(store->inbox_after("missing", 0), IsEmpty());
}

TEST_P(StoreContract, WakeUpsListLiveWorkflowsDueByTimeEarliestFirst) {
  auto timed = [](const std::string& id, int64_t wake_at_ms, bool live = true) {
    WorkflowWrite write = save_write(id, 1, "s");
    write.wake_at_ms = wake_at_ms;
    write.live = live;
    return write;
  };
  ASSERT_THAT(store->commit({timed("late", 300), timed("early", 100), timed("none", 0), timed("done", 50, false)}),
              ElementsAre(WriteResult::ok, WriteResult::ok, WriteResult::ok, WriteResult::ok));

  auto due = store->wake_ups_until(300, 10);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].workflow_id, "early");
  EXPECT_EQ(due[0].at_ms, 100);
  EXPECT_EQ(due[1].workflow_id, "late");
  EXPECT_EQ(store->wake_ups_until(299, 10).size(), 1u);
  EXPECT_EQ(store->wake_ups_until(1000, 1).size(), 1u) << "limit";

  ASSERT_THAT(store->commit({timed("early", 0), timed("late", 50)}), ElementsAre(WriteResult::ok, WriteResult::ok));
  due = store->wake_ups_until(1000, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].workflow_id, "late");
  EXPECT_EQ(due[0].at_ms, 50);
}

TEST_P(StoreContract, SchedulesArePutReplacedListedAndErased) {
  store->schedule_put("b", "two");
  store->schedule_put("a", "one");
  store->schedule_put("b", "three");
  EXPECT_THAT(store->schedules(), ElementsAre(Pair("a", "one"), Pair("b", "three")));
  EXPECT_TRUE(store->schedule_erase("a"));
  EXPECT_FALSE(store->schedule_erase("a"));
  EXPECT_THAT(store->schedules(), ElementsAre(Pair("b", "three")));
}

TEST_P(StoreContract, HistoryKeepsAppendOrderAcrossCommits) {
  const std::string binary_event("ev\x00\xff", 4);
  ASSERT_THAT(store->commit({create_write("wf-1", 1, "s", {"e1", "e2"})}), ElementsAre(WriteResult::ok));
  ASSERT_THAT(store->commit({save_write("wf-1", 1, "s", {"e3"}), create_write("wf-2", 1, "s", {"other"})}),
              ElementsAre(WriteResult::ok, WriteResult::ok));
  ASSERT_THAT(store->commit({save_write("wf-1", 1, "s", {binary_event, "e5"})}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(store->history("wf-1"), ElementsAre("e1", "e2", "e3", binary_event, "e5"));
  EXPECT_THAT(store->history("wf-2"), ElementsAre("other"));
}

TEST_P(StoreContract, LiveIndexFollowsTheLiveFlag) {
  ASSERT_THAT(store->commit({create_write("a", 1, "s"), create_write("b", 1, "s"), create_write("c", 1, "s")}),
              ElementsAre(WriteResult::ok, WriteResult::ok, WriteResult::ok));
  EXPECT_THAT(store->live_workflows(), UnorderedElementsAre("a", "b", "c"));

  ASSERT_THAT(store->commit({terminal_write("b", 1, "done")}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(store->live_workflows(), UnorderedElementsAre("a", "c"));
  EXPECT_EQ(store->load("b")->snapshot, "done");
}

TEST_P(StoreContract, DeadLettersAreListed) {
  WorkflowWrite first = terminal_write("wf-1", 1, "parked");
  first.create = true;
  first.dead_letter = DeadLetter{"wf-1", "step failed", 1000};
  WorkflowWrite second = terminal_write("wf-2", 1, "parked");
  second.create = true;
  second.dead_letter = DeadLetter{"wf-2", "timed out", 2000};
  ASSERT_THAT(store->commit({first, second}), ElementsAre(WriteResult::ok, WriteResult::ok));

  auto entries = store->dead_letters();
  std::sort(entries.begin(), entries.end(), [](const auto& l, const auto& r) { return l.workflow_id < r.workflow_id; });
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].workflow_id, "wf-1");
  EXPECT_EQ(entries[0].reason, "step failed");
  EXPECT_EQ(entries[0].at_ms, 1000);
  EXPECT_EQ(entries[1].workflow_id, "wf-2");
  EXPECT_EQ(entries[1].reason, "timed out");
  EXPECT_EQ(entries[1].at_ms, 2000);
}

TEST_P(StoreContract, NextEpochIsStrictlyIncreasing) {
  uint64_t previous = store->next_epoch();
  for (int i = 0; i < 20; ++i) {
    const uint64_t epoch = store->next_epoch();
    EXPECT_GT(epoch, previous);
    previous = epoch;
  }
}

TEST_P(StoreContract, LedgerKeepsTheFirstValue) {
  const std::string binary_value("r\x00\xff", 3);
  EXPECT_TRUE(store->ledger_put("wf-1/step-a/1", binary_value));
  EXPECT_EQ(store->ledger_get("wf-1/step-a/1"), binary_value);

  EXPECT_FALSE(store->ledger_put("wf-1/step-a/1", "second"));
  EXPECT_EQ(store->ledger_get("wf-1/step-a/1"), binary_value);
  EXPECT_FALSE(store->ledger_get("wf-1/step-b/1").has_value());
}

TEST_P(StoreContract, LedgerScanReturnsTheKeysWithThePrefix) {
  ASSERT_TRUE(store->ledger_put("wf-1/a", "1"));
  ASSERT_TRUE(store->ledger_put("wf-1/b", "2"));
  ASSERT_TRUE(store->ledger_put("wf-10/a", "3"));
  ASSERT_TRUE(store->ledger_put("wf-2/a", "4"));
  ASSERT_TRUE(store->ledger_put("wf-", "5"));

  EXPECT_THAT(store->ledger_scan("wf-1/"), UnorderedElementsAre(Pair("wf-1/a", "1"), Pair("wf-1/b", "2")));
  EXPECT_THAT(store->ledger_scan("wf-1"),
              UnorderedElementsAre(Pair("wf-1/a", "1"), Pair("wf-1/b", "2"), Pair("wf-10/a", "3")));
  EXPECT_THAT(store->ledger_scan("wf-3"), IsEmpty());
  EXPECT_EQ(store->ledger_scan("").size(), 5u);
}

TEST(WriteResultTest, NamesEveryResult) {
  EXPECT_EQ(to_string(WriteResult::ok), "ok");
  EXPECT_EQ(to_string(WriteResult::exists), "exists");
  EXPECT_EQ(to_string(WriteResult::stale_epoch), "stale-epoch");
  EXPECT_EQ(to_string(WriteResult::unavailable), "unavailable");
}

std::shared_ptr<Store> make_sqlite_in_temp_dir() {
  // The store shares ownership of its directory, closing the file before the directory goes.
  struct SqliteInTempDir {
    TempDir dir;
    std::shared_ptr<Store> store;
  };
  auto holder = std::make_shared<SqliteInTempDir>();
  holder->store = make_sqlite_store(holder->dir.file("store.db"));
  return std::shared_ptr<Store>(holder, holder->store.get());
}

std::string factory_name(const ::testing::TestParamInfo<StoreFactory>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Memory, StoreContract, ::testing::Values(StoreFactory{"memory", make_memory_store}),
                         factory_name);
INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Values(StoreFactory{"sqlite", make_sqlite_in_temp_dir}),
                         factory_name);

}  // namespace
}  // namespace actorflow::testing
