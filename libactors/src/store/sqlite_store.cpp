#include "store/sqlite_lock.hpp"

#include <actorflow/logging.hpp>
#include <actorflow/store.hpp>

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace actorflow {
namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr size_t kListDefault = 100;  // list_workflows with limit 0
constexpr size_t kListMax = 1000;
// A row without a status was written by an older program after this file was opened (rows from
// before are given one when it is opened): listed by the same rule as those.
constexpr std::string_view kSelectSummaries =
    "SELECT id, COALESCE(definition, ''), COALESCE(version, 0), "
    "COALESCE(status, CASE WHEN live = 1 THEN 'running' ELSE 'completed' END), "
    "COALESCE(started_ms, 0), COALESCE(updated_ms, 0) FROM workflows ";

constexpr const char* kSchema = R"sql(
  CREATE TABLE IF NOT EXISTS workflows (
    id TEXT PRIMARY KEY,
    epoch INTEGER NOT NULL,
    snapshot BLOB NOT NULL,
    live INTEGER NOT NULL,
    last_write TEXT NOT NULL DEFAULT '',
    wake_at INTEGER NOT NULL DEFAULT 0,
    definition TEXT,
    version INTEGER,
    status TEXT,
    started_ms INTEGER,
    updated_ms INTEGER
  );
  CREATE INDEX IF NOT EXISTS workflows_by_live ON workflows(live);
  CREATE TABLE IF NOT EXISTS inbox (
    workflow_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    payload BLOB NOT NULL,
    at_ms INTEGER NOT NULL,
    PRIMARY KEY (workflow_id, seq)
  );
  CREATE TABLE IF NOT EXISTS schedules (
    id TEXT PRIMARY KEY,
    encoded BLOB NOT NULL
  );
  CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY,
    workflow_id TEXT NOT NULL,
    event BLOB NOT NULL,
    events INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX IF NOT EXISTS history_by_workflow ON history(workflow_id, seq);
  CREATE TABLE IF NOT EXISTS dead_letters (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    at_ms INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS ledger (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL
  );
  CREATE TABLE IF NOT EXISTS epochs (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    last_epoch INTEGER NOT NULL
  );
)sql";

struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

// Resets a cached statement and drops its bindings (bound strings are not copied) after one use.
class Use {
 public:
  explicit Use(const StatementPtr& statement) : statement_(statement.get()) {}
  ~Use() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  sqlite3_stmt* operator*() const { return statement_; }

 private:
  sqlite3_stmt* statement_;
};

// Several history events in one blob: each as its length (a LEB128 varint) and its bytes.
std::string pack_events(const std::vector<std::string>& events) {
  std::string packed;
  for (const auto& event : events) {
    for (uint64_t size = event.size(); ; size >>= 7) {
      packed.push_back(static_cast<char>((size & 0x7f) | (size >= 0x80 ? 0x80 : 0)));
      if (size < 0x80) break;
    }
    packed += event;
  }
  return packed;
}

// Appends the events of a packed blob to `events`; false when the blob is malformed.
bool unpack_events(std::string_view packed, std::vector<std::string>& events) {
  size_t at = 0;
  while (at < packed.size()) {
    uint64_t size = 0;
    for (int shift = 0;; shift += 7) {
      if (at >= packed.size() || shift > 63) return false;
      const auto byte = static_cast<unsigned char>(packed[at++]);
      size |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) break;
    }
    if (size > packed.size() - at) return false;
    events.emplace_back(packed.substr(at, size));
    at += size;
  }
  return true;
}

std::string column_bytes(sqlite3_stmt* statement, int column) {
  // sqlite3_column_blob must come before sqlite3_column_bytes (see the SQLite docs).
  const auto* data = static_cast<const char*>(sqlite3_column_blob(statement, column));
  const int size = sqlite3_column_bytes(statement, column);
  return data == nullptr ? std::string{} : std::string(data, static_cast<size_t>(size));
}

