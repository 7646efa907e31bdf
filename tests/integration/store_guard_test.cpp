// What a store checks of the ground it stands on (issues 16 and 17): durability settings, one
// process per SQLite file, a database file deleted or replaced under it, a Redis flushed, replaced
// or restarted on an older copy of its data. Real SQLite files and real redis-servers.
#include "raw_redis.hpp"
#include "redis_server.hpp"
#include "store_writes.hpp"
#include "temp_dir.hpp"

#include <actorflow/store.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <fstream>
#include <thread>

namespace actorflow::testing {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string message_of(const std::function<void()>& open) {
  try {
    open();
  } catch (const StoreUnavailable& e) {
    return e.what();
  }
  return "(nothing thrown)";
}

// ---- SQLite ----------------------------------------------------------------------------------

class SqliteGuardTest : public ::testing::Test {
 protected:
  TempDir dir;
  std::string path = dir.file("store.db");
};

TEST_F(SqliteGuardTest, AnotherProcessHoldingTheFileIsNamed) {
  // Stands in for another process: a flock on the lock file from an open file description of
  // its own, with what a holder writes in it.
  const int fd = open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX | LOCK_NB), 0);
  const std::string holder = "pid 4242, node 'node-other'\n";
  ASSERT_EQ(write(fd, holder.data(), holder.size()), static_cast<ssize_t>(holder.size()));

  const std::string message = message_of([&] { make_sqlite_store(path, {Durability::process, "node-1"}); });
  EXPECT_THAT(message, HasSubstr(path));
  EXPECT_THAT(message, HasSubstr("in use by another process"));
  EXPECT_THAT(message, HasSubstr("pid 4242, node 'node-other'"));
  close(fd);  // the holder is gone: the file opens
  EXPECT_NO_THROW(make_sqlite_store(path, {Durability::process, "node-1"}));
}

TEST_F(SqliteGuardTest, TheLockFileNamesThisProcessAndItsHolder) {
  auto store = make_sqlite_store(path, {Durability::machine, "node-7"});
  std::ifstream in(path + ".lock");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "pid " + std::to_string(getpid()) + ", node 'node-7'\n");
  auto second_in_this_process = make_sqlite_store(path, {Durability::machine, "node-7"});  // shares the lock
  EXPECT_EQ(store->durability(), Durability::machine);
}

TEST_F(SqliteGuardTest, AReadOnlyObserverReadsBesideTheHolderAndWritesNothing) {
  SqliteOptions read_only;
  read_only.read_only = true;
  EXPECT_THAT(message_of([&] { make_sqlite_store(path, read_only); }), HasSubstr("the database must exist"));
  EXPECT_FALSE(std::filesystem::exists(path)) << "a read-only open created the database";

  { make_sqlite_store(path); }
  // Another process holds the lock, as a running node would: the observer opens all the same.
  const int fd = open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX | LOCK_NB), 0);
  auto observer = make_sqlite_store(path, read_only);
  close(fd);
  auto writer = make_sqlite_store(path);
  ASSERT_THAT(writer->commit({create_write("wf-1", 1, "s1")}), ElementsAre(WriteResult::ok));
  auto seen = observer->load("wf-1");
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->snapshot, "s1");

  EXPECT_THAT(observer->commit({create_write("wf-2", 1, "s2")}), ElementsAre(WriteResult::unavailable));
  EXPECT_THAT(observer->fault(), HasSubstr("read-only"));
  EXPECT_THROW(observer->ledger_put("k", "v"), StoreUnavailable);
  EXPECT_EQ(observer->next_epoch(), 0u) << "below every writer's epoch";
  EXPECT_FALSE(writer->load("wf-2"));
  EXPECT_EQ(writer->fault(), "") << "the observer is no fault of the writer";
}

