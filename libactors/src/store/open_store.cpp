#include <actorflow/coordination.hpp>
#include <actorflow/store.hpp>
#include <actorflow/store_kinds.hpp>

#include <stdexcept>

namespace actorflow {

std::optional<RedisOptions> redis_options_of(const std::string& spec) {
  if (spec.rfind("redis:", 0) != 0) return std::nullopt;
  // redis:<host>:<port>[:<prefix>]
  const std::string rest = spec.substr(6);
  const size_t host_end = rest.find(':');
  if (host_end == std::string::npos || host_end == 0)
    throw std::invalid_argument("store '" + spec + "': expected redis:<host>:<port>[:<prefix>]");
  RedisOptions options;
  options.host = rest.substr(0, host_end);
  const size_t port_end = rest.find(':', host_end + 1);
  const std::string port = rest.substr(host_end + 1, port_end == std::string::npos ? std::string::npos : port_end - host_end - 1);
  try {
    size_t used = 0;
    options.port = std::stoi(port, &used);
    if (used != port.size() || options.port <= 0 || options.port > 65535) throw std::out_of_range(port);
  } catch (const std::exception&) {
    throw std::invalid_argument("store '" + spec + "': bad redis port '" + port + "'");
  }
  if (port_end != std::string::npos) options.key_prefix = rest.substr(port_end + 1);
  return options;
}

std::shared_ptr<Store> open_store(const std::string& spec, const StoreSettings& settings) {
  if (spec == "memory") return make_memory_store();
  if (spec.rfind("sqlite:", 0) == 0 && spec.size() > 7)
    return make_sqlite_store(spec.substr(7), SqliteOptions{settings.durability, settings.holder});
  if (auto redis = redis_options_of(spec)) {
    redis->durability = settings.durability;
    redis->replicas_min = settings.redis_replicas_min;
    return make_redis_store(*redis);
  }
  throw std::invalid_argument("store '" + spec + "': expected memory, sqlite:<path> or redis:<host>:<port>[:<prefix>]");
}

std::vector<std::string> store_kinds() { return {"memory", "sqlite", "redis"}; }

std::shared_ptr<Coordination> open_coordination(const std::string& spec) {
  if (auto redis = redis_options_of(spec)) return make_redis_coordination(*redis);
  throw std::invalid_argument("store '" + spec + "': a cluster needs a redis:<host>:<port>[:<prefix>] store");
}

}  // namespace actorflow
