#include "store/sqlite_lock.hpp"

#include <actorflow/store.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <utility>

namespace actorflow {
namespace {

constexpr size_t kHolderTextMax = 4096;

// The locks this process holds, by the lock file's device and inode.
std::mutex& registry_mutex() {
  static std::mutex mutex;
  return mutex;
}
std::map<std::pair<dev_t, ino_t>, std::weak_ptr<SqliteLock>>& registry() {
  static std::map<std::pair<dev_t, ino_t>, std::weak_ptr<SqliteLock>> locks;
  return locks;
}

std::string read_all(int fd) {
  std::string text(kHolderTextMax, '\0');
  const ssize_t got = pread(fd, text.data(), text.size(), 0);
  text.resize(got > 0 ? static_cast<size_t>(got) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text;
}

}  // namespace

std::shared_ptr<SqliteLock> SqliteLock::acquire(const std::string& database_path, const std::string& holder) {
  const std::string lock_path = database_path + ".lock";
  const auto fail = [&](const std::string& what) {
    throw StoreUnavailable("sqlite store '" + database_path + "': " + what);
  };
  const int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot open its lock file '" + lock_path + "': " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const std::string error = std::strerror(errno);
    close(fd);
    fail("cannot stat its lock file '" + lock_path + "': " + error);
  }
  std::lock_guard lock(registry_mutex());
  const auto key = std::make_pair(st.st_dev, st.st_ino);
  if (auto held = registry()[key].lock()) {
    close(fd);  // another description of the file: closing it leaves the held flock alone
    return held;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const std::string text = read_all(fd);
    close(fd);
    if (error == EWOULDBLOCK)
      fail("in use by another process (" + (text.empty() ? std::string("holder not yet written") : text) +
           "; lock file '" + lock_path + "' held with flock): one process at a time may open it; stop that one "
           "or give this one another file");
    fail("cannot lock '" + lock_path + "': " + std::strerror(error));
  }
  const std::string text = "pid " + std::to_string(getpid()) + ", node '" + holder + "'\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    const std::string error = std::strerror(errno);
    close(fd);
    fail("cannot write its lock file '" + lock_path + "': " + error);
  }
  auto made = std::make_shared<SqliteLock>(fd, st.st_dev, st.st_ino);
  registry()[key] = made;
  return made;
}

SqliteLock::~SqliteLock() {
  std::lock_guard lock(registry_mutex());
  auto it = registry().find({device_, inode_});
  if (it != registry().end() && it->second.expired()) registry().erase(it);
  close(fd_);
}

}  // namespace actorflow
