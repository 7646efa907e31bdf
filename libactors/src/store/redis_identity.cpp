#include "store/redis_identity.hpp"

#include <actorflow/json.hpp>
#include <actorflow/logging.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <random>
#include <set>

namespace actorflow::redis {
namespace {

constexpr size_t kRecentBatchesMax = 4096;  // batches whose workflows a rollback report can name
constexpr size_t kLostListedMax = 50;       // workflow ids a rollback report lists

// KEYS[1] identity. ARGV[1]: '1' when this store may create the record (its first connect), ARGV[2]
// the new id, ARGV[3] now (ms). Returns {id, seq, fault}, nil where absent.
constexpr std::string_view kOpenScript = R"lua(
if ARGV[1] == '1' and redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'id', ARGV[2], 'created_ms', ARGV[3], 'seq', '0')
end
return redis.call('HMGET', KEYS[1], 'id', 'seq', 'fault')
)lua";

// KEYS[1] identity. ARGV[1] the id the batch's writes carried, ARGV[2] the last sequence this store
// acknowledged. Runs last in the batch's MULTI/EXEC, after the writes (which made the same check).
// Returns {0, new seq}, {3} (identity missing or another one), {4, seq, fault} (went back in time).
constexpr std::string_view kBumpScript = R"lua(
local ident = redis.call('HMGET', KEYS[1], 'id', 'seq', 'fault')
if ident[1] ~= ARGV[1] then return {3} end
if ident[3] then return {4, ident[2], ident[3]} end
if tonumber(ident[2]) < tonumber(ARGV[2]) then
  local fault = 'the store went back in time: its commit sequence is ' .. ident[2] ..
                ', below ' .. ARGV[2] .. ' which a node had acknowledged'
  redis.call('HSET', KEYS[1], 'fault', fault)
  return {4, ident[2], fault}
end
return {0, redis.call('HINCRBY', KEYS[1], 'seq', 1)}
)lua";

std::string random_id() {
  std::random_device device;
  std::mt19937_64 bits((static_cast<uint64_t>(device()) << 32) ^ device());
  const char* hex = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 32; ++i) id += hex[bits() & 15];
  return id;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<uint64_t> number_of(const redisReply* reply) {
  if (reply == nullptr) return std::nullopt;
  if (reply->type == REDIS_REPLY_INTEGER && reply->integer >= 0) return static_cast<uint64_t>(reply->integer);
  if (!is_string(reply)) return std::nullopt;
  uint64_t value = 0;
  const auto text = reply_text(*reply);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

StoreIdentity::StoreIdentity(const RedisOptions& options, std::string key)
    : options_(options), key_(std::move(key)), address_(options.host + ":" + std::to_string(options.port)) {}

void StoreIdentity::check(Connection& connection) {
  if (options_.durability == Durability::machine) check_settings(connection);
  check_record(connection);
}

void StoreIdentity::check_settings(Connection& connection) {
  const auto refuse = [&](const std::string& what) {
    const std::string reason = "redis " + address_ + ": " + what;
    {
      std::lock_guard lock(mutex_);
      if (settings_refusal_ == reason) throw SettingsRefused(reason);
      settings_refusal_ = reason;
    }
    log_json(spdlog::level::err, {{"event", "redis_durability_refused"}, {"address", address_}, {"detail", reason}});
    throw SettingsRefused(reason);
  };
  const auto setting = [&](const std::string& name) {
    Reply reply = connection.ask({"CONFIG", "GET", name});
    if (reply->type == REDIS_REPLY_ERROR)
      refuse("CONFIG GET " + name + " failed (" + std::string(reply_text(*reply)) +
             "): CONFIG is renamed or disabled on this server, so store.durability machine cannot check that it has "
             "appendonly yes and appendfsync always; allow CONFIG GET, or set store.durability: process");
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 || !is_string(reply->element[1]))
      refuse("unexpected " + describe(reply.get()) + " to CONFIG GET " + name);
    return std::string(reply_text(*reply->element[1]));
  };
  const std::string needs =
      "store.durability machine needs appendonly yes and appendfsync always (start redis-server with "
      "--appendonly yes --appendfsync always), or set store.durability: process";
  if (const std::string value = setting("appendonly"); value != "yes")
    refuse("appendonly is '" + value + "'; " + needs);
  if (const std::string value = setting("appendfsync"); value != "always")
    refuse("appendfsync is '" + value + "'; " + needs);
  std::lock_guard lock(mutex_);
  if (!settings_refusal_.empty()) {
    log_json(spdlog::level::warn, {{"event", "redis_durability_accepted"}, {"address", address_}});
    settings_refusal_.clear();
  }
}

