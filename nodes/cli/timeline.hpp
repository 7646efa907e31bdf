#pragma once
// A workflow's history as a timeline a person can read: one line per event, relative time,
// failures marked '!', compensations marked '~' and indented. Pure functions.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace actorflow::cli {

// One history event as the API sends it ({"seq","at_ms","type","step","attempt","from","to",
// "duration_ms","detail","node"}); a missing or mistyped field takes its default.
struct TimelineEvent {
  uint64_t seq = 0;
  int64_t at_ms = 0;
  std::string type;
  std::string step;
  int attempt = 0;
  std::string from;
  std::string to;
  int64_t duration_ms = -1;
  std::string detail;
  std::string node;  // the node that recorded it (empty: not said)
};

TimelineEvent timeline_event(const nlohmann::json& event);
// The "events" array of a history reply (empty when there is none).
std::vector<TimelineEvent> timeline_events(const nlohmann::json& history_reply);

enum class EventKind { normal, failure, compensation, compensation_failure };
EventKind classify(const TimelineEvent& event);

// Column widths; a longer value overflows its column rather than being cut.
struct TimelineLayout {
  size_t type_width = 26;
  size_t step_width = 18;  // step and "#attempt"
};
// The narrowest widths that fit every event of `events`.
TimelineLayout layout_for(const std::vector<TimelineEvent>& events);

// "+1.234s" from `origin_ms`.
std::string relative_time(int64_t at_ms, int64_t origin_ms);

// One line, without a newline or trailing spaces (columns padded to `layout`):
//   "  +0.015s   step_completed          charge #1  running -> completed  (13ms)"
//   "  +0.020s ! approval_rejected       manager    waiting -> failed  by bob: too expensive"
//   "  +0.022s ~   compensation_completed  charge #1  compensating -> compensated  (1.500s)"
std::string render_event(const TimelineEvent& event, int64_t origin_ms, const TimelineLayout& layout);

// Every event, times relative to the first one. When more than one node recorded the history (a
// cluster moved the workflow), the first line and each line where the node changes end with
// "  @<node>".
std::vector<std::string> render_timeline(const std::vector<TimelineEvent>& events);

}  // namespace actorflow::cli
