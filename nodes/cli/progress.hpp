#pragma once
// Waiting for a workflow to end: polls GET /v1/workflows/{id} and its /history, and shows the
// progress as it goes (each new history event as a timeline line, or one line updated in place
// on a terminal).
#include "node_client.hpp"
#include "timeline.hpp"

#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace actorflow::cli {

// The width of the terminal on `fd`; nullopt when `fd` is not a terminal.
std::optional<int> terminal_columns(int fd);

// completed, failed, compensated, dead-lettered (as the API spells them).
bool is_terminal_status(std::string_view status);

class ProgressDisplay {
 public:
  virtual ~ProgressDisplay() = default;
  // Each history event not shown yet, in order.
  virtual void event(const TimelineEvent& event) = 0;
  // After each poll: the workflow's status and the time waited so far.
  virtual void tick(const std::string& status, std::chrono::milliseconds elapsed) = 0;
  // Once, when the wait ends (before the outcome is printed).
  virtual void finish() = 0;
};

// One timeline line per event (times relative to the workflow's first event).
std::unique_ptr<ProgressDisplay> make_timeline_progress(std::ostream& out);
// One line rewritten in place: status, current step, elapsed; cut to `columns`.
std::unique_ptr<ProgressDisplay> make_inplace_progress(std::ostream& out, int columns);

struct WaitSettings {
  std::chrono::milliseconds timeout{300'000};
  std::chrono::milliseconds poll_min{100};   // after a change, the next poll comes this soon...
  std::chrono::milliseconds poll_max{1000};  // ...then the interval grows up to this
};

enum class WaitEnd { terminal, timed_out, failed };

struct WaitResult {
  WaitEnd end = WaitEnd::failed;
  Reply workflow;  // the last GET /v1/workflows/{id} reply (failed: the reply that failed)
};

// Polls until the workflow's status is terminal, the timeout passes or a call fails.
WaitResult wait_until_terminal(NodeClient& client, const std::string& workflow_id, const WaitSettings& settings,
                               ProgressDisplay& display);

}  // namespace actorflow::cli
