#include "headless_chromium.hpp"

#include "temp_dir.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace actorflow::testing {

namespace {

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace

// Kills and reaps every process left over from the run: killing one may orphan its own children
// to this process, so repeat until none is left (bounded).
void reap_leftovers(const std::vector<pid_t>& children_before) {
  for (int round = 0; round < 50; ++round) {
    std::vector<pid_t> children = children_of_this_process();
    std::erase_if(children, [&](pid_t child) {
      return std::find(children_before.begin(), children_before.end(), child) != children_before.end();
    });
    if (children.empty()) return;
    for (pid_t child : children) {
      kill(child, SIGKILL);
      int status = 0;
      waitpid(child, &status, 0);
    }
  }
}

std::vector<std::string> environment_with_home(const std::string& home) {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string variable(*entry);
    if (variable.rfind("HOME=", 0) == 0 || variable.rfind("XDG_CONFIG_HOME=", 0) == 0 ||
        variable.rfind("XDG_CACHE_HOME=", 0) == 0)
      continue;
    environment.push_back(variable);
  }
  environment.push_back("HOME=" + home);
  environment.push_back("XDG_CONFIG_HOME=" + home + "/.config");
  environment.push_back("XDG_CACHE_HOME=" + home + "/.cache");
  return environment;
}

std::vector<std::string> headless_flags(const std::string& profile_dir) {
  return {"--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-dev-shm-usage",
          "--user-data-dir=" + profile_dir,
          "--no-first-run",
          "--no-default-browser-check",
          "--disable-extensions",
          "--disable-sync",
          "--disable-background-networking",
          "--disable-component-update",
          "--hide-scrollbars",
          "--mute-audio"};
}

namespace {

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Starts the program in a process group of its own, stdin from /dev/null, stdout and stderr to
// files.
pid_t spawn_in_own_group(std::vector<std::string> argv, std::vector<std::string> environment,
                         const std::string& out_path, const std::string& err_path) {
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&files, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);

  std::vector<char*> args = pointers_to(argv);
  std::vector<char*> env = pointers_to(environment);
  pid_t pid = -1;
  const int failed = posix_spawn(&pid, argv[0].c_str(), &files, &attributes, args.data(), env.data());
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attributes);
  if (failed != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(failed));
  return pid;
}

// True when the process exited within `limit`.
bool exits_within(pid_t pid, std::chrono::milliseconds limit) {
  // By syscall: glibc 2.36's <sys/pidfd.h> declares pidfd_open without C linkage.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) throw std::runtime_error(std::string("pidfd_open failed: ") + std::strerror(errno));
  pollfd exited{pidfd, POLLIN, 0};
  int ready = -1;
  do {
    ready = poll(&exited, 1, static_cast<int>(limit.count()));
  } while (ready < 0 && errno == EINTR);
  close(pidfd);
  return ready == 1;
}

}  // namespace

const char* const kChromiumMissing =
    "chromium is not installed (no 'chromium' on PATH): the dashboard browser tests need it. "
    "Install it with scripts/install-deps.sh (Debian package 'chromium').";

std::vector<pid_t> children_of_this_process() {
  std::vector<pid_t> children;
  const pid_t self = getpid();
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ignored)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
    const std::string stat = read_whole_file(entry.path().string() + "/stat");
    const size_t comm_end = stat.rfind(')');
    if (comm_end == std::string::npos) continue;
    std::istringstream fields(stat.substr(comm_end + 1));
    std::string state;
    pid_t parent = 0;
    if (fields >> state >> parent && parent == self) children.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return children;
}

std::string find_chromium() {
  const char* path = std::getenv("PATH");
  std::istringstream directories(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string directory;
  while (std::getline(directories, directory, ':')) {
    const std::string candidate = (directory.empty() ? std::string(".") : directory) + "/chromium";
    std::error_code ignored;
    if (std::filesystem::is_regular_file(candidate, ignored) && access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return {};
}

ChromiumRun run_headless_chromium(const std::string& chromium, const std::vector<std::string>& args,
                                  std::chrono::milliseconds limit) {
  // Orphans of the browser (crashpad handlers in their own sessions) come to this process.
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    throw std::runtime_error(std::string("prctl(PR_SET_CHILD_SUBREAPER) failed: ") + std::strerror(errno));

  TempDir home;
  std::vector<std::string> argv{chromium};
  for (auto& flag : headless_flags(home.file("profile"))) argv.push_back(std::move(flag));
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string out_path = home.file("stdout.txt");
  const std::string err_path = home.file("stderr.txt");

  const std::vector<pid_t> children_before = children_of_this_process();
  const pid_t pid = spawn_in_own_group(argv, environment_with_home(home.path().string()), out_path, err_path);
  ChromiumRun run;
  run.timed_out = !exits_within(pid, limit);
  // Before reaping it, so its pid (the group's id) cannot have been reused: what is left of its
  // process group (renderers, zygotes).
  kill(-pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  reap_leftovers(children_before);
  run.out = read_whole_file(out_path);
  run.err = read_whole_file(err_path);
  return run;
}

}  // namespace actorflow::testing
