#pragma once
// A headless Chromium driven through the DevTools protocol over a pipe (--remote-debugging-pipe:
// the browser reads commands on fd 3 and writes answers on fd 4, each a JSON text ended by NUL),
// for tests that must act on a page as a person does: type into a form, click a button, read the
// page again. One page (tab); every call is bounded in time and throws std::runtime_error with
// what went wrong. The destructor closes the browser and reaps everything it started.
#include <actorflow/json.hpp>

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace actorflow::testing {

class TempDir;

class ChromiumSession {
 public:
  ChromiumSession(const std::string& chromium, std::chrono::milliseconds call_limit);
  ~ChromiumSession();
  ChromiumSession(const ChromiumSession&) = delete;
  ChromiumSession& operator=(const ChromiumSession&) = delete;

  // Loads `url` in the page and waits until the document has loaded.
  void navigate(const std::string& url);
  // Evaluates a JavaScript expression in the page (a promise is awaited); its value as JSON.
  Json evaluate(const std::string& expression);
  // Evaluates `condition` until it is true or `limit` has passed (the page does its work in its
  // own time: fetches, timers); true when it became true.
  bool wait_until(const std::string& condition, std::chrono::milliseconds limit);

 private:
  Json call(const std::string& method, const Json& params, bool in_page);
  void shut_down();
  Json read_answer(int id);

  std::unique_ptr<TempDir> home_;
  std::chrono::milliseconds limit_;
  std::vector<pid_t> children_before_;
  pid_t pid_ = -1;
  int to_browser_ = -1;
  int from_browser_ = -1;
  std::string buffer_;
  std::string session_id_;
  int next_id_ = 1;
};

}  // namespace actorflow::testing