TEST_F(SqliteGuardTest, ADeletedDatabaseRefusesWritesNamingTheFile) {
  auto store = make_sqlite_store(path);
  ASSERT_THAT(store->commit({create_write("wf-1", 1, "s1")}), ElementsAre(WriteResult::ok));
  EXPECT_EQ(store->fault(), "");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);

  EXPECT_THAT(store->commit({create_write("wf-2", 1, "s2"), save_write("wf-1", 1, "s3")}),
              ElementsAre(WriteResult::unavailable, WriteResult::unavailable));
  EXPECT_THAT(store->fault(), HasSubstr(path));
  EXPECT_THAT(store->fault(), HasSubstr("deleted"));
  EXPECT_THROW(store->inbox_append("wf-1", "go", "{}", 1), StoreUnavailable);
  EXPECT_THROW(store->ledger_put("k", "v"), StoreUnavailable);
  EXPECT_THROW(store->next_epoch(), StoreUnavailable);
  EXPECT_FALSE(std::filesystem::exists(path)) << "nothing re-created";
}

TEST_F(SqliteGuardTest, AReplacedDatabaseRefusesWrites) {
  auto store = make_sqlite_store(path);
  ASSERT_THAT(store->commit({create_write("wf-1", 1, "s1")}), ElementsAre(WriteResult::ok));
  const std::string other = dir.file("other.db");
  { std::ofstream(other) << ""; }
  std::filesystem::rename(other, path);
  EXPECT_THAT(store->commit({save_write("wf-1", 1, "s2")}), ElementsAre(WriteResult::unavailable));
  EXPECT_THAT(store->fault(), HasSubstr("replaced"));
}

// ---- Redis: durability -----------------------------------------------------------------------

const RedisServer::Options kAlways{.persistent = true, .append_only_every_second = false};
const RedisServer::Options kEverysec{.persistent = false, .append_only_every_second = true};

// After the server dropped the store's connections: the first commit finds the connection gone
// (unavailable, as the store writer would retry it); the one returned reconnects.
std::vector<WriteResult> commit_after_reconnect(Store& store, const std::vector<WorkflowWrite>& writes) {
  EXPECT_THAT(store.commit(writes), Each(WriteResult::unavailable)) << "the connection was dropped";
  return store.commit(writes);
}

RedisOptions machine_on(const RedisServer& server) {
  RedisOptions options;
  options.port = server.port();
  options.key_prefix = "g:";
  options.durability = Durability::machine;
  return options;
}

TEST(RedisDurability, MachineRefusesAServerAtEverysecNamingTheSetting) {
  RedisServer server(kEverysec);
  const std::string message = message_of([&] { make_redis_store(machine_on(server)); });
  EXPECT_THAT(message, HasSubstr("appendfsync is 'everysec'"));
  EXPECT_THAT(message, HasSubstr("--appendonly yes --appendfsync always"));
  RedisOptions process = machine_on(server);
  process.durability = Durability::process;
  EXPECT_NO_THROW(make_redis_store(process));
}

TEST(RedisDurability, MachineRefusesAServerWithoutAppendOnly) {
  RedisServer server;
  EXPECT_THAT(message_of([&] { make_redis_store(machine_on(server)); }), HasSubstr("appendonly is 'no'"));
}

TEST(RedisDurability, MachineTakesAServerAtAlways) {
  RedisServer server(kAlways);
  auto store = make_redis_store(machine_on(server));
  EXPECT_THAT(store->commit({create_write("wf-1", 1, "s")}), ElementsAre(WriteResult::ok));
  EXPECT_EQ(store->fault(), "");
}

TEST(RedisDurability, ARenamedConfigCommandIsSaid) {
  RedisServer server(RedisServer::Options{.persistent = true, .append_only_every_second = false},
                     {"--rename-command", "CONFIG", ""});
  const std::string message = message_of([&] { make_redis_store(machine_on(server)); });
  EXPECT_THAT(message, HasSubstr("CONFIG is renamed or disabled"));
}

