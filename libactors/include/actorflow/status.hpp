#pragma once
// Errors are values: a Status is ok, or carries a code (what kind of failure, for callers to
// branch on) and a message naming what failed (for people). Never branch on the message.
#include <actorflow/export.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ACTORFLOW_API actorflow {

enum class StatusCode {
  ok,
  unknown,              // an error with no more specific code (Status::error)
  invalid_argument,     // the request itself is wrong: retrying it cannot help
  not_found,            // no such workflow, schedule, definition...
  already_exists,       // the id is taken by something that differs from the request
  failed_precondition,  // the target is in a state that refuses the request (ended, decided...)
  unavailable,          // passing: the store is unreachable, the node drains, a shard moves; try again
  corruption,           // stored data cannot be read
};
std::string_view to_string(StatusCode code);

class Status {
 public:
  Status() = default;
  static Status ok() { return Status{}; }
  static Status error(std::string message) { return Status{StatusCode::unknown, std::move(message)}; }
  static Status error(StatusCode code, std::string message) { return Status{code, std::move(message)}; }
  static Status unavailable(std::string message) { return Status{StatusCode::unavailable, std::move(message)}; }
  // Joins several problems into one error, one per line; ok when `problems` is empty.
  static Status errors(const std::vector<std::string>& problems);

  bool is_ok() const { return code_ == StatusCode::ok; }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return code_; }
  bool is_unavailable() const { return code_ == StatusCode::unavailable; }
  const std::string& message() const { return message_; }

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::ok;
  std::string message_;
};

inline Status Status::errors(const std::vector<std::string>& problems) {
  if (problems.empty()) return ok();
  std::string joined;
  for (const auto& p : problems) {
    if (!joined.empty()) joined += "\n";
    joined += p;
  }
  return error(StatusCode::invalid_argument, std::move(joined));
}

inline std::string_view to_string(StatusCode code) {
  switch (code) {
    case StatusCode::ok: return "ok";
    case StatusCode::unknown: return "unknown";
    case StatusCode::invalid_argument: return "invalid_argument";
    case StatusCode::not_found: return "not_found";
    case StatusCode::already_exists: return "already_exists";
    case StatusCode::failed_precondition: return "failed_precondition";
    case StatusCode::unavailable: return "unavailable";
    case StatusCode::corruption: return "corruption";
  }
  return "unknown";
}

}  // namespace actorflow
