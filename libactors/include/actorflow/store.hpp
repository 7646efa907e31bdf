#pragma once
// Where workflows live. Per workflow: a snapshot (bytes the engine encodes), its owner's fencing
// epoch, its history (encoded events, in order) and whether it is live (not terminal). Plus
// dead-letter entries and an idempotency ledger. Implementations are thread-safe; reads may run on
// any thread, commits come from one store-writer thread at a time.
#include <actorflow/export.hpp>
#include <actorflow/status.hpp>
#include <actorflow/workflow_status.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ACTORFLOW_API actorflow {

// Thrown by reads (and reported by commits) when the backend cannot be reached.
class StoreUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Everything one transition of one workflow writes.
struct WorkflowWrite {
  std::string workflow_id;
  uint64_t epoch = 0;                 // the writer's fencing epoch
  bool create = false;                // first write: refused when the workflow exists
  std::string snapshot;               // replaces the stored snapshot
  bool live = true;                   // kept in the live index; false once terminal
  std::vector<std::string> history;   // encoded events appended, in order
  std::optional<DeadLetter> dead_letter;
  // When the workflow next needs to run although nothing is sent to it (a durable timer, a
  // signal's deadline, a retry): kept in an index by time. 0: no such time.
  int64_t wake_at_ms = 0;
  // Names this write uniquely (the store writer sets it). A commit retried after it was applied
  // but its acknowledgement was lost finds the id already stored and is reported ok, applied once.
  std::string write_id;
  // What lists and counts of workflows show, kept beside the snapshot (the store never decodes it).
  // Stored when the write is accepted; its id is taken from workflow_id.
  WorkflowSummary summary;
  // Removes the workflow's dead-letter entries (a dead-lettered workflow that is retried); a
  // dead_letter in the same write is added after, so it stays. A refused write clears nothing.
  bool clear_dead_letter = false;
  // In a cluster, the workflow's shard (-1: not sharded). A sharded write is refused as
  // stale_epoch unless its epoch is at least the newest lease epoch granted for the shard
  // (coordination.hpp), so a node that lost the shard cannot write it any more.
  int shard = -1;
  // The inbox entries taken so far (the snapshot's): a store that indexes signalled workflows
  // drops the workflow from that index once every signal in its inbox is taken.
  uint64_t inbox_seen = 0;
};

// How much of what a store has acknowledged survives a crash (store.durability). Each level says
// exactly what it survives (README "Durability"):
//   process: a crash (kill -9) of this process or of redis-server. Not a crash of the machine
//            (power loss, kernel panic): SQLite synchronous=NORMAL may lose the last commits; Redis
//            with appendfsync everysec up to about a second of them.
//   machine: also a crash of the machine: a commit is acknowledged only after it is on disk
//            (SQLite synchronous=FULL; Redis appendonly yes + appendfsync always, checked at
//            connect, and WAIT for RedisOptions::replicas_min replicas when set).
enum class Durability { process, machine };
std::string_view to_string(Durability durability);
std::optional<Durability> parse_durability(std::string_view text);
// One sentence saying what the level survives on a store of `kind` ("sqlite", "redis", "memory").
std::string durability_survives(Durability durability, std::string_view kind);

enum class WriteResult {
  ok,
  exists,       // create refused: the workflow exists (nothing written)
  stale_epoch,  // refused: the stored epoch is newer than the write's (nothing written)
  unavailable,  // the backend could not be reached (nothing written; retry)
};
std::string_view to_string(WriteResult result);

struct StoredSnapshot {
  std::string snapshot;
  uint64_t epoch = 0;
};

// A signal in a workflow's inbox. Sequence numbers count from 1 per workflow.
struct InboxSignal {
  uint64_t seq = 0;
  std::string name;
  std::string payload;  // JSON text
  int64_t at_ms = 0;
};