TEST(RedisDurability, EveryReconnectChecksAgain) {
  RedisServer server(kAlways);
  RawRedis raw(server.port());
  auto store = make_redis_store(machine_on(server));
  ASSERT_THAT(store->commit({create_write("wf-1", 1, "s")}), ElementsAre(WriteResult::ok));

  raw.text({"CONFIG", "SET", "appendfsync", "everysec"});
  raw.integer({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"});  // the store reconnects
  EXPECT_THAT(commit_after_reconnect(*store, {create_write("wf-2", 1, "s")}), ElementsAre(WriteResult::unavailable));
  EXPECT_THAT(store->fault(), HasSubstr("appendfsync is 'everysec'"));
  EXPECT_EQ(raw.integer({"EXISTS", "g:wf:wf-2"}), 0);

  raw.text({"CONFIG", "SET", "appendfsync", "always"});
  EXPECT_THAT(store->commit({create_write("wf-2", 1, "s")}), ElementsAre(WriteResult::ok));
  EXPECT_EQ(store->fault(), "");
}

TEST(RedisDurability, ReplicasMinHoldsTheAcknowledgementUntilAReplicaHasTheCommit) {
  // No delay before the sync of a new replica (Redis waits 5 s by default for more to come).
  RedisServer primary(kAlways, {"--repl-diskless-sync-delay", "0"});
  RedisOptions options = machine_on(primary);
  options.replicas_min = 1;
  options.replicas_timeout_ms = 100;
  auto store = make_redis_store(options);
  // No replica: applied on the primary but not acknowledged.
  EXPECT_THAT(store->commit({create_write("wf-1", 1, "s")}), ElementsAre(WriteResult::unavailable));

  // Without an AOF of its own: a replica writing its initial AOF refuses to shut down.
  RedisServer replica(RedisServer::Options{}, {"--replicaof", "127.0.0.1", std::to_string(primary.port())});
  // The replica syncs in the background: the commit is retried (as the store writer does) until
  // it is acknowledged, and then is a repeat of the applied write (ok, not exists).
  std::vector<WriteResult> results;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  do {
    results = store->commit({create_write("wf-1", 1, "s")});  // each waits up to replicas_timeout_ms
  } while (results.front() == WriteResult::unavailable && std::chrono::steady_clock::now() < deadline);
  EXPECT_THAT(results, ElementsAre(WriteResult::exists));
  // A replica slow to answer (a loaded machine) leaves this one unacknowledged too: retried alike.
  do {
    results = store->commit({save_write("wf-1", 1, "s2")});
  } while (results.front() == WriteResult::unavailable && std::chrono::steady_clock::now() < deadline);
  EXPECT_THAT(results, ElementsAre(WriteResult::ok));
  RawRedis on_replica(replica.port());
  EXPECT_EQ(on_replica.text({"HGET", "g:wf:wf-1", "snapshot"}), "s2") << "acknowledged means on the replica";
}

// ---- Redis: identity -------------------------------------------------------------------------

class RedisIdentityTest : public ::testing::Test {
 protected:
  RedisIdentityTest() : server(kAlways), raw(server.port()) {
    options = machine_on(server);
    store = make_redis_store(options);
  }

  RedisServer server;
  RawRedis raw;
  RedisOptions options;
  std::shared_ptr<Store> store;
};

TEST_F(RedisIdentityTest, TheFirstOpenWritesTheIdentityRecord) {
  EXPECT_EQ(raw.text({"HGET", "g:identity", "id"}).size(), 32u);
  EXPECT_EQ(raw.text({"HGET", "g:identity", "seq"}), "0");
  ASSERT_THAT(store->commit({create_write("wf-1", 1, "s")}), ElementsAre(WriteResult::ok));
  ASSERT_THAT(store->commit({save_write("wf-1", 1, "s2")}), ElementsAre(WriteResult::ok));
  EXPECT_EQ(raw.text({"HGET", "g:identity", "seq"}), "2") << "one a commit batch";
  const std::string id = raw.text({"HGET", "g:identity", "id"});
  auto another = make_redis_store(options);  // another node: the same store
  EXPECT_THAT(another->commit({save_write("wf-1", 1, "s3")}), ElementsAre(WriteResult::ok));
  EXPECT_EQ(raw.text({"HGET", "g:identity", "id"}), id);
}

TEST_F(RedisIdentityTest, FlushallRefusesWritesAndRecreatesNothing) {
  ASSERT_THAT(store->commit({create_write("wf-1", 1, "s")}), ElementsAre(WriteResult::ok));
  raw.text({"FLUSHALL"});
  EXPECT_THAT(store->commit({create_write("wf-2", 1, "s"), save_write("wf-1", 1, "s2")}),
              ElementsAre(WriteResult::unavailable, WriteResult::unavailable));
  EXPECT_THAT(store->fault(),
              HasSubstr("store identity record missing: the Redis data was flushed or replaced"));
  EXPECT_THAT(raw.strings({"KEYS", "*"}), IsEmpty()) << "nothing silently re-created";
  EXPECT_THROW(store->inbox_append("wf-1", "go", "{}", 1), StoreUnavailable);
  EXPECT_THROW(store->next_epoch(), StoreUnavailable);
  // It stays refused: an operator must act.
  EXPECT_THAT(store->commit({create_write("wf-3", 1, "s")}), ElementsAre(WriteResult::unavailable));
  EXPECT_THAT(raw.strings({"KEYS", "*"}), IsEmpty());
}

TEST_F(RedisIdentityTest, ADifferentRedisAfterAReconnectIsRefused) {
  ASSERT_THAT(store->commit({create_write("wf-1", 1, "s")}), ElementsAre(WriteResult::ok));
  // The data replaced by another store's (its own identity), then the connection drops.
  raw.text({"FLUSHALL"});
  raw.integer({"HSET", "g:identity", "id", "another-store", "seq", "7"});
  raw.integer({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"});
  EXPECT_THAT(commit_after_reconnect(*store, {save_write("wf-1", 1, "s2")}), ElementsAre(WriteResult::unavailable));
  EXPECT_THAT(store->fault(), HasSubstr("replaced"));
  EXPECT_EQ(raw.integer({"EXISTS", "g:wf:wf-1"}), 0);
}

// Redis restarted on an older copy of its append-only file: the store sees its commit sequence
// below the last one it acknowledged, refuses, and marks the record so that other nodes refuse too.
TEST_F(RedisIdentityTest, ARedisRestartedOnAnOlderAofIsSeenToHaveGoneBack) {
  ASSERT_THAT(store->commit({create_write("wf-1", 1, "s")}), ElementsAre(WriteResult::ok));
  const std::filesystem::path aof = std::filesystem::path(server.dir()) / "appendonlydir";
  const std::filesystem::path older = std::filesystem::path(server.dir()) / "appendonlydir.older";
  std::filesystem::copy(aof, older, std::filesystem::copy_options::recursive);
  ASSERT_THAT(store->commit({create_write("wf-2", 1, "s")}), ElementsAre(WriteResult::ok));
  ASSERT_THAT(store->commit({create_write("wf-3", 1, "s"), save_write("wf-1", 1, "s2")}),
              ElementsAre(WriteResult::ok, WriteResult::ok));

  server.kill9();
  std::filesystem::remove_all(aof);
  std::filesystem::rename(older, aof);
  server.restart();
  RawRedis after(server.port());
  ASSERT_EQ(after.integer({"EXISTS", "g:wf:wf-2"}), 0) << "the restarted Redis has the older data";
  ASSERT_EQ(after.integer({"EXISTS", "g:wf:wf-1"}), 1);

  EXPECT_THAT(commit_after_reconnect(*store, {create_write("wf-4", 1, "s")}), ElementsAre(WriteResult::unavailable));
  EXPECT_THAT(store->fault(), HasSubstr("went back in time"));
  EXPECT_THAT(store->fault(), HasSubstr("commit sequence 1"));
  EXPECT_THAT(store->fault(), HasSubstr("acknowledged sequence 3"));
  EXPECT_EQ(after.integer({"EXISTS", "g:wf:wf-4"}), 0);
  EXPECT_THAT(after.text({"HGET", "g:identity", "fault"}), HasSubstr("went back in time"));
  // Another node, which acknowledged nothing, refuses too.
  auto another = make_redis_store(options);
  EXPECT_THAT(another->commit({create_write("wf-5", 1, "s")}), ElementsAre(WriteResult::unavailable));
  EXPECT_THAT(another->fault(), HasSubstr("went back in time"));
}

}  // namespace
}  // namespace actorflow::testing
