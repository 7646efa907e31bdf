// Store on Redis through hiredis' synchronous API: one connection behind a mutex.
//
// Keys, each under options.key_prefix <p>:
//   <p>wf:<id>       hash {snapshot, epoch, write (the last applied write id), live ('1'/'0'), wake
//                    (as in the wake index, '0': none)}
//   <p>hist:<id>     stream, one entry per history event (field "e")
//   <p>live          set of live workflow ids
//   <p>dead          list of dead letters, each a JSON object
//   <p>ledger:<key>  string, written once (SET NX)
//   <p>epoch         counter behind next_epoch (INCR)
//   <p>inbox:<id>    list of signals, each a JSON object; a signal's sequence number is its index + 1
//   <p>wake          sorted set of live workflow ids by wake-up time (ms)
//   <p>schedules     hash: schedule id -> encoded schedule
//   <p>workflows, <p>status:<status>: the index of workflows by id and by status, and the summary
//                    fields of <p>wf:<id> (redis_store_listing.hpp)
//   <p>signalled     set of workflows whose inbox may hold signals not yet taken
//   <p>fence:<n>     the newest lease epoch of shard n (written by coordination.hpp's leases)
//   <p>identity      hash {id, created_ms, seq[, fault]}: which store this is, and its commit
//                    sequence (redis_identity.hpp)
//
// A commit is one pipeline: MULTI, one EVALSHA of kWriteScript per write, the identity's sequence
// bump, EXEC (and WAIT when RedisOptions::replicas_min is set). The script does the
// fencing check and every write of one WorkflowWrite atomically; MULTI/EXEC makes the batch
// all-or-nothing when the connection drops while it is being sent. Commits have a connection of
// their own, so that reads (instances loading, queries) neither wait behind a commit nor delay one.
#include "store/redis_connection.hpp"
#include "store/redis_identity.hpp"
#include <actorflow/bounded_parse.hpp>
#include "store/redis_store_listing.hpp"

#include <actorflow/json.hpp>
#include <actorflow/logging.hpp>
#include <actorflow/store.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace actorflow {
namespace {

// KEYS: wf, hist, live, dead, wake, workflows (every id), the set of the write's status, the sets of
// the 5 other statuses, the fence of the write's shard, signalled, inbox, identity. ARGV: id, epoch,
// create, snapshot, live, dead letter (JSON, or empty), write id, wake-up time ('0': none),
// definition, version, status, started, updated, clear dead letter ('1'/'0'), shard ('-1': not
// sharded), inbox entries taken, store id, last acknowledged commit sequence, then the history
// events. Returns 0 (ok), 1 (exists), 2 (stale epoch), 3 (the identity record is missing or holds
// another id) or 4 (it holds a fault, or a sequence below the acknowledged one: the store went
// back in time); refusals and repeats of the last applied write id write nothing. A sharded write needs an epoch at least
// the shard's fence: a shard nobody ever leased has none, so nothing can be written for it.
// Epochs travel as decimal strings without leading zeros and are compared as such (by length, then
// lexically), so every uint64 compares exactly (Lua numbers are doubles).
constexpr std::string_view kWriteScript = R"lua(
local function older(a, b) return #a < #b or (#a == #b and a < b) end
local ident = redis.call('HMGET', KEYS[16], 'id', 'seq', 'fault')
if ident[1] ~= ARGV[17] then return 3 end
if ident[3] or older(ident[2], ARGV[18]) then return 4 end
local stored = redis.call('HMGET', KEYS[1], 'write', 'epoch', 'status', 'live', 'wake')
if ARGV[7] ~= '' and stored[1] == ARGV[7] then return 0 end
if ARGV[15] ~= '-1' then
  local fence = redis.call('GET', KEYS[13])
  if not fence or older(ARGV[2], fence) then return 2 end
end
local epoch = stored[2]
if ARGV[3] == '1' then
  if epoch or redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
elseif epoch then
  if older(ARGV[2], epoch) then return 2 end
end
local wake = '0'
if ARGV[5] == '1' then wake = ARGV[8] end
-- No status yet: a new workflow, or one written before summaries were kept.
local old_status = stored[3]
redis.call('HSET', KEYS[1], 'snapshot', ARGV[4], 'epoch', ARGV[2], 'write', ARGV[7], 'definition', ARGV[9],
           'version', ARGV[10], 'status', ARGV[11], 'started', ARGV[12], 'updated', ARGV[13], 'live', ARGV[5],
           'wake', wake)
if not old_status then redis.call('ZADD', KEYS[6], 0, ARGV[1]) end
if old_status ~= ARGV[11] then
  if old_status then
    for i = 8, 12 do redis.call('ZREM', KEYS[i], ARGV[1]) end
  end
  redis.call('ZADD', KEYS[7], 0, ARGV[1])
end
-- The live set and the wake index are touched only when the workflow's place in them changes
-- (the hash keeps both; a hash written before it kept them has neither: then both are set).
if stored[4] ~= ARGV[5] then
  if ARGV[5] == '1' then
    redis.call('SADD', KEYS[3], ARGV[1])
  else
    redis.call('SREM', KEYS[3], ARGV[1])
  end
end
if stored[5] ~= wake then
  if wake ~= '0' then
    redis.call('ZADD', KEYS[5], wake, ARGV[1])
  else
    redis.call('ZREM', KEYS[5], ARGV[1])
  end
end
for i = 19, #ARGV do
  redis.call('XADD', KEYS[2], '*', 'e', ARGV[i])
end
if redis.call('SISMEMBER', KEYS[14], ARGV[1]) == 1 and
   (ARGV[5] ~= '1' or redis.call('LLEN', KEYS[15]) <= tonumber(ARGV[16])) then
  redis.call('SREM', KEYS[14], ARGV[1])
end
if ARGV[14] == '1' then
  for _, entry in ipairs(redis.call('LRANGE', KEYS[4], 0, -1)) do
    local ok, decoded = pcall(cjson.decode, entry)
    if ok and type(decoded) == 'table' and decoded.workflow_id == ARGV[1] then
      redis.call('LREM', KEYS[4], 0, entry)
    end
  end
end
if ARGV[6] ~= '' then redis.call('RPUSH', KEYS[4], ARGV[6]) end
return 0
)lua";
constexpr long long kScriptOk = 0;
constexpr long long kScriptExists = 1;
constexpr long long kScriptStale = 2;

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

