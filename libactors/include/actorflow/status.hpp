#pragma once
// Errors are values: a Status is ok, or carries a message naming what failed.
#include <string>
#include <utility>
#include <vector>

namespace actorflow {

class Status {
 public:
  Status() = default;
  static Status ok() { return Status{}; }
  static Status error(std::string message) { return Status{std::move(message)}; }
  // Joins several problems into one error, one per line; ok when `problems` is empty.
  static Status errors(const std::vector<std::string>& problems);

  bool is_ok() const { return !failed_; }
  explicit operator bool() const { return is_ok(); }
  const std::string& message() const { return message_; }

 private:
  explicit Status(std::string message) : failed_(true), message_(std::move(message)) {}
  bool failed_ = false;
  std::string message_;
};

inline Status Status::errors(const std::vector<std::string>& problems) {
  if (problems.empty()) return ok();
  std::string joined;
  for (const auto& p : problems) {
    if (!joined.empty()) joined += "\n";
    joined += p;
  }
  return error(std::move(joined));
}

}  // namespace actorflow
