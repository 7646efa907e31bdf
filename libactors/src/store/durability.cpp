#include <actorflow/store.hpp>

namespace actorflow {

std::string_view to_string(Durability durability) {
  switch (durability) {
    case Durability::process: return "process";
    case Durability::machine: return "machine";
  }
  return "unknown";
}

std::optional<Durability> parse_durability(std::string_view text) {
  if (text == "process") return Durability::process;
  if (text == "machine") return Durability::machine;
  return std::nullopt;
}

std::string durability_survives(Durability durability, std::string_view kind) {
  if (kind == "memory") return "nothing survives a restart of this process (memory store)";
  if (durability == Durability::machine) {
    if (kind == "sqlite")
      return "every acknowledged write survives a crash of this process and of the machine (SQLite synchronous=FULL)";
    return "every acknowledged write survives a crash of this process, of redis-server and of its machine "
           "(appendonly yes, appendfsync always, checked at every connect)";
  }
  if (kind != "sqlite" && kind != "redis") return "as far as this store's own settings keep its writes";
  if (kind == "sqlite")
    return "acknowledged writes survive a crash of this process; a crash of the machine (power loss, kernel panic) "
           "may lose the last ones (SQLite synchronous=NORMAL)";
  return "acknowledged writes survive a crash of this process and of redis-server as far as its persistence "
         "settings keep them; a crash of the Redis machine may lose up to a second of them (appendfsync everysec) "
         "or more (no AOF)";
}

}  // namespace actorflow