using redis::Command;
using redis::describe;
using redis::is_string;
using redis::Reply;
using redis::reply_text;

class RedisStore final : public Store {
 public:
  explicit RedisStore(RedisOptions options)
      : options_(std::move(options)),
        live_key_(options_.key_prefix + "live"),
        dead_key_(options_.key_prefix + "dead"),
        epoch_key_(options_.key_prefix + "epoch"),
        wake_key_(options_.key_prefix + "wake"),
        schedules_key_(options_.key_prefix + "schedules"),
        signalled_key_(options_.key_prefix + "signalled"),
        workflows_key_(redis::workflows_key(options_.key_prefix)),
        status_keys_(status_keys_of(options_.key_prefix)),
        identity_(options_, options_.key_prefix + "identity"),
        connection_(options_, kWriteScript),
        commit_connection_(options_, kWriteScript) {
    commit_connection_.on_connect([this](redis::Connection& connection) { identity_.check(connection); });
    // Checked now where Redis answers: a server without the durability asked for stops the start.
    try {
      std::lock_guard lock(commit_mutex_);
      commit_connection_.ask({"PING"});
    } catch (const redis::SettingsRefused&) {
      throw;
    } catch (const StoreUnavailable& e) {
      log_json(spdlog::level::warn, {{"event", "redis_unreachable_at_open"}, {"detail", e.what()},
                                     {"hint", "checked (durability, identity) when it answers"}});
    }
  }

  std::string fault() const override { return identity_.fault(); }
  std::optional<Durability> durability() const override { return options_.durability; }
  std::string_view kind() const override { return "redis"; }

