// Store on Redis through hiredis' synchronous API: one connection behind a mutex.
//
// Keys, each under options.key_prefix <p>:
//   <p>wf:<id>       hash {snapshot, epoch, write (the last applied write id)}
//   <p>hist:<id>     stream, one entry per history event (field "e")
//   <p>live          set of live workflow ids
//   <p>dead          list of dead letters, each a JSON object
//   <p>ledger:<key>  string, written once (SET NX)
//   <p>epoch         counter behind next_epoch (INCR)
//   <p>inbox:<id>    list of signals, each a JSON object; a signal's sequence number is its index + 1
//   <p>wake          sorted set of live workflow ids by wake-up time (ms)
//   <p>schedules     hash: schedule id -> encoded schedule
//
// A commit is one pipeline: MULTI, one EVALSHA of kWriteScript per write, EXEC. The script does the
// fencing check and every write of one WorkflowWrite atomically; MULTI/EXEC makes the batch
// all-or-nothing when the connection drops while it is being sent.
#include <actorflow/json.hpp>
#include <actorflow/logging.hpp>
#include <actorflow/store.hpp>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <charconv>
#include <csignal>
#include <ctime>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace actorflow {
namespace {

// KEYS: wf, hist, live, dead, wake. ARGV: id, epoch, create, snapshot, live, dead letter (JSON, or
// empty), write id, wake-up time ('0': none), then the history events. Returns 0 (ok), 1 (exists) or 2 (stale epoch); refusals and
// repeats of the last applied write id write nothing.
// Epochs travel as decimal strings without leading zeros and are compared as such (by length, then
// lexically), so every uint64 compares exactly (Lua numbers are doubles).
constexpr std::string_view kWriteScript = R"lua(
if ARGV[7] ~= '' and redis.call('HGET', KEYS[1], 'write') == ARGV[7] then return 0 end
local stored = redis.call('HGET', KEYS[1], 'epoch')
if ARGV[3] == '1' then
  if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
elseif stored then
  if #stored > #ARGV[2] or (#stored == #ARGV[2] and stored > ARGV[2]) then return 2 end
end
redis.call('HSET', KEYS[1], 'snapshot', ARGV[4], 'epoch', ARGV[2], 'write', ARGV[7])
if ARGV[5] == '1' then
  redis.call('SADD', KEYS[3], ARGV[1])
else
  redis.call('SREM', KEYS[3], ARGV[1])
end
if ARGV[5] == '1' and ARGV[8] ~= '0' then
  redis.call('ZADD', KEYS[5], ARGV[8], ARGV[1])
else
  redis.call('ZREM', KEYS[5], ARGV[1])
end
for i = 9, #ARGV do
  redis.call('XADD', KEYS[2], '*', 'e', ARGV[i])
end
if ARGV[6] ~= '' then redis.call('RPUSH', KEYS[4], ARGV[6]) end
return 0
)lua";
constexpr long long kScriptOk = 0;
constexpr long long kScriptExists = 1;
constexpr long long kScriptStale = 2;

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
  void operator()(redisContext* context) const { redisFree(context); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

timeval to_timeval(int ms) {
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return tv;
}

std::string_view reply_text(const redisReply& reply) { return {reply.str, reply.len}; }

std::string describe(const redisReply* reply) {
  if (reply == nullptr) return "no reply";
  switch (reply->type) {
    case REDIS_REPLY_STRING: return "string reply";
    case REDIS_REPLY_ARRAY: return "array reply of " + std::to_string(reply->elements);
    case REDIS_REPLY_INTEGER: return "integer reply " + std::to_string(reply->integer);
    case REDIS_REPLY_NIL: return "nil reply";
    case REDIS_REPLY_STATUS: return "status reply '" + std::string(reply_text(*reply)) + "'";
    case REDIS_REPLY_ERROR: return "error '" + std::string(reply_text(*reply)) + "'";
    default: return "reply of unknown type " + std::to_string(reply->type);
  }
}

bool is_string(const redisReply* reply) { return reply != nullptr && reply->type == REDIS_REPLY_STRING; }

// hiredis writes with write(2): on a connection the server closed that raises SIGPIPE, which kills
// the process by default. This blocks SIGPIPE on the calling thread while in scope and discards
// one raised meanwhile, leaving the process' signal handling alone.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&sigpipe_);
    sigaddset(&sigpipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &sigpipe_, &old_mask_);
  }
  ~SigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        timespec no_wait{};
        sigtimedwait(&sigpipe_, nullptr, &no_wait);
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t sigpipe_{};
  sigset_t old_mask_{};
  bool was_pending_ = false;
};

