#include "chromium_session.hpp"

#include "headless_chromium.hpp"
#include "temp_dir.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace actorflow::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

ChromiumSession::ChromiumSession(const std::string& chromium, std::chrono::milliseconds call_limit)
    : home_(std::make_unique<TempDir>()), limit_(call_limit) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    throw std::runtime_error(std::string("prctl(PR_SET_CHILD_SUBREAPER) failed: ") + std::strerror(errno));
  int commands[2], answers[2];
  if (pipe2(commands, O_CLOEXEC) != 0 || pipe2(answers, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe2 failed: ") + std::strerror(errno));
  std::vector<std::string> argv{chromium};
  for (auto& flag : headless_flags(home_->file("profile"))) argv.push_back(std::move(flag));
  argv.push_back("--remote-debugging-pipe");
  argv.push_back("about:blank");
  std::vector<std::string> environment = environment_with_home(home_->path().string());

  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, home_->file("stdout.txt").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&files, STDERR_FILENO, home_->file("stderr.txt").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&files, commands[0], 3);  // dup2 clears close-on-exec
  posix_spawn_file_actions_adddup2(&files, answers[1], 4);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  children_before_ = children_of_this_process();
  std::vector<char*> args = pointers_to(argv);
  std::vector<char*> env = pointers_to(environment);
  const int failed = posix_spawn(&pid_, argv[0].c_str(), &files, &attributes, args.data(), env.data());
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attributes);
  close(commands[0]);
  close(answers[1]);
  to_browser_ = commands[1];
  from_browser_ = answers[0];
  if (failed != 0) throw std::runtime_error("cannot start " + chromium + ": " + std::strerror(failed));

  try {
    const Json created = call("Target.createTarget", Json{{"url", "about:blank"}}, false);
    const Json attached =
        call("Target.attachToTarget", Json{{"targetId", created.at("targetId")}, {"flatten", true}}, false);
    session_id_ = attached.at("sessionId").get<std::string>();
  } catch (...) {
    shut_down();
    throw;
  }
}

ChromiumSession::~ChromiumSession() { shut_down(); }

void ChromiumSession::shut_down() {
  if (pid_ > 0) {
    try {
      const std::string close_browser = Json{{"id", next_id_++}, {"method", "Browser.close"}}.dump();
      (void)!write(to_browser_, close_browser.c_str(), close_browser.size() + 1);
    } catch (...) {
    }
    kill(-pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    reap_leftovers(children_before_);
    pid_ = -1;
  }
  if (to_browser_ >= 0) close(to_browser_);
  if (from_browser_ >= 0) close(from_browser_);
  to_browser_ = from_browser_ = -1;
}

Json ChromiumSession::call(const std::string& method, const Json& params, bool in_page) {
  const int id = next_id_++;
  Json message{{"id", id}, {"method", method}, {"params", params}};
  if (in_page) message["sessionId"] = session_id_;
  const std::string text = message.dump();
  size_t sent = 0;
  while (sent <= text.size()) {  // the NUL after the text too
    const ssize_t n = write(to_browser_, text.c_str() + sent, text.size() + 1 - sent);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("chromium's command pipe closed (" + method + ")");
    sent += static_cast<size_t>(n);
  }
  return read_answer(id);
}

Json ChromiumSession::read_answer(int id) {
  const auto deadline = Clock::now() + limit_;
  while (true) {
    for (size_t end = buffer_.find('\0'); end != std::string::npos; end = buffer_.find('\0')) {
      const Json message = Json::parse(buffer_.substr(0, end), nullptr, false);
      buffer_.erase(0, end + 1);
      if (!message.is_object() || message.value("id", -1) != id) continue;  // an event or another answer
      if (message.contains("error")) throw std::runtime_error("chromium: " + message["error"].dump());
      return message.value("result", Json::object());
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) throw std::runtime_error("chromium did not answer in time");
    pollfd readable{from_browser_, POLLIN, 0};
    const int ready = poll(&readable, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char chunk[65536];
    const ssize_t n = read(from_browser_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("chromium closed its answer pipe");
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

void ChromiumSession::navigate(const std::string& url) {
  call("Page.navigate", Json{{"url", url}}, true);
  if (!wait_until("document.readyState === 'complete' && location.href === " + Json(url).dump(), limit_))
    throw std::runtime_error("the page " + url + " did not load in time");
}

Json ChromiumSession::evaluate(const std::string& expression) {
  const Json result =
      call("Runtime.evaluate", Json{{"expression", expression}, {"awaitPromise", true}, {"returnByValue", true}}, true);
  if (result.contains("exceptionDetails"))
    throw std::runtime_error("the page threw on '" + expression + "': " + result["exceptionDetails"].dump());
  return result.value("result", Json::object()).value("value", Json());
}

bool ChromiumSession::wait_until(const std::string& condition, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (true) {
    // The page changes on its own (fetches, timers): asking again is the only way to learn it did.
    if (evaluate("Boolean(" + condition + ")") == Json(true)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

}  // namespace actorflow::testing
