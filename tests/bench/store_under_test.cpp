#include "store_under_test.hpp"

#include "redis_server.hpp"

#include <unistd.h>

#include <filesystem>
#include <stdexcept>

namespace bench {

using namespace actorflow;

namespace {

void remove_sqlite_files(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

}  // namespace

StoreUnderTest::StoreUnderTest(const std::string& spec) {
  if (spec == "memory") {
    name_ = description_ = "memory";
    store_ = make_memory_store();
  } else if (spec == "sqlite" || spec.rfind("sqlite:", 0) == 0) {
    name_ = "sqlite";
    std::string path = spec.size() > 7 ? spec.substr(7) : "";
    if (path.empty()) {
      path = (std::filesystem::temp_directory_path() / ("actorflow-bench-" + std::to_string(getpid()) + ".db")).string();
      sqlite_path_to_remove_ = path;
    }
    remove_sqlite_files(path);
    description_ = "sqlite " + path + " (WAL, synchronous=NORMAL)";
    store_ = make_sqlite_store(path);
  } else if (spec == "redis" || spec.rfind("redis:", 0) == 0) {
    name_ = "redis";
    RedisOptions options;
    options.key_prefix = "bench" + std::to_string(getpid()) + ":";
    if (spec == "redis") {
      actorflow::testing::RedisServer::Options server_options;
      server_options.append_only_every_second = true;
      redis_server_ = std::make_unique<actorflow::testing::RedisServer>(server_options);
      options.port = redis_server_->port();
      description_ = "redis-server started here on port " + std::to_string(options.port) +
                     " (appendonly yes, appendfsync everysec)";
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
    throw std::invalid_argument("store '" + spec + "': expected memory, sqlite[:PATH] or redis[:HOST:PORT]");
  }
}

StoreUnderTest::~StoreUnderTest() {
  store_.reset();
  if (!sqlite_path_to_remove_.empty()) remove_sqlite_files(sqlite_path_to_remove_);
}

pid_t StoreUnderTest::server_pid() const { return redis_server_ ? redis_server_->pid() : -1; }

}  // namespace bench