// Which file a path names: a database deleted, or replaced by another file, while it is open has
// writes going into an inode nobody will open again.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, const SqliteOptions& options)
      : path_(std::move(path)),
        options_(options),
        lock_(options.read_only ? nullptr : SqliteLock::acquire(path_, options.holder)) {
    const int flags = options.read_only ? SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
                                        : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path_.c_str(), &db, flags, nullptr);
    db_.reset(db);  // sqlite3_open_v2 may hand back a handle even when it fails
    if (rc != SQLITE_OK) fail(options.read_only ? "open read-only (the database must exist)" : "open");
    sqlite3_busy_timeout(db_.get(), kBusyTimeoutMs);
    if (const auto opened = identity_now()) opened_ = *opened;
    else fail("stat after open: " + std::string(std::strerror(errno)));
    if (options.read_only) {
      fault_ = "sqlite store '" + path_ + "': opened read-only: writes refused";
      prepare_statements();
      return;
    }
    execute("PRAGMA journal_mode=WAL", "enable WAL");
    // FULL: the WAL is synced at every commit (one fsync per commit batch), so an acknowledged
    // commit survives a power loss; NORMAL syncs only at checkpoints.
    execute(options_.durability == Durability::machine ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
            "set synchronous");
    execute("BEGIN IMMEDIATE", "create schema");
    try {
      execute(kSchema, "create schema");
      add_missing_columns();
      execute("CREATE INDEX IF NOT EXISTS workflows_by_wake ON workflows(wake_at) WHERE wake_at > 0", "create schema");
      execute("CREATE INDEX IF NOT EXISTS workflows_by_status ON workflows(status, id)", "create schema");
      summarise_old_rows();
      execute("COMMIT", "create schema");
    } catch (...) {
      rollback();
      throw;
    }
    prepare_statements();
  }

  std::string fault() const override {
    std::lock_guard lock(fault_mutex_);
    if (fault_.empty()) check_file_locked();
    return fault_;
  }

  std::optional<Durability> durability() const override { return options_.durability; }
  std::string_view kind() const override { return "sqlite"; }

  std::vector<WriteResult> commit(const std::vector<WorkflowWrite>& batch) override {
    if (!fault().empty()) return std::vector<WriteResult>(batch.size(), WriteResult::unavailable);
    std::lock_guard lock(mutex_);
    std::vector<WriteResult> results;
    results.reserve(batch.size());
    try {
      run(begin_, "begin commit");
      for (const auto& write : batch) results.push_back(apply(write));
      run(commit_, "commit");
    } catch (const StoreUnavailable& e) {
      rollback();
      std::lock_guard problem_lock(fault_mutex_);
      commit_problem_ = e.what();
      return std::vector<WriteResult>(batch.size(), WriteResult::unavailable);
    } catch (...) {
      rollback();
      throw;
    }
    std::lock_guard problem_lock(fault_mutex_);
    commit_problem_.clear();
    return results;
  }

  std::string commit_problem() const override {
    std::lock_guard lock(fault_mutex_);
    return commit_problem_;
  }

  uint64_t next_epoch() override {
    if (options_.read_only) return 0;  // below every writer's epoch: an engine on it reads only
    refuse_if_faulted();
    std::lock_guard lock(mutex_);
    Use use(next_epoch_);
    if (!step_row(*use, "next_epoch")) fail("next_epoch: no row returned");
    const auto epoch = static_cast<uint64_t>(sqlite3_column_int64(*use, 0));
    step_done(*use, "next_epoch");  // completes the statement, which commits it
    return epoch;
  }

  std::optional<StoredSnapshot> load(const std::string& workflow_id) const override {
    std::lock_guard lock(mutex_);
    Use use(load_);
    bind_text(*use, 1, workflow_id);
    if (!step_row(*use, "load")) return std::nullopt;
    return StoredSnapshot{column_bytes(*use, 0), static_cast<uint64_t>(sqlite3_column_int64(*use, 1))};
  }

  std::vector<std::string> live_workflows() const override {
    std::lock_guard lock(mutex_);
    Use use(live_workflows_);
    std::vector<std::string> ids;
    while (step_row(*use, "live_workflows")) ids.push_back(column_bytes(*use, 0));
    return ids;
  }

  std::vector<std::string> history(const std::string& workflow_id) const override {
    std::lock_guard lock(mutex_);
    Use use(history_);
    bind_text(*use, 1, workflow_id);
    std::vector<std::string> events;
    while (step_row(*use, "history")) {
      std::string bytes = column_bytes(*use, 0);
      if (sqlite3_column_int(*use, 1) == 1) {
        events.push_back(std::move(bytes));
      } else if (!unpack_events(bytes, events)) {
        throw StoreUnavailable("sqlite store '" + path_ + "': history of '" + workflow_id + "' has a malformed entry");
      }
    }
    return events;
  }

  std::vector<WorkflowSummary> list_workflows(const WorkflowFilter& filter) const override {
    const size_t limit = filter.limit == 0 ? kListDefault : std::min(filter.limit, kListMax);
    const std::string status = filter.status ? std::string(to_string(*filter.status)) : std::string{};
    std::lock_guard lock(mutex_);
    Use use(filter.status ? list_by_status_ : list_all_);
    bind_text(*use, 1, filter.after_id);
    if (filter.status) bind_text(*use, 2, status);
    bind_text(*use, 3, filter.definition);
    sqlite3_bind_int64(*use, 4, static_cast<sqlite3_int64>(limit));
    std::vector<WorkflowSummary> page;
    while (step_row(*use, "list_workflows")) {
      WorkflowSummary summary;
      summary.id = column_bytes(*use, 0);
      summary.definition = column_bytes(*use, 1);
      summary.version = sqlite3_column_int(*use, 2);
      summary.status = status_of(column_bytes(*use, 3), "list_workflows: workflow '" + summary.id + "'");
      summary.started_ms = sqlite3_column_int64(*use, 4);
      summary.updated_ms = sqlite3_column_int64(*use, 5);
      page.push_back(std::move(summary));
    }
    return page;
  }

  std::vector<std::pair<WorkflowStatus, uint64_t>> count_by_status() const override {
    std::lock_guard lock(mutex_);
    Use use(count_by_status_);
    std::vector<std::pair<WorkflowStatus, uint64_t>> counts;
    while (step_row(*use, "count_by_status")) {
      counts.emplace_back(status_of(column_bytes(*use, 0), "count_by_status"),
                          static_cast<uint64_t>(sqlite3_column_int64(*use, 1)));
    }
    std::sort(counts.begin(), counts.end());
    return counts;
  }

  std::vector<DeadLetter> dead_letters() const override {
    std::lock_guard lock(mutex_);
    Use use(dead_letters_);
    std::vector<DeadLetter> entries;
    while (step_row(*use, "dead_letters")) {
      entries.push_back({column_bytes(*use, 0), column_bytes(*use, 1), sqlite3_column_int64(*use, 2)});
    }
    return entries;
  }

  uint64_t inbox_append(const std::string& workflow_id, const std::string& name, const std::string& payload,
                        int64_t at_ms) override {
    refuse_if_faulted();
    std::lock_guard lock(mutex_);
    Use use(inbox_append_);
    bind_text(*use, 1, workflow_id);
    bind_text(*use, 2, name);
    bind_blob(*use, 3, payload);
    sqlite3_bind_int64(*use, 4, at_ms);
    if (!step_row(*use, "inbox_append")) fail("inbox_append: no row returned");
    const auto seq = static_cast<uint64_t>(sqlite3_column_int64(*use, 0));
    step_done(*use, "inbox_append");
    return seq;
  }

  std::vector<InboxSignal> inbox_after(const std::string& workflow_id, uint64_t after_seq) const override {
    std::lock_guard lock(mutex_);
    Use use(inbox_after_);
    bind_text(*use, 1, workflow_id);
    sqlite3_bind_int64(*use, 2, static_cast<sqlite3_int64>(after_seq));
    std::vector<InboxSignal> signals;
    while (step_row(*use, "inbox_after")) {
      signals.push_back({static_cast<uint64_t>(sqlite3_column_int64(*use, 0)), column_bytes(*use, 1),
                         column_bytes(*use, 2), sqlite3_column_int64(*use, 3)});
    }
    return signals;
  }

  std::vector<WakeUp> wake_ups_until(int64_t until_ms, size_t limit) const override {
    std::lock_guard lock(mutex_);
    Use use(wake_ups_);
    sqlite3_bind_int64(*use, 1, until_ms);
    sqlite3_bind_int64(*use, 2, static_cast<sqlite3_int64>(limit));
    std::vector<WakeUp> due;
    while (step_row(*use, "wake_ups_until")) due.push_back({column_bytes(*use, 0), sqlite3_column_int64(*use, 1)});
    return due;
  }

  void schedule_put(const std::string& id, const std::string& encoded) override {
    refuse_if_faulted();
    std::lock_guard lock(mutex_);
    Use use(schedule_put_);
    bind_text(*use, 1, id);
    bind_blob(*use, 2, encoded);
    step_done(*use, "schedule_put");
  }

  bool schedule_erase(const std::string& id) override {
    std::lock_guard lock(mutex_);
    Use use(schedule_erase_);
    bind_text(*use, 1, id);
    step_done(*use, "schedule_erase");
    return sqlite3_changes(db_.get()) == 1;
  }

  std::vector<std::pair<std::string, std::string>> schedules() const override {
    std::lock_guard lock(mutex_);
    Use use(schedules_);
    std::vector<std::pair<std::string, std::string>> entries;
    while (step_row(*use, "schedules")) entries.emplace_back(column_bytes(*use, 0), column_bytes(*use, 1));
    return entries;
  }

  std::optional<std::string> ledger_get(const std::string& key) const override {
    std::lock_guard lock(mutex_);
    Use use(ledger_get_);
    bind_text(*use, 1, key);
    if (!step_row(*use, "ledger_get")) return std::nullopt;
    return column_bytes(*use, 0);
  }

  bool ledger_put(const std::string& key, const std::string& value) override {
    refuse_if_faulted();
    std::lock_guard lock(mutex_);
    Use use(ledger_put_);
    bind_text(*use, 1, key);
    bind_blob(*use, 2, value);
    step_done(*use, "ledger_put");
    return sqlite3_changes(db_.get()) == 1;
  }

  std::vector<std::pair<std::string, std::string>> ledger_scan(const std::string& key_prefix) const override {
    std::lock_guard lock(mutex_);
    Use use(ledger_scan_);
    bind_text(*use, 1, key_prefix);
    std::vector<std::pair<std::string, std::string>> entries;
    // Keys sort bytewise, so the matches are the run of keys from the prefix on.
    while (step_row(*use, "ledger_scan")) {
      std::string key = column_bytes(*use, 0);
      if (!std::string_view(key).starts_with(key_prefix)) break;
      entries.emplace_back(std::move(key), column_bytes(*use, 1));
    }
    return entries;
  }

 private:
  void prepare_statements() {
    begin_ = prepare("BEGIN IMMEDIATE");
    commit_ = prepare("COMMIT");
    upsert_ = prepare(
        "INSERT INTO workflows(id, epoch, snapshot, live, last_write, wake_at, definition, version, status, "
        "started_ms, updated_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
        "ON CONFLICT(id) DO UPDATE SET epoch = excluded.epoch, snapshot = excluded.snapshot, live = excluded.live, "
        "last_write = excluded.last_write, wake_at = excluded.wake_at, definition = excluded.definition, "
        "version = excluded.version, status = excluded.status, started_ms = excluded.started_ms, "
        "updated_ms = excluded.updated_ms WHERE workflows.epoch <= excluded.epoch");
    // Parameters as upsert_'s; live (?4), wake_at (?6) and status (?9) are left as stored.
    update_unindexed_ = prepare(
        "UPDATE workflows SET epoch = ?2, snapshot = ?3, last_write = ?5, definition = ?7, version = ?8, "
        "started_ms = ?10, updated_ms = ?11 WHERE id = ?1");
    stored_row_ = prepare("SELECT epoch, last_write, live, wake_at, status FROM workflows WHERE id = ?1");
    create_ = prepare(
        "INSERT INTO workflows(id, epoch, snapshot, live, last_write, wake_at, definition, version, status, "
        "started_ms, updated_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
        "ON CONFLICT(id) DO NOTHING");
    // ?3 = '': any definition. Two statements, so that a status filter can use workflows_by_status.
    list_all_ = prepare(std::string(kSelectSummaries) +
                        "WHERE id > ?1 AND (?3 = '' OR definition = ?3) ORDER BY id LIMIT ?4");
    list_by_status_ = prepare(std::string(kSelectSummaries) +
                              "WHERE status = ?2 AND id > ?1 AND (?3 = '' OR definition = ?3) ORDER BY id LIMIT ?4");
    count_by_status_ = prepare("SELECT status, COUNT(*) FROM workflows WHERE status IS NOT NULL GROUP BY status");
    clear_dead_letter_ = prepare("DELETE FROM dead_letters WHERE workflow_id = ?1");
    inbox_append_ = prepare(
        "INSERT INTO inbox(workflow_id, seq, name, payload, at_ms) "
        "SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4 FROM inbox WHERE workflow_id = ?1 RETURNING seq");
    inbox_after_ = prepare("SELECT seq, name, payload, at_ms FROM inbox WHERE workflow_id = ?1 AND seq > ?2 ORDER BY seq");
    wake_ups_ = prepare(
        "SELECT id, wake_at FROM workflows WHERE wake_at > 0 AND wake_at <= ?1 AND live = 1 ORDER BY wake_at LIMIT ?2");
    schedule_put_ = prepare(
        "INSERT INTO schedules(id, encoded) VALUES(?1, ?2) ON CONFLICT(id) DO UPDATE SET encoded = excluded.encoded");
    schedule_erase_ = prepare("DELETE FROM schedules WHERE id = ?1");
    schedules_ = prepare("SELECT id, encoded FROM schedules ORDER BY id");
    last_write_ = prepare("SELECT last_write FROM workflows WHERE id = ?1");
    append_history_ = prepare("INSERT INTO history(workflow_id, event, events) VALUES(?1, ?2, ?3)");
    add_dead_letter_ = prepare("INSERT INTO dead_letters(workflow_id, reason, at_ms) VALUES(?1, ?2, ?3)");
    next_epoch_ = prepare(
        "INSERT INTO epochs(id, last_epoch) VALUES(0, 1) "
        "ON CONFLICT(id) DO UPDATE SET last_epoch = last_epoch + 1 RETURNING last_epoch");
    load_ = prepare("SELECT snapshot, epoch FROM workflows WHERE id = ?1");
    live_workflows_ = prepare("SELECT id FROM workflows WHERE live = 1 ORDER BY id");
    history_ = prepare("SELECT event, events FROM history WHERE workflow_id = ?1 ORDER BY seq");
    dead_letters_ = prepare("SELECT workflow_id, reason, at_ms FROM dead_letters ORDER BY seq");
    ledger_get_ = prepare("SELECT value FROM ledger WHERE key = ?1");
    ledger_put_ = prepare("INSERT INTO ledger(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO NOTHING");
    ledger_scan_ = prepare("SELECT key, value FROM ledger WHERE key >= ?1 ORDER BY key");
  }

  std::optional<FileIdentity> identity_now() const {
    struct stat st {};
    if (stat(path_.c_str(), &st) != 0) return std::nullopt;
    return FileIdentity{st.st_dev, st.st_ino};
  }

  // Sets fault_ when the path no longer names the file opened. fault_mutex_ held.
  void check_file_locked() const {
    const auto now = identity_now();
    std::string what;
    if (!now && errno == ENOENT) what = "was deleted while open";
    else if (!now) what = "cannot be checked (stat: " + std::string(std::strerror(errno)) + ")";
    else if (now->device != opened_.device || now->inode != opened_.inode) what = "was replaced by another file while open";
    if (what.empty()) return;
    fault_ = "sqlite store '" + path_ + "': the database file " + what +
             ": writes refused (they would go to a file nobody opens again); restore the file and restart the node";
    log_json(spdlog::level::err, {{"event", "store_file_gone"}, {"path", path_}, {"detail", fault_}});
  }

  void refuse_if_faulted() const {
    if (std::string reason = fault(); !reason.empty()) throw StoreUnavailable(reason);
  }

  struct DbDeleter {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };

  // One write inside the open transaction. A transition that leaves the workflow's status, live
  // flag and wake-up time as they are updates the row without those columns, so that SQLite does
  // not rewrite the entries of the indexes on them (most transitions of a running workflow).
  WriteResult apply(const WorkflowWrite& write) {
    const std::string status(to_string(write.summary.status));
    const int64_t wake_at_ms = write.live ? write.wake_at_ms : 0;
    bool indexes_unchanged = false;
    if (!write.create) {
      Use use(stored_row_);
      bind_text(*use, 1, write.workflow_id);
      if (step_row(*use, "read stored row")) {
        if (!write.write_id.empty() && column_bytes(*use, 1) == write.write_id) return WriteResult::ok;  // a repeat
        if (static_cast<uint64_t>(sqlite3_column_int64(*use, 0)) > write.epoch) return WriteResult::stale_epoch;
        indexes_unchanged = sqlite3_column_int(*use, 2) == (write.live ? 1 : 0) &&
                            sqlite3_column_int64(*use, 3) == wake_at_ms && column_bytes(*use, 4) == status;
      }
    }
    {
      Use use(write.create ? create_ : indexes_unchanged ? update_unindexed_ : upsert_);
      bind_text(*use, 1, write.workflow_id);
      sqlite3_bind_int64(*use, 2, static_cast<sqlite3_int64>(write.epoch));
      bind_blob(*use, 3, write.snapshot);
      sqlite3_bind_int(*use, 4, write.live ? 1 : 0);
      bind_text(*use, 5, write.write_id);
      sqlite3_bind_int64(*use, 6, wake_at_ms);
      bind_text(*use, 7, write.summary.definition);
      sqlite3_bind_int(*use, 8, write.summary.version);
      bind_text(*use, 9, status);
      sqlite3_bind_int64(*use, 10, write.summary.started_ms);
      sqlite3_bind_int64(*use, 11, write.summary.updated_ms);
      step_done(*use, "write workflow");
      if (sqlite3_changes(db_.get()) == 0) {
        // A create of an existing workflow (or a repeat of it: the row keeps its write id).
        if (!write.write_id.empty() && last_write_of(write.workflow_id) == write.write_id) return WriteResult::ok;
        return write.create ? WriteResult::exists : WriteResult::stale_epoch;
      }
    }
    if (!write.history.empty()) {
      // The events of one write are one row: one insert, not one an event.
      const std::string packed = write.history.size() == 1 ? std::string() : pack_events(write.history);
      Use use(append_history_);
      bind_text(*use, 1, write.workflow_id);
      bind_blob(*use, 2, write.history.size() == 1 ? write.history.front() : packed);
      sqlite3_bind_int64(*use, 3, static_cast<sqlite3_int64>(write.history.size()));
      step_done(*use, "append history");
    }
    if (write.clear_dead_letter) {
      Use use(clear_dead_letter_);
      bind_text(*use, 1, write.workflow_id);
      step_done(*use, "clear dead letter");
    }
    if (write.dead_letter) {
      Use use(add_dead_letter_);
      bind_text(*use, 1, write.dead_letter->workflow_id);
      bind_text(*use, 2, write.dead_letter->reason);
      sqlite3_bind_int64(*use, 3, write.dead_letter->at_ms);
      step_done(*use, "add dead letter");
    }
    return WriteResult::ok;
  }

  std::string last_write_of(const std::string& workflow_id) {
    Use use(last_write_);
    bind_text(*use, 1, workflow_id);
    return step_row(*use, "read last write") ? column_bytes(*use, 0) : std::string{};
  }

  std::set<std::string> columns_of(const std::string& table) {
    std::set<std::string> present;
    sqlite3_stmt* raw = nullptr;
    const std::string sql = "PRAGMA table_info(" + table + ")";
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) fail("read schema");
    StatementPtr columns(raw);
    while (step_row(columns.get(), "read schema")) present.insert(column_bytes(columns.get(), 1));
    return present;
  }

  // Files made before a column existed get it, with its default (the summary's have none: NULL
  // until summarise_old_rows).
  void add_missing_columns() {
    const std::set<std::string> present = columns_of("workflows");
    if (!columns_of("history").count("events"))
      execute("ALTER TABLE history ADD COLUMN events INTEGER NOT NULL DEFAULT 1", "add column history.events");
    if (!present.count("last_write"))
      execute("ALTER TABLE workflows ADD COLUMN last_write TEXT NOT NULL DEFAULT ''", "add column last_write");
    if (!present.count("wake_at"))
      execute("ALTER TABLE workflows ADD COLUMN wake_at INTEGER NOT NULL DEFAULT 0", "add column wake_at");
    for (const char* column : {"definition TEXT", "version INTEGER", "status TEXT", "started_ms INTEGER",
                               "updated_ms INTEGER"}) {
      const std::string_view name = std::string_view(column).substr(0, std::string_view(column).find(' '));
      if (present.count(std::string(name))) continue;
      const std::string sql = "ALTER TABLE workflows ADD COLUMN " + std::string(column);
      execute(sql.c_str(), "add column " + std::string(name));
    }
  }

  // Rows written before summaries were kept (or by an older program since): an empty definition,
  // running when live, else completed. Found through workflows_by_status, so cheap when none.
  void summarise_old_rows() {
    execute(
        "UPDATE workflows SET definition = COALESCE(definition, ''), version = COALESCE(version, 0), "
        "status = CASE WHEN live = 1 THEN 'running' ELSE 'completed' END, "
        "started_ms = COALESCE(started_ms, 0), updated_ms = COALESCE(updated_ms, 0) WHERE status IS NULL",
        "summarise rows without a summary");
  }

  WorkflowStatus status_of(const std::string& text, const std::string& what) const {
    auto status = parse_workflow_status(text);
    if (!status) throw StoreUnavailable("sqlite store '" + path_ + "': " + what + ": unknown status '" + text + "'");
    return *status;
  }

  [[noreturn]] void fail(std::string_view what) const {
    const char* message = db_ ? sqlite3_errmsg(db_.get()) : "out of memory";
    throw StoreUnavailable("sqlite store '" + path_ + "': " + std::string(what) + ": " + message);
  }

  void run(const StatementPtr& statement, std::string_view what) {
    Use use(statement);
    step_done(*use, what);
  }

  void execute(const char* sql, std::string_view what) {
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(what);
  }

  void rollback() {
    // SQLite rolls back by itself after some errors (e.g. I/O errors); only roll back what is open.
    if (!sqlite3_get_autocommit(db_.get())) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }

  StatementPtr prepare(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v3(db_.get(), sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK) {
      fail("prepare");
    }
    return StatementPtr(statement);
  }

  // Steps once: true on a row, false when done; throws on errors.
  bool step_row(sqlite3_stmt* statement, std::string_view what) const {
    const int rc = sqlite3_step(statement);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(what);
  }

  void step_done(sqlite3_stmt* statement, std::string_view what) const {
    if (sqlite3_step(statement) != SQLITE_DONE) fail(what);
  }

  // Bound without copying: Use clears the bindings before the strings can go away.
  void bind_text(sqlite3_stmt* statement, int index, const std::string& text) const {
    if (sqlite3_bind_text64(statement, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8) != SQLITE_OK) {
      fail("bind");
    }
  }
  void bind_blob(sqlite3_stmt* statement, int index, const std::string& bytes) const {
    if (sqlite3_bind_blob64(statement, index, bytes.data(), bytes.size(), SQLITE_STATIC) != SQLITE_OK) fail("bind");
  }

  const std::string path_;
  const SqliteOptions options_;
  std::shared_ptr<SqliteLock> lock_;  // taken before the database is opened; released after it is closed
  FileIdentity opened_;
  mutable std::mutex fault_mutex_;
  mutable std::string fault_;  // set once, when the file is found gone or replaced
  std::string commit_problem_;
  mutable std::mutex mutex_;
  std::unique_ptr<sqlite3, DbDeleter> db_;
  // Declared after db_ so they are finalized before the connection closes.
  StatementPtr begin_, commit_, upsert_, create_, update_unindexed_, stored_row_, last_write_, append_history_,
      add_dead_letter_, next_epoch_;
  StatementPtr clear_dead_letter_;
  StatementPtr load_, live_workflows_, history_, dead_letters_, list_all_, list_by_status_, count_by_status_;
  StatementPtr ledger_get_, ledger_put_, ledger_scan_;
  StatementPtr inbox_append_, inbox_after_, wake_ups_, schedule_put_, schedule_erase_, schedules_;
};

}  // namespace

std::shared_ptr<Store> make_sqlite_store(const std::string& path, const SqliteOptions& options) {
  return std::make_shared<SqliteStore>(path, options);
}

}  // namespace actorflow