// Which workflows Store::list_workflows returns: all of them, or those in one status and/or of one
// definition; ordered by id, at most `limit`, starting after `after_id` (a page's last id).
struct WorkflowFilter {
  std::optional<WorkflowStatus> status;
  std::string definition;  // empty: any
  std::string after_id;    // empty: from the first
  size_t limit = 100;      // 0 means 100; more than 1000 means 1000
};

struct WakeUp {
  std::string workflow_id;
  int64_t at_ms = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Why the store refuses every write until an operator acts (its file was deleted or replaced,
  // its Redis data was flushed, replaced or went back in time, ...); empty while it is healthy.
  // Cheap: /healthz asks it on every request.
  virtual std::string fault() const { return {}; }

  // Why the last commit was not taken (answered unavailable), e.g. "database or disk is full";
  // empty once one is taken. For the answer of a start that waited too long.
  virtual std::string commit_problem() const { return {}; }

  // "memory", "sqlite", "redis" (or another name of a store of its own): for logs.
  virtual std::string_view kind() const { return "custom"; }
  // The durability the store was opened with; nullopt for a store that keeps nothing (memory).
  virtual std::optional<Durability> durability() const { return std::nullopt; }

  // Whether calls may block the calling thread (I/O, a server, a file lock): then the engine makes
  // them only from threads of their own, never from its actor scheduler. A store that answers
  // from memory says false, and the engine saves a thread switch per commit.
  virtual bool calls_block() const { return true; }

  // Applies the writes in one commit (one transaction / one pipeline) and returns one result per
  // write, in order. A refused write (exists, stale_epoch) leaves the others unaffected. A write
  // is accepted when its epoch >= the stored epoch, and then stores its epoch. A write whose
  // write_id equals the workflow's last applied write_id is a repeat: ok, nothing written.
  virtual std::vector<WriteResult> commit(const std::vector<WorkflowWrite>& batch) = 0;

  // A new fencing epoch, greater than every epoch handed out before (by any process).
  virtual uint64_t next_epoch() = 0;

  virtual std::optional<StoredSnapshot> load(const std::string& workflow_id) const = 0;
  virtual std::vector<std::string> live_workflows() const = 0;
  virtual std::vector<std::string> history(const std::string& workflow_id) const = 0;
  virtual std::vector<DeadLetter> dead_letters() const = 0;

  // Workflows by id, as their latest write's summary says. A workflow written before summaries
  // were kept lists with an empty definition, status running (live) or completed (not live).
  virtual std::vector<WorkflowSummary> list_workflows(const WorkflowFilter& filter) const = 0;
  // How many workflows are in each status (statuses with none are left out).
  virtual std::vector<std::pair<WorkflowStatus, uint64_t>> count_by_status() const = 0;

  // Signal inbox: appended durably (returns the signal's sequence number); read from a sequence
  // number on. Signals stay until the workflow's store entries are gone.
  virtual uint64_t inbox_append(const std::string& workflow_id, const std::string& name, const std::string& payload,
                                int64_t at_ms) = 0;
  virtual std::vector<InboxSignal> inbox_after(const std::string& workflow_id, uint64_t after_seq) const = 0;

  // Live workflows whose wake_at_ms is set and <= until_ms, earliest first, at most `limit`.
  virtual std::vector<WakeUp> wake_ups_until(int64_t until_ms, size_t limit) const = 0;

  // Live workflows whose inbox may hold signals they have not taken (at most `limit`, in no
  // order): where several processes share the store, a signal appended by one reaches the owner
  // of its workflow through this index even when the direct notice was lost. A workflow leaves it
  // when a commit shows every signal taken, or when it is no longer live. Stores that only one
  // process uses (memory, SQLite) keep no such index and return nothing.
  virtual std::vector<std::string> signalled_workflows(size_t limit) {
    (void)limit;
    return {};
  }

  // Schedules (cron): id -> encoded schedule. put replaces; erase returns false when missing.
  virtual void schedule_put(const std::string& id, const std::string& encoded) = 0;
  virtual bool schedule_erase(const std::string& id) = 0;
  virtual std::vector<std::pair<std::string, std::string>> schedules() const = 0;

  // Idempotency ledger: `key` -> recorded result. put returns false (and keeps the first value)
  // when `key` is already recorded.
  virtual std::optional<std::string> ledger_get(const std::string& key) const = 0;
  virtual bool ledger_put(const std::string& key, const std::string& value) = 0;
  virtual std::vector<std::pair<std::string, std::string>> ledger_scan(const std::string& key_prefix) const = 0;
};

// Everything in memory: for tests and for benchmarks of the engine alone.
std::shared_ptr<Store> make_memory_store();

struct SqliteOptions {
  Durability durability = Durability::process;  // process: synchronous=NORMAL; machine: FULL
  // Written into the lock file beside the database (with the pid): names who holds it, e.g. the
  // node id, in the error another process gets.
  std::string holder;
  // true: an observer beside the process that writes (the database must exist): no lock, no
  // schema change, every write refused (fault() says so), next_epoch() is 0 (below every
  // writer's), so an Engine on it answers queries only. WAL lets it read while the other writes.
  bool read_only = false;
};
// SQLite file at `path` (created when missing), WAL mode. One process at a time: an exclusive
// flock on `<path>.lock` (holding the holder's pid and name) is taken at open; another process
// opening the same file gets StoreUnavailable naming the holder (stores of one process share the
// lock). A commit first checks that `path` is still the file it opened (not deleted nor replaced):
// if not, every write is refused from then on (fault() says why).
// Throws StoreUnavailable naming the path when it cannot be opened.
std::shared_ptr<Store> make_sqlite_store(const std::string& path, const SqliteOptions& options = {});

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string key_prefix = "af:";   // every key starts with this
  int connect_timeout_ms = 1000;
  int command_timeout_ms = 5000;
  // machine: every (re)connect checks CONFIG GET appendonly = yes and appendfsync = always, and
  // refuses writes (the store's constructor: throws) otherwise, naming the setting.
  Durability durability = Durability::process;
  // > 0: each commit is followed by WAIT replicas_min replicas_timeout_ms; fewer replicas
  // answering means the commit is not acknowledged (unavailable; retried, applied once).
  int replicas_min = 0;
  int replicas_timeout_ms = 1000;
};
// Redis via hiredis. Reconnects on the next call after a lost connection; calls made while Redis
// is down throw StoreUnavailable (reads) or return `unavailable` (commit). Connects at once: a
// Redis that answers but fails the durability check is refused here (StoreUnavailable); one that
// does not answer yet is checked when it does. Keeps an identity record (<prefix>identity: a
// random store id, its creation time and a commit sequence) written at the first open of an empty
// Redis and checked by every commit inside the write script: when it is gone (FLUSHALL, another
// Redis) or its sequence is below the last one this store acknowledged (Redis restarted on an
// older AOF/RDB), every write is refused from then on and fault() says why.
std::shared_ptr<Store> make_redis_store(const RedisOptions& options);

}  // namespace actorflow

namespace ACTORFLOW_API actorflow {

// Opens a store from a one-line spec: "memory", "sqlite:<path>" or "redis:<host>:<port>[:<prefix>]".
// Throws std::invalid_argument naming the spec when it is malformed, StoreUnavailable when the
// store cannot be opened.
// `settings` apply to the store kinds they concern (durability to sqlite and redis, replicas to
// redis, holder to sqlite's lock file).
struct StoreSettings {
  Durability durability = Durability::process;
  int redis_replicas_min = 0;
  std::string holder;
};
std::shared_ptr<Store> open_store(const std::string& spec, const StoreSettings& settings = {});
// The Redis options of a "redis:..." spec; nullopt for other stores. Throws std::invalid_argument
// when it is malformed.
std::optional<RedisOptions> redis_options_of(const std::string& spec);

}  // namespace actorflow
