// What the SQLite store adds to the contract: a durable file, WAL mode, several stores (processes)
// sharing one file, and clean failures on bad paths and bad files.
#include "temp_dir.hpp"

#include <actorflow/store.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

namespace actorflow::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// A plain connection to the store's file, standing in for another process.
class RawConnection {
 public:
  explicit RawConnection(const std::string& path) {
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
    db_.reset(db);
    if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + path);
  }

  std::string query_text(const char* sql) {
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_.get(), sql, -1, &statement, nullptr), SQLITE_OK) << sqlite3_errmsg(db_.get());
    std::string text;
    if (sqlite3_step(statement) == SQLITE_ROW) text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    sqlite3_finalize(statement);
    return text;
  }

  void execute(const char* sql) {
    EXPECT_EQ(sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db_.get());
  }

  // The details of EXPLAIN QUERY PLAN, one line each.
  std::string query_plan(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    const std::string explain = "EXPLAIN QUERY PLAN " + sql;
    EXPECT_EQ(sqlite3_prepare_v2(db_.get(), explain.c_str(), -1, &statement, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_.get());
    std::string plan;
    while (sqlite3_step(statement) == SQLITE_ROW) {
      plan += reinterpret_cast<const char*>(sqlite3_column_text(statement, 3));
      plan += '\n';
    }
    sqlite3_finalize(statement);
    return plan;
  }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, Closer> db_;
};

WorkflowWrite write_of(const std::string& id, uint64_t epoch, const std::string& snapshot, bool create) {
  WorkflowWrite write;
  write.workflow_id = id;
  write.epoch = epoch;
  write.create = create;
  write.snapshot = snapshot;
  return write;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  TempDir dir;
  const std::string path = dir.file("store.db");
};

TEST_F(SqliteStoreTest, DataSurvivesClosingAndReopening) {
  uint64_t epoch_before_close = 0;
  {
    auto store = make_sqlite_store(path);
    epoch_before_close = store->next_epoch();
    WorkflowWrite parked = write_of("parked", epoch_before_close, "parked-snapshot", true);
    parked.live = false;
    parked.history = {"p1", "p2"};
    parked.dead_letter = DeadLetter{"parked", "step failed", 1234};
    WorkflowWrite running = write_of("running", epoch_before_close, "running-snapshot", true);
    running.history = {"r1"};
    ASSERT_THAT(store->commit({parked, running}), ElementsAre(WriteResult::ok, WriteResult::ok));
    ASSERT_TRUE(store->ledger_put("running/step/1", "result"));
  }

  auto reopened = make_sqlite_store(path);
  auto stored = reopened->load("running");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->snapshot, "running-snapshot");
  EXPECT_EQ(stored->epoch, epoch_before_close);
  EXPECT_THAT(reopened->history("parked"), ElementsAre("p1", "p2"));
  EXPECT_THAT(reopened->live_workflows(), ElementsAre("running"));
  auto dead = reopened->dead_letters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].workflow_id, "parked");
  EXPECT_EQ(dead[0].reason, "step failed");
  EXPECT_EQ(dead[0].at_ms, 1234);
  EXPECT_EQ(reopened->ledger_get("running/step/1"), "result");
  EXPECT_GT(reopened->next_epoch(), epoch_before_close);
}