// Arguments of one command; hiredis copies them when the command is sent or appended.
class Command {
 public:
  Command(std::initializer_list<std::string_view> args) : args_(args) {}
  void add(std::string_view arg) { args_.push_back(arg); }
  std::string name() const { return args_.empty() ? "" : std::string(args_.front()); }

  int argc() const { return static_cast<int>(args_.size()); }
  std::vector<const char*> argv() const {
    std::vector<const char*> out;
    for (auto arg : args_) out.push_back(arg.data());
    return out;
  }
  std::vector<size_t> lengths() const {
    std::vector<size_t> out;
    for (auto arg : args_) out.push_back(arg.size());
    return out;
  }

 private:
  std::vector<std::string_view> args_;
};

std::string escape_glob(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string encode_dead_letter(const DeadLetter& entry) {
  Json json{{"workflow_id", entry.workflow_id}, {"reason", entry.reason}, {"at_ms", entry.at_ms}};
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

class RedisStore final : public Store {
 public:
  explicit RedisStore(RedisOptions options)
      : options_(std::move(options)),
        address_(options_.host + ":" + std::to_string(options_.port)),
        live_key_(options_.key_prefix + "live"),
        dead_key_(options_.key_prefix + "dead"),
        epoch_key_(options_.key_prefix + "epoch"),
        wake_key_(options_.key_prefix + "wake"),
        schedules_key_(options_.key_prefix + "schedules") {}

  std::vector<WriteResult> commit(const std::vector<WorkflowWrite>& batch) override {
    std::vector<WriteResult> results(batch.size(), WriteResult::unavailable);
    if (batch.empty()) return results;
    std::lock_guard lock(mutex_);
    try {
      std::vector<size_t> all(batch.size());
      for (size_t i = 0; i < all.size(); ++i) all[i] = i;
      auto no_script = run_writes(batch, all, /*by_sha=*/true, results);
      // The script cache was flushed since the connection loaded it: send those again in full.
      if (!no_script.empty()) run_writes(batch, no_script, /*by_sha=*/false, results);
    } catch (const StoreUnavailable&) {
      std::fill(results.begin(), results.end(), WriteResult::unavailable);
    }
    return results;
  }

  uint64_t next_epoch() override {
    std::lock_guard lock(mutex_);
    Reply reply = run({"INCR", epoch_key_});
    if (reply->type != REDIS_REPLY_INTEGER || reply->integer <= 0) unexpected("INCR", reply.get());
    return static_cast<uint64_t>(reply->integer);
  }

  std::optional<StoredSnapshot> load(const std::string& workflow_id) const override {
    std::lock_guard lock(mutex_);
    Reply reply = run({"HMGET", wf_key(workflow_id), "snapshot", "epoch"});
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) unexpected("HMGET", reply.get());
    const redisReply* snapshot = reply->element[0];
    const redisReply* epoch = reply->element[1];
    if (snapshot != nullptr && snapshot->type == REDIS_REPLY_NIL) return std::nullopt;
    if (!is_string(snapshot) || !is_string(epoch)) unexpected("HMGET", reply.get());
    StoredSnapshot stored{std::string(reply_text(*snapshot)), 0};
    auto text = reply_text(*epoch);
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), stored.epoch);
    if (error != std::errc{} || end != text.data() + text.size()) {
      fail("workflow '" + workflow_id + "' has a malformed epoch '" + std::string(text) + "'");
    }
    return stored;
  }

  std::vector<std::string> live_workflows() const override {
    std::lock_guard lock(mutex_);
    Reply reply = run({"SMEMBERS", live_key_});
    std::vector<std::string> ids = strings_of("SMEMBERS", reply.get());
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  std::vector<std::string> history(const std::string& workflow_id) const override {
    std::lock_guard lock(mutex_);
    Reply reply = run({"XRANGE", hist_key(workflow_id), "-", "+"});
    if (reply->type != REDIS_REPLY_ARRAY) unexpected("XRANGE", reply.get());
    std::vector<std::string> events;
    events.reserve(reply->elements);
    for (size_t i = 0; i < reply->elements; ++i) {
      // Each entry: [id, [field, value, ...]].
      const redisReply* entry = reply->element[i];
      if (entry == nullptr || entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 ||
          entry->element[1]->type != REDIS_REPLY_ARRAY || entry->element[1]->elements != 2 ||
          !is_string(entry->element[1]->element[0]) || !is_string(entry->element[1]->element[1]) ||
          reply_text(*entry->element[1]->element[0]) != "e") {
        fail("history of '" + workflow_id + "' has a malformed stream entry (" + describe(entry) + ")");
      }
      events.emplace_back(reply_text(*entry->element[1]->element[1]));
    }
    return events;
  }

  std::vector<DeadLetter> dead_letters() const override {
    std::lock_guard lock(mutex_);
    Reply reply = run({"LRANGE", dead_key_, "0", "-1"});
    std::vector<DeadLetter> entries;
    for (const std::string& text : strings_of("LRANGE", reply.get())) {
      Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (!json.is_object() || !json.contains("workflow_id") || !json["workflow_id"].is_string() ||
          !json.contains("reason") || !json["reason"].is_string() || !json.contains("at_ms") ||
          !json["at_ms"].is_number_integer()) {
        fail("malformed dead letter in " + dead_key_ + ": " + text);
      }
      entries.push_back({json["workflow_id"].get<std::string>(), json["reason"].get<std::string>(),
                         json["at_ms"].get<int64_t>()});
    }
    return entries;
  }

  uint64_t inbox_append(const std::string& workflow_id, const std::string& name, const std::string& payload,
                        int64_t at_ms) override {
    const std::string entry = Json{{"name", name}, {"payload", payload}, {"at_ms", at_ms}}.dump(
        -1, ' ', false, Json::error_handler_t::replace);
    std::lock_guard lock(mutex_);
    Reply reply = run({"RPUSH", inbox_key(workflow_id), entry});
    if (reply->type != REDIS_REPLY_INTEGER || reply->integer <= 0) unexpected("RPUSH", reply.get());
    return static_cast<uint64_t>(reply->integer);
  }

  std::vector<InboxSignal> inbox_after(const std::string& workflow_id, uint64_t after_seq) const override {
    std::lock_guard lock(mutex_);
    Reply reply = run({"LRANGE", inbox_key(workflow_id), std::to_string(after_seq), "-1"});
    std::vector<InboxSignal> signals;
    uint64_t seq = after_seq;
    for (const std::string& text : strings_of("LRANGE", reply.get())) {
      Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (!json.is_object() || !json.contains("name") || !json["name"].is_string() || !json.contains("payload") ||
          !json["payload"].is_string() || !json.contains("at_ms") || !json["at_ms"].is_number_integer()) {
        fail("malformed signal in " + inbox_key(workflow_id) + ": " + text);
      }
      signals.push_back({++seq, json["name"].get<std::string>(), json["payload"].get<std::string>(),
                         json["at_ms"].get<int64_t>()});
    }
    return signals;
  }

  std::vector<WakeUp> wake_ups_until(int64_t until_ms, size_t limit) const override {
    std::lock_guard lock(mutex_);
    Reply reply = run({"ZRANGEBYSCORE", wake_key_, "-inf", std::to_string(until_ms), "WITHSCORES", "LIMIT", "0",
                       std::to_string(limit)});
    std::vector<std::string> flat = strings_of("ZRANGEBYSCORE", reply.get());
    if (flat.size() % 2 != 0) unexpected("ZRANGEBYSCORE", reply.get());
    std::vector<WakeUp> due;
    for (size_t i = 0; i < flat.size(); i += 2) {
      int64_t at_ms = 0;
      auto [end, error] = std::from_chars(flat[i + 1].data(), flat[i + 1].data() + flat[i + 1].size(), at_ms);
      if (error != std::errc{}) fail("malformed wake-up time '" + flat[i + 1] + "' in " + wake_key_);
      due.push_back({std::move(flat[i]), at_ms});
    }
    return due;
  }

  void schedule_put(const std::string& id, const std::string& encoded) override {
    std::lock_guard lock(mutex_);
    Reply reply = run({"HSET", schedules_key_, id, encoded});
    if (reply->type != REDIS_REPLY_INTEGER) unexpected("HSET", reply.get());
  }

  bool schedule_erase(const std::string& id) override {
    std::lock_guard lock(mutex_);
    Reply reply = run({"HDEL", schedules_key_, id});
    if (reply->type != REDIS_REPLY_INTEGER) unexpected("HDEL", reply.get());
    return reply->integer == 1;
  }

  std::vector<std::pair<std::string, std::string>> schedules() const override {
    std::lock_guard lock(mutex_);
    Reply reply = run({"HGETALL", schedules_key_});
    std::vector<std::string> flat = strings_of("HGETALL", reply.get());
    if (flat.size() % 2 != 0) unexpected("HGETALL", reply.get());
    std::vector<std::pair<std::string, std::string>> entries;
    for (size_t i = 0; i < flat.size(); i += 2) entries.emplace_back(std::move(flat[i]), std::move(flat[i + 1]));
    std::sort(entries.begin(), entries.end());
    return entries;
  }

  std::optional<std::string> ledger_get(const std::string& key) const override {
    std::lock_guard lock(mutex_);
    Reply reply = run({"GET", ledger_key(key)});
    if (reply->type == REDIS_REPLY_NIL) return std::nullopt;
    if (reply->type != REDIS_REPLY_STRING) unexpected("GET", reply.get());
    return std::string(reply_text(*reply));
  }

  bool ledger_put(const std::string& key, const std::string& value) override {
    std::lock_guard lock(mutex_);
    Reply reply = run({"SET", ledger_key(key), value, "NX"});
    if (reply->type == REDIS_REPLY_NIL) return false;
    if (reply->type != REDIS_REPLY_STATUS) unexpected("SET", reply.get());
    return true;
  }

  std::vector<std::pair<std::string, std::string>> ledger_scan(const std::string& key_prefix) const override {
    std::lock_guard lock(mutex_);
    const std::string stem = ledger_key("");
    const std::string pattern = escape_glob(stem + key_prefix) + "*";
    std::vector<std::string> keys;
    std::string cursor = "0";
    do {
      Reply reply = run({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 || !is_string(reply->element[0])) {
        unexpected("SCAN", reply.get());
      }
      cursor = reply_text(*reply->element[0]);
      for (std::string& key : strings_of("SCAN", reply->element[1])) keys.push_back(std::move(key));
    } while (cursor != "0");
    // SCAN may return a key twice; sorted and unique, and read in key order.
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());

    std::vector<std::pair<std::string, std::string>> entries;
    for (const std::string& key : keys) {
      Reply value = run({"GET", key});
      if (value->type == REDIS_REPLY_NIL) continue;  // removed since the scan
      if (value->type != REDIS_REPLY_STRING) unexpected("GET", value.get());
      entries.emplace_back(key.substr(stem.size()), std::string(reply_text(*value)));
    }
    return entries;
  }

 private:
  std::string wf_key(const std::string& id) const { return options_.key_prefix + "wf:" + id; }
  std::string hist_key(const std::string& id) const { return options_.key_prefix + "hist:" + id; }
  std::string ledger_key(const std::string& key) const { return options_.key_prefix + "ledger:" + key; }
  std::string inbox_key(const std::string& id) const { return options_.key_prefix + "inbox:" + id; }

  [[noreturn]] void fail(const std::string& what) const {
    throw StoreUnavailable("redis " + address_ + ": " + what);
  }
  [[noreturn]] void unexpected(const std::string& command, const redisReply* reply) const {
    fail("unexpected " + describe(reply) + " to " + command);
  }
  // The connection is unusable after an I/O or protocol error: drop it (the next call reconnects)
  // and throw.
  [[noreturn]] void connection_failed() const {
    std::string error = context_ ? std::string(context_->errstr) : std::string("not connected");
    if (error.empty()) error = "connection lost";
    context_.reset();
    fail(error);
  }

  // Connects (and loads the write script) unless connected. Called with mutex_ held.
  void ensure_connected() const {
    if (context_ && context_->err == 0) return;
    context_.reset();
    redisContext* raw = options_.connect_timeout_ms > 0
                            ? redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                                      to_timeval(options_.connect_timeout_ms))
                            : redisConnect(options_.host.c_str(), options_.port);
    if (raw == nullptr) fail("cannot allocate a hiredis context");
    context_.reset(raw);
    if (context_->err != 0) connection_failed();
    if (options_.command_timeout_ms > 0 &&
        redisSetTimeout(context_.get(), to_timeval(options_.command_timeout_ms)) != REDIS_OK) {
      connection_failed();
    }
    Reply reply = send({"SCRIPT", "LOAD", kWriteScript});
    if (reply->type != REDIS_REPLY_STRING) {
      context_.reset();
      unexpected("SCRIPT LOAD", reply.get());
    }
    script_sha_ = reply_text(*reply);
  }

  // Sends one command on the current connection; throws when the connection fails.
  Reply send(const Command& command) const {
    SigpipeBlock sigpipe_block;
    auto argv = command.argv();
    auto lengths = command.lengths();
    Reply reply(static_cast<redisReply*>(
        redisCommandArgv(context_.get(), command.argc(), argv.data(), lengths.data())));
    if (!reply) connection_failed();
    return reply;
  }

  // Connects when needed and runs one command. Throws on connection failure and on an error reply.
  Reply run(const Command& command) const {
    ensure_connected();
    Reply reply = send(command);
    if (reply->type == REDIS_REPLY_ERROR) fail(command.name() + ": " + std::string(reply_text(*reply)));
    return reply;
  }

  Reply read_reply() const {
    void* raw = nullptr;
    if (redisGetReply(context_.get(), &raw) != REDIS_OK || raw == nullptr) {
      freeReplyObject(raw);
      connection_failed();
    }
    return Reply(static_cast<redisReply*>(raw));
  }

  // One pipeline: MULTI, the writes `indexes` of `batch` (EVALSHA, or EVAL when !by_sha), EXEC.
  // Fills results[index] and returns the indexes the server refused with NOSCRIPT. Throws
  // StoreUnavailable when the connection fails.
  std::vector<size_t> run_writes(const std::vector<WorkflowWrite>& batch, const std::vector<size_t>& indexes,
                                 bool by_sha, std::vector<WriteResult>& results) const {
    ensure_connected();
    SigpipeBlock sigpipe_block;
    append({"MULTI"});
    for (size_t index : indexes) append_write(batch[index], by_sha);
    append({"EXEC"});

    Reply multi = read_reply();
    if (multi->type != REDIS_REPLY_STATUS) unexpected("MULTI", multi.get());
    std::string queue_error;
    for (size_t i = 0; i < indexes.size(); ++i) {
      Reply queued = read_reply();
      if (queued->type != REDIS_REPLY_STATUS && queue_error.empty()) queue_error = describe(queued.get());
    }
    Reply exec = read_reply();
    if (exec->type != REDIS_REPLY_ARRAY || exec->elements != indexes.size()) {
      // EXECABORT: nothing ran. Not a connection failure: the others of this connection go on.
      log_json(spdlog::level::err, {{"event", "redis_commit_refused"}, {"address", address_},
                                    {"exec", describe(exec.get())}, {"queue", queue_error}});
      return {};
    }
    std::vector<size_t> no_script;
    for (size_t i = 0; i < indexes.size(); ++i) {
      const redisReply* reply = exec->element[i];
      const WorkflowWrite& write = batch[indexes[i]];
      WriteResult& result = results[indexes[i]];
      if (reply->type == REDIS_REPLY_INTEGER && reply->integer == kScriptOk) {
        result = WriteResult::ok;
      } else if (reply->type == REDIS_REPLY_INTEGER && reply->integer == kScriptExists) {
        result = WriteResult::exists;
      } else if (reply->type == REDIS_REPLY_INTEGER && reply->integer == kScriptStale) {
        result = WriteResult::stale_epoch;
      } else if (reply->type == REDIS_REPLY_ERROR && reply_text(*reply).starts_with("NOSCRIPT")) {
        no_script.push_back(indexes[i]);
      } else {
        // E.g. WRONGTYPE: a key of this workflow holds something else. Retrying will not help, but
        // `unavailable` is the only refusal that does not claim a fact about the workflow.
        result = WriteResult::unavailable;
        log_json(spdlog::level::err, {{"event", "redis_write_failed"}, {"address", address_},
                                      {"workflow_id", write.workflow_id}, {"reply", describe(reply)}});
      }
    }
    return no_script;
  }

  void append(const Command& command) const {
    auto argv = command.argv();
    auto lengths = command.lengths();
    if (redisAppendCommandArgv(context_.get(), command.argc(), argv.data(), lengths.data()) != REDIS_OK) {
      connection_failed();
    }
  }

  void append_write(const WorkflowWrite& write, bool by_sha) const {
    const std::string wf = wf_key(write.workflow_id);
    const std::string hist = hist_key(write.workflow_id);
    const std::string epoch = std::to_string(write.epoch);
    const std::string dead_letter = write.dead_letter ? encode_dead_letter(*write.dead_letter) : "";
    const std::string wake_at = std::to_string(write.wake_at_ms);
    Command command{by_sha ? "EVALSHA" : "EVAL",
                    by_sha ? std::string_view(script_sha_) : kWriteScript,
                    "5", wf, hist, live_key_, dead_key_, wake_key_,
                    write.workflow_id, epoch, write.create ? "1" : "0", write.snapshot,
                    write.live ? "1" : "0", dead_letter, write.write_id, wake_at};
    for (const std::string& event : write.history) command.add(event);
    append(command);
  }

  std::vector<std::string> strings_of(const std::string& command, const redisReply* reply) const {
    if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) unexpected(command, reply);
    std::vector<std::string> out;
    out.reserve(reply->elements);
    for (size_t i = 0; i < reply->elements; ++i) {
      if (!is_string(reply->element[i])) unexpected(command, reply->element[i]);
      out.emplace_back(reply_text(*reply->element[i]));
    }
    return out;
  }

  const RedisOptions options_;
  const std::string address_;  // host:port, in every error
  const std::string live_key_;
  const std::string dead_key_;
  const std::string epoch_key_;
  const std::string wake_key_;
  const std::string schedules_key_;

  mutable std::mutex mutex_;  // guards the connection and script_sha_
  mutable Context context_;
  mutable std::string script_sha_;
};

}  // namespace

std::shared_ptr<Store> make_redis_store(const RedisOptions& options) {
  return std::make_shared<RedisStore>(options);
}

}  // namespace actorflow