  std::vector<WriteResult> commit(const std::vector<WorkflowWrite>& batch) override {
    std::vector<WriteResult> results(batch.size(), WriteResult::unavailable);
    if (batch.empty() || !identity_.lasting_fault().empty()) return results;
    std::lock_guard lock(commit_mutex_);
    try {
      std::vector<size_t> all(batch.size());
      for (size_t i = 0; i < all.size(); ++i) all[i] = i;
      auto no_script = run_writes(batch, all, /*by_sha=*/true, results);
      // The script cache was flushed since the connection loaded it: send those again in full.
      if (!no_script.empty()) run_writes(batch, no_script, /*by_sha=*/false, results);
    } catch (const StoreUnavailable& e) {
      std::fill(results.begin(), results.end(), WriteResult::unavailable);
      std::lock_guard problem_lock(problem_mutex_);
      commit_problem_ = e.what();
      return results;
    }
    std::lock_guard problem_lock(problem_mutex_);
    commit_problem_.clear();
    if (std::find(results.begin(), results.end(), WriteResult::unavailable) != results.end())
      commit_problem_ = "redis " + commit_connection_.address() +
                        " did not acknowledge every write (see the log: redis_write_failed, redis_replicas_short)";
    return results;
  }

  std::string commit_problem() const override {
    if (std::string fault = identity_.fault(); !fault.empty()) return fault;
    std::lock_guard lock(problem_mutex_);
    return commit_problem_;
  }

