#include "child_process.hpp"

#include <csignal>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace actorflow::testing {

pid_t spawn_program(const std::string& program, const std::vector<std::string>& args) {
  std::vector<std::string> owned{program};
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : owned) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, program.c_str(), nullptr, nullptr, argv.data(), environ) != 0)
    throw std::runtime_error("cannot start " + program);
  return pid;
}

int wait_exit(pid_t pid, std::chrono::milliseconds limit) {
  // By syscall: glibc 2.36's <sys/pidfd.h> declares pidfd_open without C linkage.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) throw std::runtime_error("pidfd_open failed");
  pollfd exited{pidfd, POLLIN, 0};
  const int ready = poll(&exited, 1, static_cast<int>(limit.count()));
  close(pidfd);
  if (ready != 1) kill(pid, SIGKILL);
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || ready != 1) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool kill9(pid_t pid) {
  if (kill(pid, SIGKILL) != 0) return false;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

}  // namespace actorflow::testing