TEST_F(SqliteStoreTest, FileIsInWalMode) {
  auto store = make_sqlite_store(path);
  RawConnection other(path);
  EXPECT_EQ(other.query_text("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, TwoStoresOnOneFileShareEpochs) {
  auto first = make_sqlite_store(path);
  auto second = make_sqlite_store(path);

  uint64_t previous = 0;
  for (int i = 0; i < 10; ++i) {
    const uint64_t from_first = first->next_epoch();
    EXPECT_GT(from_first, previous);
    const uint64_t from_second = second->next_epoch();
    EXPECT_GT(from_second, from_first);
    previous = from_second;
  }
}

TEST_F(SqliteStoreTest, OlderEpochFromAnotherStoreIsRefusedAfterANewerWrite) {
  auto first = make_sqlite_store(path);
  auto second = make_sqlite_store(path);
  const uint64_t old_epoch = second->next_epoch();
  ASSERT_THAT(second->commit({write_of("wf-1", old_epoch, "v1", true)}), ElementsAre(WriteResult::ok));

  // The first store takes the workflow over with a newer epoch.
  const uint64_t new_epoch = first->next_epoch();
  ASSERT_THAT(first->commit({write_of("wf-1", new_epoch, "v2", false)}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(second->commit({write_of("wf-1", old_epoch, "v3", false)}), ElementsAre(WriteResult::stale_epoch));
  auto stored = second->load("wf-1");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->snapshot, "v2");
  EXPECT_EQ(stored->epoch, new_epoch);
}

TEST_F(SqliteStoreTest, CommitWhileAnotherConnectionHoldsTheWriteLockIsUnavailable) {
  auto store = make_sqlite_store(path);
  ASSERT_THAT(store->commit({write_of("wf-1", 1, "v1", true)}), ElementsAre(WriteResult::ok));
  RawConnection other(path);
  other.execute("BEGIN IMMEDIATE");

  // Waits out the store's busy timeout, then gives up on the whole batch.
  WorkflowWrite blocked = write_of("wf-1", 1, "v2", false);
  blocked.history = {"e1"};
  EXPECT_THAT(store->commit({blocked, write_of("wf-2", 1, "v1", true)}),
              ElementsAre(WriteResult::unavailable, WriteResult::unavailable));
  // WAL readers are not blocked by a writer.
  EXPECT_EQ(store->load("wf-1")->snapshot, "v1");

  other.execute("ROLLBACK");
  EXPECT_FALSE(store->load("wf-2").has_value());
  EXPECT_TRUE(store->history("wf-1").empty());
  EXPECT_THAT(store->commit({blocked}), ElementsAre(WriteResult::ok));
  EXPECT_THAT(store->history("wf-1"), ElementsAre("e1"));
}

// A file from before summaries were kept: the workflows table without their columns.
TEST_F(SqliteStoreTest, AFileFromBeforeSummariesListsItsWorkflowsAndTakesNewWrites) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);  // creates the file
    const char* old_schema = R"sql(
      CREATE TABLE workflows (
        id TEXT PRIMARY KEY,
        epoch INTEGER NOT NULL,
        snapshot BLOB NOT NULL,
        live INTEGER NOT NULL,
        last_write TEXT NOT NULL DEFAULT '',
        wake_at INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX workflows_by_live ON workflows(live);
      INSERT INTO workflows(id, epoch, snapshot, live) VALUES('old-done', 1, x'00', 0), ('old-live', 1, x'01', 1);
    )sql";
    EXPECT_EQ(sqlite3_exec(db, old_schema, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }

  auto store = make_sqlite_store(path);

  const auto listed = store->list_workflows({});
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, "old-done");
  EXPECT_EQ(listed[0].definition, "");
  EXPECT_EQ(listed[0].status, WorkflowStatus::completed);
  EXPECT_EQ(listed[1].id, "old-live");
  EXPECT_EQ(listed[1].status, WorkflowStatus::running);
  WorkflowFilter running;
  running.status = WorkflowStatus::running;
  ASSERT_EQ(store->list_workflows(running).size(), 1u);
  EXPECT_EQ(store->list_workflows(running)[0].id, "old-live");
  EXPECT_THAT(store->count_by_status(),
              ElementsAre(Pair(WorkflowStatus::running, 1u), Pair(WorkflowStatus::completed, 1u)));
  EXPECT_EQ(store->load("old-live")->snapshot, std::string(1, '\x01'));

  WorkflowWrite finished = write_of("old-live", 1, "done", false);
  finished.live = false;
  finished.summary = {"old-live", "order", 2, WorkflowStatus::failed, 10, 20};
  WorkflowWrite fresh = write_of("new", 1, "s", true);
  fresh.summary = {"new", "invoice", 1, WorkflowStatus::running, 30, 30};
  ASSERT_THAT(store->commit({finished, fresh}), ElementsAre(WriteResult::ok, WriteResult::ok));

  const auto after = store->list_workflows({});
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[0].id, "new");
  EXPECT_EQ(after[0].definition, "invoice");
  EXPECT_EQ(after[2].id, "old-live");
  EXPECT_EQ(after[2].definition, "order");
  EXPECT_EQ(after[2].version, 2);
  EXPECT_EQ(after[2].status, WorkflowStatus::failed);
  EXPECT_EQ(after[2].updated_ms, 20);
  EXPECT_THAT(store->count_by_status(), ElementsAre(Pair(WorkflowStatus::running, 1u),
                                                    Pair(WorkflowStatus::completed, 1u),
                                                    Pair(WorkflowStatus::failed, 1u)));
}