void StoreIdentity::check_record(Connection& connection) {
  std::string known_id;
  uint64_t acknowledged = 0;
  {
    std::lock_guard lock(mutex_);
    if (!fault_.empty()) throw StoreUnavailable(fault_);
    known_id = id_;
    acknowledged = acknowledged_;
  }
  Reply reply = connection.ask({"EVAL", kOpenScript, "1", key_, known_id.empty() ? "1" : "0", random_id(),
                                std::to_string(now_ms())});
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) connection.unexpected("EVAL (identity)", reply.get());
  const redisReply* id = reply->element[0];
  if (!is_string(id)) {
    set_fault("store identity record missing: the Redis data was flushed or replaced (" + key_ + " on redis " +
                  address_ + " is gone; it held store id " + known_id + ")",
              "store_identity_missing");
    throw StoreUnavailable(fault());
  }
  const std::string found(reply_text(*id));
  if (!known_id.empty() && found != known_id) {
    set_fault("store identity record replaced: the Redis data was flushed or replaced (" + key_ + " on redis " +
                  address_ + " holds store id " + found + ", this store opened " + known_id + ")",
              "store_identity_replaced");
    throw StoreUnavailable(fault());
  }
  if (is_string(reply->element[2])) {
    set_fault("redis " + address_ + ": " + std::string(reply_text(*reply->element[2])) + " (" + key_ +
                  " field 'fault'; after checking what was lost an operator removes it: HDEL " + key_ + " fault)",
              "store_fault_recorded");
    throw StoreUnavailable(fault());
  }
  const auto seq = number_of(reply->element[1]);
  if (!seq) connection.unexpected("EVAL (identity seq)", reply->element[1]);
  if (*seq < acknowledged) {
    went_back(&connection, *seq);
    throw StoreUnavailable(fault());
  }
  std::lock_guard lock(mutex_);
  if (id_.empty()) {
    id_ = found;
    log_json(spdlog::level::info, {{"event", "store_identity"}, {"address", address_}, {"key", key_},
                                   {"store_id", found}, {"seq", *seq}});
  }
}

std::string StoreIdentity::id() const {
  std::lock_guard lock(mutex_);
  return id_;
}

uint64_t StoreIdentity::acknowledged() const {
  std::lock_guard lock(mutex_);
  return acknowledged_;
}

std::string_view StoreIdentity::bump_script() { return kBumpScript; }

bool StoreIdentity::batch_done(const redisReply* reply, const std::vector<std::string>& workflow_ids) {
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements < 1 ||
      reply->element[0]->type != REDIS_REPLY_INTEGER) {
    log_json(spdlog::level::err, {{"event", "redis_commit_refused"}, {"address", address_},
                                  {"detail", "unexpected " + describe(reply) + " to the commit sequence script"}});
    return false;
  }
  const long long code = reply->element[0]->integer;
  if (code == 0 && reply->elements == 2) {
    const auto seq = number_of(reply->element[1]);
    if (!seq) return false;
    std::lock_guard lock(mutex_);
    acknowledged_ = std::max(acknowledged_, *seq);
    recent_.emplace_back(*seq, workflow_ids);
    if (recent_.size() > kRecentBatchesMax) recent_.pop_front();
    return true;
  }
  if (code == kScriptWentBack && reply->elements == 3) {
    const auto seq = number_of(reply->element[1]);
    if (seq && *seq < acknowledged()) went_back(nullptr, *seq);
    else if (is_string(reply->element[2]))
      set_fault("redis " + address_ + ": " + std::string(reply_text(*reply->element[2])) + " (" + key_ +
                    " field 'fault'; after checking what was lost an operator removes it: HDEL " + key_ + " fault)",
                "store_fault_recorded");
    return false;
  }
  refused_by_script(code);
  return false;
}

void StoreIdentity::refused_by_script(long long code) {
  if (code == kScriptWentBack) {
    set_fault("redis " + address_ + ": the store went back in time (" + key_ + " holds a fault or a commit sequence "
                  "below the last one acknowledged)",
              "store_went_back");
    return;
  }
  set_fault("store identity record missing: the Redis data was flushed or replaced (" + key_ + " on redis " +
                address_ + " is gone or holds another store id)",
            "store_identity_missing");
}

void StoreIdentity::went_back(Connection* connection, uint64_t store_seq) {
  uint64_t acknowledged = 0;
  std::set<std::string> lost;
  size_t batches = 0;
  {
    std::lock_guard lock(mutex_);
    acknowledged = acknowledged_;
    for (const auto& [seq, ids] : recent_) {
      if (seq <= store_seq) continue;
      ++batches;
      lost.insert(ids.begin(), ids.end());
    }
  }
  const uint64_t gap = acknowledged - store_seq;
  const std::string reason = "the store went back in time: redis " + address_ + " is at commit sequence " +
                             std::to_string(store_seq) + ", this node had acknowledged sequence " +
                             std::to_string(acknowledged) + " (" + std::to_string(gap) +
                             " commit batches acknowledged since are missing: Redis restarted on an older AOF/RDB?); "
                             "writes refused until an operator checks what was lost and removes the fault "
                             "(HDEL " + key_ + " fault)";
  Json listed = Json::array();
  for (const auto& id : lost) {
    if (listed.size() >= kLostListedMax) break;
    listed.push_back(id);
  }
  log_json(spdlog::level::err, {{"event", "store_went_back"}, {"address", address_}, {"store_seq", store_seq},
                                {"acknowledged_seq", acknowledged}, {"batches_lost", gap},
                                {"batches_known", batches}, {"workflows_written_in_lost_batches", listed},
                                {"workflows_written_in_lost_batches_count", lost.size()}, {"detail", reason}});
  set_fault(reason, "");
  // Other nodes on this Redis see the fault in the record and refuse too.
  if (connection != nullptr) {
    try {
      connection->ask({"HSET", key_, "fault", reason});
    } catch (const StoreUnavailable&) {
    }
  }
}

void StoreIdentity::set_fault(const std::string& reason, const std::string& event) {
  {
    std::lock_guard lock(mutex_);
    if (!fault_.empty()) return;
    fault_ = reason;
  }
  if (!event.empty())
    log_json(spdlog::level::err, {{"event", event}, {"address", address_}, {"detail", reason}});
}

std::string StoreIdentity::fault() const {
  std::lock_guard lock(mutex_);
  return fault_.empty() ? settings_refusal_ : fault_;
}

std::string StoreIdentity::lasting_fault() const {
  std::lock_guard lock(mutex_);
  return fault_;
}

}  // namespace actorflow::redis
