#include "redis_server.hpp"

#include <hiredis/hiredis.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace actorflow::testing {
namespace {

// Readiness is polled: up to kReadyTriesMax connection attempts kReadyPollInterval apart.
constexpr int kReadyTriesMax = 1000;
constexpr auto kReadyPollInterval = std::chrono::milliseconds(10);
constexpr int kPingTimeoutMs = 1000;
constexpr int kStartAttemptsMax = 3;
constexpr auto kStopWaitMax = std::chrono::seconds(10);

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("RedisServer: " + what); }

std::string errno_text() { return std::strerror(errno); }

std::string find_redis_server() {
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      if (dir.empty()) continue;
      std::string candidate = dir + "/redis-server";
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  if (access("/usr/bin/redis-server", X_OK) == 0) return "/usr/bin/redis-server";
  fail("redis-server not found in PATH nor at /usr/bin/redis-server: install it "
       "(apt-get install redis-server; scripts/install-deps.sh does)");
}

// A loopback port nobody listens on now: the one the kernel picks for a socket bound to port 0.
int free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket: " + errno_text());
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::string error = errno_text();
    close(fd);
    fail("cannot find a free port: " + error);
  }
  close(fd);
  return ntohs(address.sin_port);
}

std::string make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "actorflow-redis-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) fail("mkdtemp: " + errno_text());
  return pattern;
}

std::string tail_of(const std::filesystem::path& path, size_t chars_max) {
  std::ifstream in(path);
  if (!in) return "";
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  return all.size() > chars_max ? all.substr(all.size() - chars_max) : all;
}

struct ContextDeleter {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};

// True when the server at `port` is process `pid`, answers PING and has finished loading its data.
bool answers(int port, pid_t pid) {
  timeval timeout{kPingTimeoutMs / 1000, (kPingTimeoutMs % 1000) * 1000};
  std::unique_ptr<redisContext, ContextDeleter> context(redisConnectWithTimeout("127.0.0.1", port, timeout));
  if (!context || context->err != 0) return false;
  if (redisSetTimeout(context.get(), timeout) != REDIS_OK) return false;
  std::unique_ptr<redisReply, ReplyDeleter> ping(static_cast<redisReply*>(redisCommand(context.get(), "PING")));
  if (!ping || ping->type != REDIS_REPLY_STATUS || std::string(ping->str, ping->len) != "PONG") return false;
  std::unique_ptr<redisReply, ReplyDeleter> info(
      static_cast<redisReply*>(redisCommand(context.get(), "INFO")));
  if (!info || info->type != REDIS_REPLY_STRING) return false;
  const std::string text(info->str, info->len);
  return text.find("\nprocess_id:" + std::to_string(pid) + "\r") != std::string::npos &&
         text.find("\nloading:0\r") != std::string::npos;
}

}  // namespace

RedisServer::RedisServer(Options options, std::vector<std::string> extra_args)
    : options_(options), extra_args_(std::move(extra_args)), executable_(find_redis_server()), dir_(make_temp_dir()) {
  // Another process may take the free port before the server binds it: then try another one.
  for (int attempt = 1;; ++attempt) {
    try {
      port_ = free_loopback_port();
      start();
      return;
    } catch (...) {
      if (attempt < kStartAttemptsMax) continue;
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
      throw;
    }
  }
}

RedisServer::~RedisServer() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void RedisServer::start() {
  std::vector<std::string> args = {executable_,
                                   "--port", std::to_string(port_),
                                   "--bind", "127.0.0.1",
                                   "--dir", dir_,
                                   "--logfile", dir_ + "/redis.log",
                                   "--daemonize", "no",
                                   "--save", ""};
  if (options_.persistent) {
    args.insert(args.end(), {"--appendonly", "yes", "--appendfsync", "always"});
  } else if (options_.append_only_every_second) {
    args.insert(args.end(), {"--appendonly", "yes", "--appendfsync", "everysec"});
  } else {
    args.insert(args.end(), {"--appendonly", "no"});
  }
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  // What redis-server prints before its log file is open (a bad option, say).
  const std::string output_path = dir_ + "/output.log";
  int output = open(output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (output < 0) fail("open " + output_path + ": " + errno_text());

  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(output);
    fail("fork: " + errno_text());
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec. Dies with the thread that started it, so a
    // crashed test leaves no server behind.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    dup2(output, STDOUT_FILENO);
    dup2(output, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(output);
  pid_ = pid;
  wait_until_ready();
}

void RedisServer::wait_until_ready() {
  for (int attempt = 0; attempt < kReadyTriesMax; ++attempt) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      fail(executable_ + " on port " + std::to_string(port_) + " exited while starting (wait status " +
           std::to_string(status) + "):\n" + log_tail());
    }
    if (answers(port_, pid_)) return;
    std::this_thread::sleep_for(kReadyPollInterval);
  }
  kill9();
  fail(executable_ + " on port " + std::to_string(port_) + " did not answer PING after " +
       std::to_string(kReadyTriesMax) + " tries:\n" + log_tail());
}

void RedisServer::signal_and_wait(int signal) {
  if (pid_ <= 0) return;
  kill(pid_, signal);
  kill(pid_, SIGCONT);  // a paused server acts on the signal only once continued
  while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  kill(pid_, SIGCONT);  // a paused server acts on the signal only once continued
  const auto deadline = std::chrono::steady_clock::now() + kStopWaitMax;
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t done = waitpid(pid_, nullptr, WNOHANG);
    if (done == pid_ || (done < 0 && errno != EINTR)) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling a child's exit, bounded
  }
  signal_and_wait(SIGKILL);
}

void RedisServer::kill9() { signal_and_wait(SIGKILL); }

void RedisServer::restart() {
  stop();
  start();
}

void RedisServer::pause() {
  if (pid_ > 0) kill(pid_, SIGSTOP);
}

void RedisServer::resume() {
  if (pid_ > 0) kill(pid_, SIGCONT);
}

std::string RedisServer::log_tail() const {
  constexpr size_t kTailChars = 2000;
  return tail_of(dir_ + "/output.log", kTailChars) + tail_of(dir_ + "/redis.log", kTailChars);
}

}  // namespace actorflow::testing
