// The explorer's search: the clean run, then one run per failure point (failure_explorer.hpp).
#include <actorflow/testing/failure_explorer.hpp>

#include "testing/exploration_run.hpp"

#include <chrono>
#include <deque>
#include <set>
#include <tuple>

namespace actorflow::testing {
namespace {

struct Attempt {
  std::string step;
  bool compensation = false;
  int attempt = 1;
  bool operator<(const Attempt& other) const {
    return std::tie(step, compensation, attempt) < std::tie(other.step, other.compensation, other.attempt);
  }
};

// The attempts the history dispatched (steps, or compensations), each once, in history order.
std::vector<Attempt> dispatched(const std::vector<HistoryEvent>& history, bool compensations) {
  const std::string type = compensations ? "compensation_dispatched" : "step_dispatched";
  std::vector<Attempt> attempts;
  std::set<Attempt> seen;
  for (const auto& event : history) {
    if (event.type != type) continue;
    Attempt attempt{event.step, compensations, event.attempt};
    if (seen.insert(attempt).second) attempts.push_back(attempt);
  }
  return attempts;
}

class Search {
 public:
  Search(const ExplorationOptions& options, const SubjectFactory& make_subject, ExplorationReport& report)
      : options_(options), make_subject_(make_subject), report_(report) {}

  void run() {
    RunOutcome clean = run_point(FailurePoint{});
    report_.clean_run = clean.result;
    for (bool compensations : {false, true})
      for (const auto& attempt : dispatched(clean.result.history, compensations)) add_points({}, attempt);
    while (!queue_.empty()) {
      FailurePoint point = std::move(queue_.front());
      queue_.pop_front();
      if (report_.points_explored == options_.points_max) {
        ++report_.points_skipped;
        continue;
      }
      ++report_.points_explored;
      report_.points.push_back(point);
      RunOutcome outcome = run_point(point);
      if (causes_compensation(point))
        for (const auto& attempt : dispatched(outcome.result.history, true)) add_points(point.faults, attempt);
    }
  }

 private:
  RunOutcome run_point(const FailurePoint& point) {
    RunOutcome outcome = run_failure_point(options_, point, make_subject_);
    if (!outcome.problems.empty())
      report_.violations.push_back(Violation{point, std::move(outcome.problems), outcome.result.info,
                                             outcome.result.history});
    return outcome;
  }

  // A step's fault that makes the workflow compensate opens the second level: its compensations.
  bool causes_compensation(const FailurePoint& point) const {
    return options_.explore_compensations && point.faults.size() == 1 && !point.faults[0].compensation &&
           point.faults[0].variant == FaultVariant::fail_for_good;
  }

  void add_points(const std::vector<Fault>& before, const Attempt& attempt) {
    for (FaultVariant variant : options_.variants) {
      // Failing a compensation for good fails every attempt: one point per compensation.
      if (attempt.compensation && variant == FaultVariant::fail_for_good && attempt.attempt != 1) continue;
      FailurePoint point{before};
      point.faults.push_back(Fault{attempt.step, attempt.compensation, attempt.attempt, variant});
      if (seen_.insert(point.describe()).second) queue_.push_back(std::move(point));
    }
  }

  const ExplorationOptions& options_;
  const SubjectFactory& make_subject_;
  ExplorationReport& report_;
  std::deque<FailurePoint> queue_;
  std::set<std::string> seen_;
};

}  // namespace

ExplorationReport explore_failure_points(const ExplorationOptions& options, const SubjectFactory& make_subject) {
  const auto started = std::chrono::steady_clock::now();
  ExplorationReport report;
  Search(options, make_subject, report).run();
  report.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  return report;
}

}  // namespace actorflow::testing
