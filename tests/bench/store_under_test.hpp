#pragma once
// The stores a benchmark run compares, from their command-line specs:
//   memory            the in-process store
//   sqlite[:PATH]     a fresh SQLite file (WAL, synchronous=NORMAL); removed afterwards when no
//                     PATH is given
//   redis[:HOST:PORT] a redis-server this program starts on a free loopback port (appendonly yes,
//                     appendfsync everysec), or one already running (keys under a fresh prefix)
// Each at store.durability process; with "@machine" appended (sqlite@machine, redis@machine) at
// machine: SQLite synchronous=FULL, the redis-server started with appendfsync always (and checked).
#include <actorflow/store.hpp>

#include <sys/types.h>

#include <memory>
#include <string>

namespace actorflow::testing {
class RedisServer;
}

namespace bench {

class StoreUnderTest {
 public:
  // Throws std::invalid_argument naming a bad spec; std::runtime_error when it cannot be opened.
  explicit StoreUnderTest(const std::string& spec);
  ~StoreUnderTest();
  StoreUnderTest(const StoreUnderTest&) = delete;
  StoreUnderTest& operator=(const StoreUnderTest&) = delete;

  const std::string& name() const { return name_; }  // memory, sqlite, redis (+ "@machine")
  const std::string& description() const { return description_; }
  std::shared_ptr<actorflow::Store> store() const { return store_; }
  // The store's server process (redis-server started here), or -1.
  pid_t server_pid() const;
  bool is_redis() const { return name_.rfind("redis", 0) == 0; }
  const std::string& redis_host() const { return redis_host_; }
  int redis_port() const { return redis_port_; }

 private:
  std::string name_;
  std::string description_;
  std::string sqlite_path_to_remove_;
  std::unique_ptr<actorflow::testing::RedisServer> redis_server_;
  std::string redis_host_;
  int redis_port_ = 0;
  std::shared_ptr<actorflow::Store> store_;
};

}  // namespace bench