// The events of one write are stored as one row; a file from before (one row an event, no events
// column) reads as it was and takes new writes after its old events.
TEST_F(SqliteStoreTest, AWritesEventsAreOneRowAndOldOneEventRowsStillRead) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const char* old_schema = R"sql(
      CREATE TABLE history (seq INTEGER PRIMARY KEY AUTOINCREMENT, workflow_id TEXT NOT NULL, event BLOB NOT NULL);
      CREATE INDEX history_by_workflow ON history(workflow_id, seq);
      INSERT INTO history(workflow_id, event) VALUES('wf-1', 'old1'), ('wf-1', 'old2');
    )sql";
    EXPECT_EQ(sqlite3_exec(db, old_schema, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  auto store = make_sqlite_store(path);
  const std::string binary("b\x00\x80\xff", 4);
  const std::string big(300, 'x');  // a length that takes two bytes
  WorkflowWrite first = write_of("wf-1", 1, "s", true);
  first.history = {"e1", binary, big, ""};
  WorkflowWrite second = write_of("wf-1", 1, "s", false);
  second.history = {"e5"};
  ASSERT_THAT(store->commit({first}), ElementsAre(WriteResult::ok));
  ASSERT_THAT(store->commit({second}), ElementsAre(WriteResult::ok));

  EXPECT_THAT(store->history("wf-1"), ElementsAre("old1", "old2", "e1", binary, big, "", "e5"));
  RawConnection raw(path);
  EXPECT_EQ(raw.query_text("SELECT COUNT(*) FROM history WHERE workflow_id = 'wf-1'"), "4");
}

TEST_F(SqliteStoreTest, ListingAndCountingByStatusUseTheStatusIndex) {
  auto store = make_sqlite_store(path);
  RawConnection other(path);

  EXPECT_THAT(other.query_plan("SELECT id FROM workflows WHERE status = 'running' AND id > '' ORDER BY id LIMIT 10"),
              HasSubstr("workflows_by_status"));
  EXPECT_THAT(other.query_plan("SELECT status, COUNT(*) FROM workflows WHERE status IS NOT NULL GROUP BY status"),
              HasSubstr("COVERING INDEX workflows_by_status"));
}

TEST_F(SqliteStoreTest, AnUnknownStatusInTheFileIsAnErrorNamingTheWorkflow) {
  auto store = make_sqlite_store(path);
  ASSERT_THAT(store->commit({write_of("wf-1", 1, "s", true)}), ElementsAre(WriteResult::ok));
  RawConnection other(path);
  other.execute("UPDATE workflows SET status = 'sleepy' WHERE id = 'wf-1'");

  try {
    store->list_workflows({});
    FAIL() << "expected StoreUnavailable";
  } catch (const StoreUnavailable& e) {
    EXPECT_THAT(e.what(), HasSubstr("workflow 'wf-1'"));
    EXPECT_THAT(e.what(), HasSubstr("unknown status 'sleepy'"));
  }
  EXPECT_THROW(store->count_by_status(), StoreUnavailable);
}

TEST_F(SqliteStoreTest, UnopenablePathThrowsNamingThePath) {
  const std::string bad_path = dir.file("no-such-dir/store.db");
  try {
    make_sqlite_store(bad_path);
    FAIL() << "expected StoreUnavailable";
  } catch (const StoreUnavailable& e) {
    EXPECT_THAT(e.what(), HasSubstr(bad_path));
  }
}

TEST_F(SqliteStoreTest, CorruptFileThrowsStoreUnavailable) {
  {
    std::ofstream garbage(path, std::ios::binary);
    for (int i = 0; i < 8192; ++i) garbage.put(static_cast<char>((i * 37 + 11) % 251));
  }
  try {
    make_sqlite_store(path);
    FAIL() << "expected StoreUnavailable";
  } catch (const StoreUnavailable& e) {
    EXPECT_THAT(e.what(), HasSubstr(path));
  }
}

}  // namespace
}  // namespace actorflow::testing
