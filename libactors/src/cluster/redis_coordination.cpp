// Coordination on Redis: member records with a TTL, shard leases and fences (coordination.hpp).
#include "store/redis_connection.hpp"
#include <actorflow/bounded_parse.hpp>

#include <actorflow/coordination.hpp>
#include <actorflow/json.hpp>

#include <charconv>
#include <mutex>

namespace actorflow {
namespace {

// KEYS: lease, fence, epoch counter. ARGV: operation, node id, epoch, ttl in ms.
//   claim   -> the new epoch, or 0 when the lease is held
//   renew   -> 1 kept, 0 lost
//   release -> 1 released, 0 not held
// The epoch counter is the store's (next_epoch), so lease epochs and engine epochs are comparable.
constexpr std::string_view kLeaseScript = R"lua(
local op = ARGV[1]
local mine = ARGV[2] .. ' ' .. ARGV[3]
if op == 'claim' then
  if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
  local epoch = redis.call('INCR', KEYS[3])
  redis.call('SET', KEYS[1], ARGV[2] .. ' ' .. epoch, 'PX', ARGV[4])
  redis.call('SET', KEYS[2], epoch)
  return epoch
elseif op == 'renew' then
  local held = redis.call('GET', KEYS[1])
  if held == mine then
    redis.call('PEXPIRE', KEYS[1], ARGV[4])
    return 1
  end
  if not held and redis.call('GET', KEYS[2]) == ARGV[3] then
    redis.call('SET', KEYS[1], mine, 'PX', ARGV[4])
    return 1
  end
  return 0
elseif op == 'release' then
  if redis.call('GET', KEYS[1]) == mine then
    redis.call('DEL', KEYS[1])
    return 1
  end
  return 0
end
return redis.error_reply('unknown lease operation ' .. tostring(op))
)lua";

using redis::Command;
using redis::Reply;

std::string encode_record(const NodeRecord& record) {
  return Json{{"node_id", record.node_id},
              {"cluster_host", record.cluster_host},
              {"cluster_port", record.cluster_port},
              {"http_address", record.http_address},
              {"handlers", record.handlers},
              {"started_ms", record.started_ms}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<NodeRecord> decode_record(std::string_view text) {
  Json json = parse_json_or_discarded(text, stored_json_depth_max());
  if (!json.is_object()) return std::nullopt;
  try {
    NodeRecord record;
    record.node_id = json.at("node_id").get<std::string>();
    record.cluster_host = json.at("cluster_host").get<std::string>();
    record.cluster_port = json.at("cluster_port").get<uint16_t>();
    record.http_address = json.value("http_address", std::string());
    record.handlers = json.value("handlers", std::vector<std::string>{});
    record.started_ms = json.value("started_ms", int64_t{0});
    return record;
  } catch (const Json::exception&) {
    return std::nullopt;
  }
}

class RedisCoordination final : public Coordination {
 public:
  explicit RedisCoordination(RedisOptions options)
      : prefix_(options.key_prefix), nodes_key_(prefix_ + "nodes"), epoch_key_(prefix_ + "epoch"),
        connection_(std::move(options), kLeaseScript) {}

  void heartbeat(const NodeRecord& self, Millis ttl) override {
    std::lock_guard lock(mutex_);
    const std::string ttl_ms = std::to_string(ttl.count());
    const std::string record = encode_record(self);
    connection_.append({"SET", node_key(self.node_id), record, "PX", ttl_ms});
    connection_.append({"SADD", nodes_key_, self.node_id});
    for (const Reply& reply : connection_.read_replies(2))
      if (reply->type == REDIS_REPLY_ERROR) connection_.unexpected("heartbeat", reply.get());
  }

  std::vector<NodeRecord> members() override {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids = connection_.strings_of("SMEMBERS", connection_.run({"SMEMBERS", nodes_key_}).get());
    std::sort(ids.begin(), ids.end());
    if (ids.empty()) return {};
    std::vector<std::string> keys;
    for (const auto& id : ids) keys.push_back(node_key(id));
    Command mget{"MGET"};
    for (const auto& key : keys) mget.add(key);
    Reply reply = connection_.run(mget);
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != ids.size()) connection_.unexpected("MGET", reply.get());
    std::vector<NodeRecord> members;
    for (size_t i = 0; i < ids.size(); ++i) {
      const redisReply* entry = reply->element[i];
      std::optional<NodeRecord> record;
      if (redis::is_string(entry)) record = decode_record(redis::reply_text(*entry));
      if (record && record->node_id == ids[i]) {
        members.push_back(std::move(*record));
      } else if (entry->type == REDIS_REPLY_NIL) {
        connection_.run({"SREM", nodes_key_, ids[i]});  // its heartbeat expired
      }
    }
    return members;
  }

  void leave(const std::string& node_id) override {
    std::lock_guard lock(mutex_);
    connection_.append({"DEL", node_key(node_id)});
    connection_.append({"SREM", nodes_key_, node_id});
    connection_.read_replies(2);
  }

  std::optional<uint64_t> claim(int shard, const std::string& node_id, Millis ttl) override {
    std::lock_guard lock(mutex_);
    Reply reply = lease_call("claim", shard, node_id, "0", ttl);
    if (reply->type != REDIS_REPLY_INTEGER || reply->integer < 0) connection_.unexpected("lease claim", reply.get());
    if (reply->integer == 0) return std::nullopt;
    return static_cast<uint64_t>(reply->integer);
  }

  std::vector<bool> renew(const std::string& node_id, const std::vector<HeldLease>& leases, Millis ttl) override {
    std::lock_guard lock(mutex_);
    std::vector<bool> kept;
    kept.reserve(leases.size());
    if (leases.empty()) return kept;
    const std::string ttl_ms = std::to_string(ttl.count());
    std::vector<std::string> epochs;
    for (const auto& lease : leases) append_lease_call(true, "renew", lease.shard, node_id, std::to_string(lease.epoch), ttl_ms);
    std::vector<Reply> replies = connection_.read_replies(leases.size());
    for (size_t i = 0; i < leases.size(); ++i) {
      Reply& reply = replies[i];
      if (reply->type == REDIS_REPLY_ERROR && redis::reply_text(*reply).starts_with("NOSCRIPT"))
        reply = lease_call("renew", leases[i].shard, node_id, std::to_string(leases[i].epoch), ttl);
      if (reply->type != REDIS_REPLY_INTEGER) connection_.unexpected("lease renew", reply.get());
      kept.push_back(reply->integer == 1);
    }
    return kept;
  }

  bool release(int shard, const std::string& node_id, uint64_t epoch) override {
    std::lock_guard lock(mutex_);
    Reply reply = lease_call("release", shard, node_id, std::to_string(epoch), Millis(0));
    if (reply->type != REDIS_REPLY_INTEGER) connection_.unexpected("lease release", reply.get());
    return reply->integer == 1;
  }

  std::vector<ShardLease> leases(int shards) override {
    std::lock_guard lock(mutex_);
    std::vector<ShardLease> out(static_cast<size_t>(std::max(shards, 0)));
    if (shards <= 0) return out;
    std::vector<std::string> keys;
    for (int shard = 0; shard < shards; ++shard) keys.push_back(lease_key(shard));
    Command mget{"MGET"};
    for (const auto& key : keys) mget.add(key);
    Reply reply = connection_.run(mget);
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != out.size()) connection_.unexpected("MGET", reply.get());
    for (int shard = 0; shard < shards; ++shard) {
      ShardLease& lease = out[static_cast<size_t>(shard)];
      lease.shard = shard;
      const redisReply* entry = reply->element[shard];
      if (!redis::is_string(entry)) continue;
      const std::string_view text = redis::reply_text(*entry);
      const size_t space = text.rfind(' ');
      if (space == std::string_view::npos) connection_.fail("malformed lease '" + std::string(text) + "' of shard " + std::to_string(shard));
      lease.owner = std::string(text.substr(0, space));
      const std::string_view epoch = text.substr(space + 1);
      auto [end, error] = std::from_chars(epoch.data(), epoch.data() + epoch.size(), lease.epoch);
      if (error != std::errc{} || end != epoch.data() + epoch.size())
        connection_.fail("malformed lease '" + std::string(text) + "' of shard " + std::to_string(shard));
    }
    return out;
  }

 private:
  std::string node_key(const std::string& id) const { return prefix_ + "node:" + id; }
  std::string lease_key(int shard) const { return prefix_ + "lease:" + std::to_string(shard); }
  std::string fence_key(int shard) const { return prefix_ + "fence:" + std::to_string(shard); }

  void append_lease_call(bool by_sha, std::string_view op, int shard, const std::string& node_id,
                         const std::string& epoch, const std::string& ttl_ms) {
    const std::string lease = lease_key(shard), fence = fence_key(shard);
    connection_.append({by_sha ? "EVALSHA" : "EVAL", by_sha ? std::string_view(connection_.script_sha()) : kLeaseScript,
                        "3", lease, fence, epoch_key_, op, node_id, epoch, ttl_ms});
  }

  // One lease operation; sent in full when the server's script cache lost the script.
  Reply lease_call(std::string_view op, int shard, const std::string& node_id, const std::string& epoch, Millis ttl) {
    const std::string ttl_ms = std::to_string(ttl.count());
    append_lease_call(true, op, shard, node_id, epoch, ttl_ms);
    Reply reply = std::move(connection_.read_replies(1).front());
    if (reply->type == REDIS_REPLY_ERROR && redis::reply_text(*reply).starts_with("NOSCRIPT")) {
      append_lease_call(false, op, shard, node_id, epoch, ttl_ms);
      reply = std::move(connection_.read_replies(1).front());
    }
    if (reply->type == REDIS_REPLY_ERROR) connection_.unexpected("lease " + std::string(op), reply.get());
    return reply;
  }

  const std::string prefix_;
  const std::string nodes_key_;
  const std::string epoch_key_;
  std::mutex mutex_;
  redis::Connection connection_;
};

}  // namespace

std::shared_ptr<Coordination> make_redis_coordination(const RedisOptions& options) {
  return std::make_shared<RedisCoordination>(options);
}

}  // namespace actorflow
