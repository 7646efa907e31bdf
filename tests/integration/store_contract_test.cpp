// The Store contract, run against every backend. The TEST_P bodies live here only; other backends
// instantiate the suite in their own files (linked into the same store_test executable).
#include "store_contract.hpp"
#include "store_writes.hpp"
#include "temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace actorflow::testing {
namespace {

using ::testing::Each;
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

// Stores may skip index updates a write does not change (Redis keeps each workflow's live flag and
// wake-up time beside its snapshot): every change must still reach the indexes, in both directions.
TEST_P(StoreContract, IndexesFollowEveryChangeOfLiveAndWakeUp) {
  auto write = [](bool live, int64_t wake_at_ms) {
    WorkflowWrite w = save_write("wf-1", 1, "s");
    w.live = live;
    w.wake_at_ms = wake_at_ms;
    return w;
  };
  auto wake_ids = [&] {
    std::vector<std::pair<std::string, int64_t>> ids;
    for (const auto& due : store->wake_ups_until(10'000, 10)) ids.emplace_back(due.workflow_id, due.at_ms);
    return ids;
  };
  using Wakes = std::vector<std::pair<std::string, int64_t>>;
  ASSERT_THAT(store->commit({create_write("wf-1", 1, "s")}), ElementsAre(WriteResult::ok));
  ASSERT_THAT(store->commit({write(true, 0)}), ElementsAre(WriteResult::ok));  // unchanged
  EXPECT_THAT(store->live_workflows(), ElementsAre("wf-1"));
  EXPECT_EQ(wake_ids(), Wakes{});
  ASSERT_THAT(store->commit({write(true, 500)}), ElementsAre(WriteResult::ok));
  EXPECT_EQ(wake_ids(), (Wakes{{"wf-1", 500}}));
  ASSERT_THAT(store->commit({write(true, 500)}), ElementsAre(WriteResult::ok));  // unchanged
  EXPECT_EQ(wake_ids(), (Wakes{{"wf-1", 500}}));
  ASSERT_THAT(store->commit({write(true, 700)}), ElementsAre(WriteResult::ok));
  EXPECT_EQ(wake_ids(), (Wakes{{"wf-1", 700}}));
  ASSERT_THAT(store->commit({write(false, 700)}), ElementsAre(WriteResult::ok));  // ends: out of both
  EXPECT_THAT(store->live_workflows(), IsEmpty());
  EXPECT_EQ(wake_ids(), Wakes{});
  ASSERT_THAT(store->commit({write(true, 900)}), ElementsAre(WriteResult::ok));  // live again (a retry)
  EXPECT_THAT(store->live_workflows(), ElementsAre("wf-1"));
  EXPECT_EQ(wake_ids(), (Wakes{{"wf-1", 900}}));
  ASSERT_THAT(store->commit({write(true, 0)}), ElementsAre(WriteResult::ok));
  EXPECT_EQ(wake_ids(), Wakes{});
  EXPECT_THAT(store->live_workflows(), ElementsAre("wf-1"));
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

// --- Lists and counts of workflows ---

WorkflowWrite summarised(WorkflowWrite write, const std::string& definition, WorkflowStatus status,
                         int64_t updated_ms = 0) {
  write.summary.id = write.workflow_id;
  write.summary.definition = definition;
  write.summary.version = 1;
  write.summary.status = status;
  write.summary.started_ms = 100;
  write.summary.updated_ms = updated_ms;
  write.live = !is_terminal(status);
  return write;
}

WorkflowWrite created(const std::string& id, const std::string& definition,
                      WorkflowStatus status = WorkflowStatus::running) {
  return summarised(create_write(id, 1, "s"), definition, status);
}

WorkflowWrite saved(const std::string& id, const std::string& definition, WorkflowStatus status,
                    uint64_t epoch = 1) {
  return summarised(save_write(id, epoch, "s"), definition, status);
}

std::vector<std::string> ids_of(const std::vector<WorkflowSummary>& summaries) {
  std::vector<std::string> ids;
  for (const auto& summary : summaries) ids.push_back(summary.id);
  return ids;
}

WorkflowFilter in_status(WorkflowStatus status) {
  WorkflowFilter filter;
  filter.status = status;
  return filter;
}

WorkflowFilter of_definition(const std::string& definition) {
  WorkflowFilter filter;
  filter.definition = definition;
  return filter;
}

// Four workflows, two definitions, two statuses: the filters below pick out each combination.
void commit_orders_and_invoices(Store& store) {
  ASSERT_THAT(store.commit({created("order-2", "order"), created("invoice-1", "invoice"),
                            created("order-1", "order", WorkflowStatus::completed),
                            created("invoice-2", "invoice", WorkflowStatus::completed)}),
              Each(WriteResult::ok));
}

TEST_P(StoreContract, EmptyStoreListsAndCountsNothing) {
  EXPECT_THAT(store->list_workflows({}), IsEmpty());
  EXPECT_THAT(store->list_workflows(in_status(WorkflowStatus::running)), IsEmpty());
  EXPECT_THAT(store->count_by_status(), IsEmpty());
}

TEST_P(StoreContract, ListShowsEachWorkflowsLatestSummaryOrderedById) {
  WorkflowWrite first = created("wf-b", "order");
  first.summary.version = 3;
  first.summary.started_ms = 1000;
  first.summary.updated_ms = 1000;
  ASSERT_THAT(store->commit({first, created("wf-a", "invoice")}), Each(WriteResult::ok));
  WorkflowWrite later = summarised(save_write("wf-b", 1, "s2"), "order", WorkflowStatus::compensating, 2500);
  later.summary.version = 3;
  later.summary.started_ms = 1000;
  ASSERT_THAT(store->commit({later}), ElementsAre(WriteResult::ok));

  const auto listed = store->list_workflows({});

  ASSERT_THAT(ids_of(listed), ElementsAre("wf-a", "wf-b"));
  EXPECT_EQ(listed[0].definition, "invoice");
  EXPECT_EQ(listed[0].status, WorkflowStatus::running);
  EXPECT_EQ(listed[1].definition, "order");
  EXPECT_EQ(listed[1].version, 3);
  EXPECT_EQ(listed[1].status, WorkflowStatus::compensating);
  EXPECT_EQ(listed[1].started_ms, 1000);
  EXPECT_EQ(listed[1].updated_ms, 2500);
}

TEST_P(StoreContract, ListFiltersByStatus) {
  commit_orders_and_invoices(*store);

  EXPECT_THAT(ids_of(store->list_workflows(in_status(WorkflowStatus::running))), ElementsAre("invoice-1", "order-2"));
  EXPECT_THAT(ids_of(store->list_workflows(in_status(WorkflowStatus::completed))),
              ElementsAre("invoice-2", "order-1"));
  EXPECT_THAT(store->list_workflows(in_status(WorkflowStatus::failed)), IsEmpty());
}

TEST_P(StoreContract, ListFiltersByDefinition) {
  commit_orders_and_invoices(*store);

  EXPECT_THAT(ids_of(store->list_workflows(of_definition("order"))), ElementsAre("order-1", "order-2"));
  EXPECT_THAT(ids_of(store->list_workflows(of_definition("invoice"))), ElementsAre("invoice-1", "invoice-2"));
  EXPECT_THAT(store->list_workflows(of_definition("ord")), IsEmpty()) << "a whole name, not a prefix";
}

TEST_P(StoreContract, ListFiltersByStatusAndDefinition) {
  commit_orders_and_invoices(*store);
  WorkflowFilter filter = of_definition("order");
  filter.status = WorkflowStatus::completed;

  EXPECT_THAT(ids_of(store->list_workflows(filter)), ElementsAre("order-1"));
  filter.definition = "invoice";
  EXPECT_THAT(ids_of(store->list_workflows(filter)), ElementsAre("invoice-2"));
  filter.status = WorkflowStatus::dead_lettered;
  EXPECT_THAT(store->list_workflows(filter), IsEmpty());
}

// Reads pages of `limit` until one comes back short, and returns every id seen.
std::vector<std::string> all_pages(const Store& store, WorkflowFilter filter, size_t* pages) {
  std::vector<std::string> ids;
  *pages = 0;
  for (;;) {
    const auto page = store.list_workflows(filter);
    ++*pages;
    EXPECT_LE(page.size(), filter.limit);
    for (const auto& summary : page) ids.push_back(summary.id);
    if (page.size() < filter.limit) return ids;
    filter.after_id = page.back().id;
  }
}

std::string numbered(const std::string& stem, int n) {
  std::string digits = std::to_string(n);
  return stem + std::string(4 - digits.size(), '0') + digits;
}

TEST_P(StoreContract, ListPagesByAfterIdAndLimit) {
  std::vector<WorkflowWrite> batch;
  std::vector<std::string> expected;
  for (int i = 0; i < 23; ++i) {
    batch.push_back(created(numbered("wf-", i), "order"));
    expected.push_back(numbered("wf-", i));
  }
  ASSERT_THAT(store->commit(batch), Each(WriteResult::ok));
  WorkflowFilter filter;
  filter.limit = 5;

  size_t pages = 0;
  EXPECT_EQ(all_pages(*store, filter, &pages), expected);
  EXPECT_EQ(pages, 5u);
  filter.after_id = "wf-0020";
  EXPECT_THAT(ids_of(store->list_workflows(filter)), ElementsAre("wf-0021", "wf-0022"));
  filter.after_id = "wf-0020x";  // need not be an id
  EXPECT_THAT(ids_of(store->list_workflows(filter)), ElementsAre("wf-0021", "wf-0022"));
  filter.after_id = "wf-0022";
  EXPECT_THAT(store->list_workflows(filter), IsEmpty());
}

// Matches are sparse among many ids: a page must still be filled from further on.
TEST_P(StoreContract, ListPagesThroughSparseMatchesOfAStatusAndADefinition) {
  std::vector<WorkflowWrite> batch;
  std::vector<std::string> expected;
  for (int i = 0; i < 600; ++i) {
    const bool match = i % 17 == 3;
    const std::string id = numbered("wf-", i);
    batch.push_back(created(id, match || i % 2 == 0 ? "rare" : "common",
                            match || i % 2 == 1 ? WorkflowStatus::failed : WorkflowStatus::running));
    if (match) expected.push_back(id);
  }
  ASSERT_THAT(store->commit(batch), Each(WriteResult::ok));
  WorkflowFilter filter = of_definition("rare");
  filter.status = WorkflowStatus::failed;
  filter.limit = 10;

  size_t pages = 0;
  EXPECT_EQ(all_pages(*store, filter, &pages), expected);
  EXPECT_EQ(pages, expected.size() / 10 + 1);
}

TEST_P(StoreContract, ListLimitZeroMeansAHundredAndIsCappedAtAThousand) {
  std::vector<WorkflowWrite> batch;
  for (int i = 0; i < 1001; ++i) batch.push_back(created(numbered("wf-", i), "order"));
  ASSERT_THAT(store->commit(batch), Each(WriteResult::ok));

  WorkflowFilter filter;
  filter.limit = 0;
  EXPECT_EQ(store->list_workflows(filter).size(), 100u);
  filter.limit = 5000;
  const auto capped = store->list_workflows(filter);
  ASSERT_EQ(capped.size(), 1000u);
  EXPECT_EQ(capped.back().id, "wf-0999");
}

TEST_P(StoreContract, AStatusChangeMovesAWorkflowBetweenFilters) {
  ASSERT_THAT(store->commit({created("wf-1", "order"), created("wf-2", "order")}), Each(WriteResult::ok));
  ASSERT_THAT(store->commit({saved("wf-1", "order", WorkflowStatus::compensating)}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(ids_of(store->list_workflows(in_status(WorkflowStatus::running))), ElementsAre("wf-2"));
  EXPECT_THAT(ids_of(store->list_workflows(in_status(WorkflowStatus::compensating))), ElementsAre("wf-1"));

  ASSERT_THAT(store->commit({saved("wf-1", "order", WorkflowStatus::compensated)}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(store->list_workflows(in_status(WorkflowStatus::compensating)), IsEmpty());
  EXPECT_THAT(ids_of(store->list_workflows(in_status(WorkflowStatus::compensated))), ElementsAre("wf-1"));
  EXPECT_THAT(ids_of(store->list_workflows({})), ElementsAre("wf-1", "wf-2"));
  EXPECT_THAT(store->count_by_status(),
              ElementsAre(Pair(WorkflowStatus::running, 1u), Pair(WorkflowStatus::compensated, 1u)));
}

TEST_P(StoreContract, CountByStatusLeavesOutStatusesWithNone) {
  ASSERT_THAT(store->commit({created("a", "x"), created("b", "x"), created("c", "y"),
                             created("d", "y", WorkflowStatus::failed),
                             created("e", "y", WorkflowStatus::dead_lettered)}),
              Each(WriteResult::ok));

  EXPECT_THAT(store->count_by_status(),
              ElementsAre(Pair(WorkflowStatus::running, 3u), Pair(WorkflowStatus::failed, 1u),
                          Pair(WorkflowStatus::dead_lettered, 1u)));

  ASSERT_THAT(store->commit({saved("a", "x", WorkflowStatus::completed), saved("b", "x", WorkflowStatus::completed),
                             saved("c", "y", WorkflowStatus::completed)}),
              Each(WriteResult::ok));

  EXPECT_THAT(store->count_by_status(),
              ElementsAre(Pair(WorkflowStatus::completed, 3u), Pair(WorkflowStatus::failed, 1u),
                          Pair(WorkflowStatus::dead_lettered, 1u)));
}

TEST_P(StoreContract, RefusedWritesChangeNoSummary) {
  auto first = with_id(summarised(create_write("wf-1", 5, "s"), "order", WorkflowStatus::running, 10), "w1");
  ASSERT_THAT(store->commit({first}), ElementsAre(WriteResult::ok));

  auto exists = summarised(create_write("wf-1", 9, "s"), "other", WorkflowStatus::failed, 20);
  auto stale = summarised(save_write("wf-1", 4, "s"), "other", WorkflowStatus::completed, 30);
  ASSERT_THAT(store->commit({exists, stale}), ElementsAre(WriteResult::exists, WriteResult::stale_epoch));
  auto repeat = first;  // same write id: applied already, so not applied again
  repeat.summary.status = WorkflowStatus::compensating;
  repeat.summary.updated_ms = 40;
  ASSERT_THAT(store->commit({repeat}), ElementsAre(WriteResult::ok));

  const auto listed = store->list_workflows({});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].definition, "order");
  EXPECT_EQ(listed[0].status, WorkflowStatus::running);
  EXPECT_EQ(listed[0].updated_ms, 10);
  EXPECT_THAT(store->count_by_status(), ElementsAre(Pair(WorkflowStatus::running, 1u)));
  EXPECT_THAT(store->list_workflows(in_status(WorkflowStatus::compensating)), IsEmpty());
}

WorkflowWrite dead_lettered(const std::string& id, const std::string& reason, int64_t at_ms) {
  WorkflowWrite write = created(id, "order", WorkflowStatus::dead_lettered);
  write.dead_letter = DeadLetter{id, reason, at_ms};
  return write;
}

TEST_P(StoreContract, ClearDeadLetterRemovesTheWorkflowsEntryAndLeavesOthers) {
  ASSERT_THAT(store->commit({dead_lettered("wf-1", "one", 1), dead_lettered("wf-2", "two", 2),
                             dead_lettered("wf-3", "three", 3)}),
              Each(WriteResult::ok));
  WorkflowWrite retried = saved("wf-2", "order", WorkflowStatus::running);
  retried.clear_dead_letter = true;

  ASSERT_THAT(store->commit({retried}), ElementsAre(WriteResult::ok));

  auto entries = store->dead_letters();
  std::sort(entries.begin(), entries.end(), [](const auto& l, const auto& r) { return l.workflow_id < r.workflow_id; });
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].workflow_id, "wf-1");
  EXPECT_EQ(entries[0].reason, "one");
  EXPECT_EQ(entries[1].workflow_id, "wf-3");
  EXPECT_EQ(entries[1].reason, "three");
  EXPECT_THAT(ids_of(store->list_workflows(in_status(WorkflowStatus::running))), ElementsAre("wf-2"));
}

TEST_P(StoreContract, ARefusedWriteClearsNoDeadLetter) {
  WorkflowWrite parked = dead_lettered("wf-1", "parked", 1);
  parked.epoch = 5;
  ASSERT_THAT(store->commit({parked}), ElementsAre(WriteResult::ok));
  WorkflowWrite stale = saved("wf-1", "order", WorkflowStatus::running, /*epoch=*/4);
  stale.clear_dead_letter = true;

  ASSERT_THAT(store->commit({stale}), ElementsAre(WriteResult::stale_epoch));

  ASSERT_EQ(store->dead_letters().size(), 1u);
  EXPECT_EQ(store->dead_letters()[0].reason, "parked");
}

TEST_P(StoreContract, AWriteThatClearsAndSetsADeadLetterKeepsTheNewOne) {
  ASSERT_THAT(store->commit({dead_lettered("wf-1", "first", 1)}), ElementsAre(WriteResult::ok));
  WorkflowWrite again = saved("wf-1", "order", WorkflowStatus::dead_lettered);
  again.clear_dead_letter = true;
  again.dead_letter = DeadLetter{"wf-1", "second", 2};

  ASSERT_THAT(store->commit({again}), ElementsAre(WriteResult::ok));

  const auto entries = store->dead_letters();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].reason, "second");
  EXPECT_EQ(entries[0].at_ms, 2);
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
