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
