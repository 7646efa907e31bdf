#pragma once
// A real redis-server for tests: a child process on a free loopback port with its own temporary
// directory. Throws std::runtime_error (so the test using it fails) when redis-server is missing
// or does not come up.
#include <sys/types.h>

#include <string>
#include <vector>

namespace actorflow::testing {

class RedisServer {
 public:
  struct Options {
    // appendonly yes + appendfsync always: every acknowledged write survives stop(), kill9() and
    // restart(), and a crash of the machine (store.durability machine needs it: use this for
    // tests of machine durability). Otherwise nothing is persisted (--save '' --appendonly no).
    bool persistent = false;
    // appendonly yes + appendfsync everysec, as production servers often run (benchmarks, and
    // tests that machine durability refuses it). Survives kill9(), not a crash of the machine.
    bool append_only_every_second = false;
  };

  RedisServer() : RedisServer(Options{}) {}
  // Starts it; `extra_args` are more redis-server arguments, e.g. {"--replicaof", "127.0.0.1",
  // "6379"} or {"--rename-command", "CONFIG", ""}.
  explicit RedisServer(Options options, std::vector<std::string> extra_args = {});
  ~RedisServer();                         // stops it and removes its directory
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // SIGTERM, then waits for the process to exit; no-op when not running. Redis may refuse a
  // shutdown (a replica writing its initial AOF answers "can't exit" and runs on): after
  // kStopWaitMax it is killed with SIGKILL, so that a test never hangs on a stop.
  void stop();
  void kill9();    // SIGKILL, then waits for the process to exit
  void restart();  // stop() when running, then start again on the same port and directory
  void pause();    // SIGSTOP: connections are accepted but nothing is answered
  void resume();   // SIGCONT

 private:
  void start();
  void wait_until_ready();
  void signal_and_wait(int signal);
  std::string log_tail() const;

  Options options_;
  std::vector<std::string> extra_args_;
  std::string executable_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace actorflow::testing
