// The explorer's report as text a person reads in a failed test's output.
#include <actorflow/testing/failure_explorer.hpp>

namespace actorflow::testing {
namespace {

// "#7 +100 ms step_failed charge attempt 1 running -> failed (0 ms): <detail>"
std::string event_line(const HistoryEvent& event, int64_t start_ms) {
  std::string line = "#" + std::to_string(event.seq) + " +" + std::to_string(event.at_ms - start_ms) + " ms " + event.type;
  if (!event.step.empty()) line += " " + event.step;
  if (event.attempt > 0) line += " attempt " + std::to_string(event.attempt);
  if (!event.from.empty() || !event.to.empty()) line += " " + event.from + (event.from.empty() ? "" : " ") + "-> " + event.to;
  if (event.duration_ms >= 0) line += " (" + std::to_string(event.duration_ms) + " ms)";
  if (!event.detail.empty()) line += ": " + event.detail;
  return line;
}

}  // namespace

std::string Violation::describe() const {
  std::string text = point.describe() + "\n";
  for (const auto& problem : problems) text += "  - " + problem + "\n";
  text += "  ended " + std::string(to_string(info.status)) + (info.error.empty() ? "" : ": " + info.error) + " (" +
          std::to_string(info.restarts) + " instance restart" + (info.restarts == 1 ? "" : "s") + ")\n";
  text += "  history:\n";
  const int64_t start_ms = history.empty() ? 0 : history.front().at_ms;
  for (const auto& event : history) text += "    " + event_line(event, start_ms) + "\n";
  return text;
}

std::string ExplorationReport::describe() const {
  std::string text = "failure explorer: " + std::to_string(points_explored) + " failure points explored in " +
                     std::to_string(elapsed.count()) + " ms; " + std::to_string(violations.size()) +
                     (violations.size() == 1 ? " breaks" : " break") + " the invariant";
  if (points_skipped > 0) text += "; " + std::to_string(points_skipped) + " more not explored (points_max)";
  text += "\n";
  int n = 0;
  for (const auto& violation : violations) text += "\n" + std::to_string(++n) + ") " + violation.describe();
  return text;
}

}  // namespace actorflow::testing
