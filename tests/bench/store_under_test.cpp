#include "store_under_test.hpp"

#include "redis_server.hpp"

#include <unistd.h>

#include <filesystem>
#include <stdexcept>

namespace bench {

using namespace actorflow;

namespace {

void remove_sqlite_files(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path + suffix);
}

}  // namespace

StoreUnderTest::StoreUnderTest(const std::string& given) {
  // "<store>@machine": the same store at store.durability machine.
  std::string spec = given;
  Durability durability = Durability::process;
  if (const auto at = spec.rfind("@machine"); at != std::string::npos && at + 8 == spec.size()) {
    spec = spec.substr(0, at);
    durability = Durability::machine;
  }
  const bool machine = durability == Durability::machine;
  if (spec == "memory") {
    name_ = description_ = "memory";
    store_ = make_memory_store();
  } else if (spec == "sqlite" || spec.rfind("sqlite:", 0) == 0) {
    name_ = "sqlite";
    std::string path = spec.size() > 7 ? spec.substr(7) : "";
    if (path.empty()) {
      static int made = 0;  // a file of its own for each (two at once would share one)
      path = (std::filesystem::temp_directory_path() /
              ("actorflow-bench-" + std::to_string(getpid()) + "-" + std::to_string(++made) + ".db"))
                 .string();
      sqlite_path_to_remove_ = path;
    }
    remove_sqlite_files(path);
    description_ = "sqlite " + path + (machine ? " (WAL, synchronous=FULL: durability machine)"
                                               : " (WAL, synchronous=NORMAL: durability process)");
    store_ = make_sqlite_store(path, {durability, "bench"});
  } else if (spec == "redis" || spec.rfind("redis:", 0) == 0) {
    name_ = "redis";
    RedisOptions options;
    options.key_prefix = "bench" + std::to_string(getpid()) + ":";
    options.durability = durability;
    if (spec == "redis") {
      actorflow::testing::RedisServer::Options server_options;
      server_options.append_only_every_second = !machine;
      server_options.persistent = machine;
      redis_server_ = std::make_unique<actorflow::testing::RedisServer>(server_options);
      options.port = redis_server_->port();
      description_ = "redis-server started here on port " + std::to_string(options.port) +
                     (machine ? " (appendonly yes, appendfsync always: durability machine)"
                              : " (appendonly yes, appendfsync everysec: durability process)");
    } else {
      const std::string address = spec.substr(6);
      const auto colon = address.rfind(':');
      if (colon == std::string::npos) throw std::invalid_argument("store '" + spec + "': expected redis:HOST:PORT");
      options.host = address.substr(0, colon);
      options.port = std::stoi(address.substr(colon + 1));
      description_ = "redis " + address + " (keys under " + options.key_prefix + ")";
    }
    redis_host_ = options.host;
    redis_port_ = options.port;
    store_ = make_redis_store(options);
  } else {
    throw std::invalid_argument("store '" + given + "': expected memory, sqlite[:PATH] or redis[:HOST:PORT], "
                                "optionally followed by @machine");
  }
  if (machine) name_ += "@machine";
}

StoreUnderTest::~StoreUnderTest() {
  store_.reset();
  if (!sqlite_path_to_remove_.empty()) remove_sqlite_files(sqlite_path_to_remove_);
}

pid_t StoreUnderTest::server_pid() const { return redis_server_ ? redis_server_->pid() : -1; }

}  // namespace bench
