#pragma once
// One process at a time on a SQLite file: an exclusive flock on "<database>.lock", a file beside
// it holding the holder's pid and name. The kernel releases the lock when the holder exits in any
// way (kill -9 too), so a stale file never blocks anyone. Stores of one process on the same file
// share one lock: flock belongs to an open file description, so a second flock from the same
// process would refuse its own process.
#include <sys/types.h>

#include <memory>
#include <string>

namespace actorflow {

class SqliteLock {
 public:
  // Throws StoreUnavailable naming the lock file, and the holder's pid and name, when another
  // process holds it; or naming the lock file when it cannot be created.
  static std::shared_ptr<SqliteLock> acquire(const std::string& database_path, const std::string& holder);

  SqliteLock(int fd, dev_t device, ino_t inode) : fd_(fd), device_(device), inode_(inode) {}
  ~SqliteLock();  // closes the file (which releases the lock); the file stays
  SqliteLock(const SqliteLock&) = delete;
  SqliteLock& operator=(const SqliteLock&) = delete;

 private:
  int fd_;
  dev_t device_;
  ino_t inode_;
};

}  // namespace actorflow