  uint64_t next_epoch() override {
    refuse_if_faulted();
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

  std::vector<WorkflowSummary> list_workflows(const WorkflowFilter& filter) const override {
    std::lock_guard lock(mutex_);
    return redis::list_workflows(connection_, options_.key_prefix, filter);
  }

  std::vector<std::pair<WorkflowStatus, uint64_t>> count_by_status() const override {
    std::lock_guard lock(mutex_);
    return redis::count_by_status(connection_, options_.key_prefix);
  }

  std::vector<DeadLetter> dead_letters() const override {
    std::lock_guard lock(mutex_);
    Reply reply = run({"LRANGE", dead_key_, "0", "-1"});
    std::vector<DeadLetter> entries;
    for (const std::string& text : strings_of("LRANGE", reply.get())) {
      Json json = parse_json_or_discarded(text, stored_json_depth_max());
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
    refuse_if_faulted();
    const std::string entry = Json{{"name", name}, {"payload", payload}, {"at_ms", at_ms}}.dump(
        -1, ' ', false, Json::error_handler_t::replace);
    std::lock_guard lock(mutex_);
    connection_.append({"MULTI"});
    connection_.append({"RPUSH", inbox_key(workflow_id), entry});
    connection_.append({"SADD", signalled_key_, workflow_id});
    connection_.append({"EXEC"});
    const std::vector<Reply> replies = connection_.read_replies(4);
    const redisReply* exec = replies.back().get();
    if (exec->type != REDIS_REPLY_ARRAY || exec->elements != 2) unexpected("MULTI RPUSH SADD", exec);
    const redisReply* pushed = exec->element[0];
    if (pushed->type != REDIS_REPLY_INTEGER || pushed->integer <= 0) unexpected("RPUSH", pushed);
    return static_cast<uint64_t>(pushed->integer);
  }

  std::vector<std::string> signalled_workflows(size_t limit) override {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids =
        strings_of("SRANDMEMBER", run({"SRANDMEMBER", signalled_key_, std::to_string(limit)}).get());
    if (ids.empty()) return ids;
    Command live{"SMISMEMBER", live_key_};
    for (const auto& id : ids) live.add(id);
    Reply flags = run(live);
    if (flags->type != REDIS_REPLY_ARRAY || flags->elements != ids.size()) unexpected("SMISMEMBER", flags.get());
    std::vector<std::string> signalled;
    Command gone{"SREM", signalled_key_};
    for (size_t i = 0; i < ids.size(); ++i) {
      if (flags->element[i]->type == REDIS_REPLY_INTEGER && flags->element[i]->integer == 1) signalled.push_back(ids[i]);
      else gone.add(ids[i]);  // ended (or removed) since the signal: nothing will take it
    }
    if (gone.argc() > 2) run(gone);
    return signalled;
  }

  std::vector<InboxSignal> inbox_after(const std::string& workflow_id, uint64_t after_seq) const override {
    std::lock_guard lock(mutex_);
    Reply reply = run({"LRANGE", inbox_key(workflow_id), std::to_string(after_seq), "-1"});
    std::vector<InboxSignal> signals;
    uint64_t seq = after_seq;
    for (const std::string& text : strings_of("LRANGE", reply.get())) {
      Json json = parse_json_or_discarded(text, stored_json_depth_max());
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
    refuse_if_faulted();
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
    refuse_if_faulted();
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
  // Writes outside commits are refused as commits are, once the store has a lasting fault.
  void refuse_if_faulted() const {
    if (std::string fault = identity_.lasting_fault(); !fault.empty()) throw StoreUnavailable(fault);
  }

  std::string wf_key(const std::string& id) const { return redis::workflow_key(options_.key_prefix, id); }
  std::string hist_key(const std::string& id) const { return options_.key_prefix + "hist:" + id; }
  std::string ledger_key(const std::string& key) const { return options_.key_prefix + "ledger:" + key; }
  std::string inbox_key(const std::string& id) const { return options_.key_prefix + "inbox:" + id; }

  [[noreturn]] void fail(const std::string& what) const { connection_.fail(what); }
  [[noreturn]] void unexpected(const std::string& command, const redisReply* reply) const {
    connection_.unexpected(command, reply);
  }
  Reply run(const Command& command) const { return connection_.run(command); }
  std::vector<std::string> strings_of(const std::string& command, const redisReply* reply) const {
    return connection_.strings_of(command, reply);
  }

  // One pipeline: MULTI, the writes `indexes` of `batch` (EVALSHA, or EVAL when !by_sha), EXEC.
  // Fills results[index] and returns the indexes the server refused with NOSCRIPT. Throws
  // StoreUnavailable when the connection fails.
  std::vector<size_t> run_writes(const std::vector<WorkflowWrite>& batch, const std::vector<size_t>& indexes,
                                 bool by_sha, std::vector<WriteResult>& results) const {
    commit_connection_.append({"MULTI"});  // connects first when needed, which loads the script
    const std::string store_id = identity_.id();
    const std::string acknowledged = std::to_string(identity_.acknowledged());
    for (size_t index : indexes) append_write(batch[index], by_sha, store_id, acknowledged);
    commit_connection_.append({"EVAL", redis::StoreIdentity::bump_script(), "1", identity_.key(), store_id, acknowledged});
    commit_connection_.append({"EXEC"});
    const std::string replicas_min = std::to_string(options_.replicas_min);
    const std::string replicas_timeout = std::to_string(options_.replicas_timeout_ms);
    const bool wait = options_.replicas_min > 0;
    if (wait) commit_connection_.append({"WAIT", replicas_min, replicas_timeout});
    const std::vector<Reply> replies = commit_connection_.read_replies(indexes.size() + 3 + (wait ? 1 : 0));

    if (replies.front()->type != REDIS_REPLY_STATUS) commit_connection_.unexpected("MULTI", replies.front().get());
    std::string queue_error;
    for (size_t i = 1; i <= indexes.size() + 1 && queue_error.empty(); ++i) {
      if (replies[i]->type != REDIS_REPLY_STATUS) queue_error = describe(replies[i].get());
    }
    const redisReply* exec = replies[indexes.size() + 2].get();
    if (exec->type != REDIS_REPLY_ARRAY || exec->elements != indexes.size() + 1) {
      // EXECABORT: nothing ran. Not a connection failure: the others of this connection go on.
      log_json(spdlog::level::err, {{"event", "redis_commit_refused"}, {"address", commit_connection_.address()},
                                    {"exec", describe(exec)}, {"queue", queue_error}});
      return {};
    }
    std::vector<std::string> written;
    for (size_t index : indexes) written.push_back(batch[index].workflow_id);
    const bool sequenced = identity_.batch_done(exec->element[indexes.size()], written);
    bool replicated = true;
    if (wait) {
      const redisReply* replicas = replies.back().get();
      replicated = replicas->type == REDIS_REPLY_INTEGER && replicas->integer >= options_.replicas_min;
      if (!replicated)
        log_json(spdlog::level::err, {{"event", "redis_replicas_short"}, {"address", commit_connection_.address()},
                                      {"wait", describe(replicas)}, {"replicas_min", options_.replicas_min},
                                      {"detail", "store.redis_replicas_min replicas did not acknowledge the commit "
                                                 "within " + replicas_timeout + " ms: not acknowledged, retried"}});
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
      } else if (reply->type == REDIS_REPLY_INTEGER &&
                 (reply->integer == redis::kScriptIdentityMissing || reply->integer == redis::kScriptWentBack)) {
        result = WriteResult::unavailable;
        identity_.refused_by_script(reply->integer);
      } else if (reply->type == REDIS_REPLY_ERROR && reply_text(*reply).starts_with("NOSCRIPT")) {
        no_script.push_back(indexes[i]);
      } else {
        // E.g. WRONGTYPE: a key of this workflow holds something else. Retrying will not help, but
        // `unavailable` is the only refusal that does not claim a fact about the workflow.
        result = WriteResult::unavailable;
        log_json(spdlog::level::err, {{"event", "redis_write_failed"}, {"address", commit_connection_.address()},
                                      {"workflow_id", write.workflow_id}, {"reply", describe(reply)}});
      }
      // Applied, but not acknowledged: the retry finds its write id and is answered ok.
      if (!sequenced || !replicated) result = WriteResult::unavailable;
    }
    return no_script;
  }

  void append_write(const WorkflowWrite& write, bool by_sha, const std::string& store_id,
                    const std::string& acknowledged) const {
    const std::string wf = wf_key(write.workflow_id);
    const std::string hist = hist_key(write.workflow_id);
    const std::string epoch = std::to_string(write.epoch);
    const std::string dead_letter = write.dead_letter ? encode_dead_letter(*write.dead_letter) : "";
    const std::string wake_at = std::to_string(write.wake_at_ms);
    const WorkflowSummary& summary = write.summary;
    const std::string version = std::to_string(summary.version);
    const std::string started = std::to_string(summary.started_ms);
    const std::string updated = std::to_string(summary.updated_ms);
    const std::string shard = std::to_string(write.shard < 0 ? -1 : write.shard);
    const std::string fence = options_.key_prefix + "fence:" + (write.shard < 0 ? std::string("none") : shard);
    const std::string inbox = inbox_key(write.workflow_id);
    const std::string inbox_seen = std::to_string(write.inbox_seen);
    Command command{by_sha ? "EVALSHA" : "EVAL",
                    by_sha ? std::string_view(commit_connection_.script_sha()) : kWriteScript,
                    "16", wf, hist, live_key_, dead_key_, wake_key_, workflows_key_,
                    status_keys_[static_cast<size_t>(summary.status)]};
    for (WorkflowStatus other : kWorkflowStatuses) {
      if (other != summary.status) command.add(status_keys_[static_cast<size_t>(other)]);
    }
    command.add(fence);
    command.add(signalled_key_);
    command.add(inbox);
    command.add(identity_.key());
    for (std::string_view arg : std::initializer_list<std::string_view>{
             write.workflow_id, epoch, write.create ? "1" : "0", write.snapshot, write.live ? "1" : "0", dead_letter,
             write.write_id, wake_at, summary.definition, version, to_string(summary.status), started, updated,
             write.clear_dead_letter ? "1" : "0", shard, inbox_seen, store_id, acknowledged}) {
      command.add(arg);
    }
    for (const std::string& event : write.history) command.add(event);
    commit_connection_.append(command);
  }

  static std::array<std::string, kWorkflowStatuses.size()> status_keys_of(const std::string& prefix) {
    std::array<std::string, kWorkflowStatuses.size()> keys;
    for (WorkflowStatus status : kWorkflowStatuses) {
      keys[static_cast<size_t>(status)] = redis::status_key(prefix, status);
    }
    return keys;
  }

  const RedisOptions options_;
  const std::string live_key_;
  const std::string dead_key_;
  const std::string epoch_key_;
  const std::string wake_key_;
  const std::string schedules_key_;
  const std::string signalled_key_;
  const std::string workflows_key_;
  // By WorkflowStatus' value.
  const std::array<std::string, kWorkflowStatuses.size()> status_keys_;
  mutable redis::StoreIdentity identity_;  // before the connections: their connect checks use it
  mutable std::mutex problem_mutex_;
  std::string commit_problem_;

  mutable std::mutex mutex_;  // guards connection_, for everything but commits
  mutable redis::Connection connection_;
  std::mutex commit_mutex_;   // guards commit_connection_
  mutable redis::Connection commit_connection_;
};

}  // namespace

std::shared_ptr<Store> make_redis_store(const RedisOptions& options) {
  return std::make_shared<RedisStore>(options);
}

}  // namespace actorflow
