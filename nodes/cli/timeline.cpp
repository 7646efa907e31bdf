#include "timeline.hpp"

#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <string_view>
#include <type_traits>

namespace actorflow::cli {

namespace {

constexpr size_t compensation_indent = 2;

template <typename T>
T field(const nlohmann::json& object, const char* key, T fallback) {
  auto it = object.find(key);
  if (it == object.end()) return fallback;
  if constexpr (std::is_same_v<T, std::string>) {
    return it->is_string() ? it->template get<std::string>() : fallback;
  } else {
    return it->is_number() ? it->template get<T>() : fallback;
  }
}

bool contains_any(std::string_view text, std::initializer_list<std::string_view> parts) {
  return std::any_of(parts.begin(), parts.end(), [&](std::string_view p) { return text.find(p) != std::string_view::npos; });
}

std::string step_column(const TimelineEvent& event) {
  if (event.attempt <= 0) return event.step;
  std::string attempt = "#" + std::to_string(event.attempt);
  return event.step.empty() ? attempt : event.step + " " + attempt;
}

std::string transition(const TimelineEvent& event) {
  if (event.from.empty() && event.to.empty()) return {};
  if (event.from.empty()) return "-> " + event.to;
  if (event.to.empty()) return event.from + " ->";
  return event.from + " -> " + event.to;
}

std::string step_duration(int64_t ms) {
  char text[48];
  if (ms < 1000) {
    std::snprintf(text, sizeof text, "(%lldms)", static_cast<long long>(ms));
  } else {
    std::snprintf(text, sizeof text, "(%.3fs)", static_cast<double>(ms) / 1000.0);
  }
  return text;
}

std::string one_line(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "; ";
    } else if (c != '\r') {
      out += c;
    }
  }
  return out;
}

void pad(std::string& text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
}

bool is_compensation(EventKind kind) {
  return kind == EventKind::compensation || kind == EventKind::compensation_failure;
}

}  // namespace

TimelineEvent timeline_event(const nlohmann::json& event) {
  TimelineEvent e;
  if (!event.is_object()) return e;
  e.seq = field<uint64_t>(event, "seq", 0);
  e.at_ms = field<int64_t>(event, "at_ms", 0);
  e.type = field<std::string>(event, "type", "");
  e.step = field<std::string>(event, "step", "");
  e.attempt = field<int>(event, "attempt", 0);
  e.from = field<std::string>(event, "from", "");
  e.to = field<std::string>(event, "to", "");
  e.duration_ms = field<int64_t>(event, "duration_ms", -1);
  e.detail = field<std::string>(event, "detail", "");
  e.node = field<std::string>(event, "node", "");
  return e;
}

std::vector<TimelineEvent> timeline_events(const nlohmann::json& history_reply) {
  std::vector<TimelineEvent> events;
  if (!history_reply.is_object()) return events;
  auto it = history_reply.find("events");
  if (it == history_reply.end() || !it->is_array()) return events;
  for (const auto& event : *it) events.push_back(timeline_event(event));
  return events;
}

EventKind classify(const TimelineEvent& event) {
  std::string_view type = event.type;
  bool compensation = type.rfind("compensation_", 0) == 0 || type == "workflow_compensating" ||
                      type == "workflow_compensated";
  bool failure = contains_any(type, {"failed", "timed_out", "rejected", "invalid", "dead_lettered", "dead-lettered", "retrying",
                                     "breaker_open"});
  if (compensation) return failure ? EventKind::compensation_failure : EventKind::compensation;
  return failure ? EventKind::failure : EventKind::normal;
}

TimelineLayout layout_for(const std::vector<TimelineEvent>& events) {
  TimelineLayout layout{0, 0};
  for (const auto& event : events) {
    size_t indent = is_compensation(classify(event)) ? compensation_indent : 0;
    layout.type_width = std::max(layout.type_width, event.type.size() + indent);
    layout.step_width = std::max(layout.step_width, step_column(event).size());
  }
  return layout;
}

std::string relative_time(int64_t at_ms, int64_t origin_ms) {
  int64_t delta = at_ms - origin_ms;
  int64_t magnitude = delta < 0 ? -delta : delta;
  char text[48];
  std::snprintf(text, sizeof text, "%c%lld.%03llds", delta < 0 ? '-' : '+', static_cast<long long>(magnitude / 1000),
                static_cast<long long>(magnitude % 1000));
  return text;
}

std::string render_event(const TimelineEvent& event, int64_t origin_ms, const TimelineLayout& layout) {
  EventKind kind = classify(event);
  std::string line = relative_time(event.at_ms, origin_ms);
  constexpr size_t time_width = 9;
  if (line.size() < time_width) line.insert(0, time_width - line.size(), ' ');
  line += ' ';
  line += kind == EventKind::failure || kind == EventKind::compensation_failure ? '!'
          : kind == EventKind::compensation                                     ? '~'
                                                                                : ' ';
  line += ' ';

  std::string type = std::string(is_compensation(kind) ? compensation_indent : 0, ' ') + event.type;
  std::vector<std::string> rest;
  std::string step = step_column(event);
  if (std::string t = transition(event); !t.empty()) rest.push_back(t);
  if (event.duration_ms >= 0) rest.push_back(step_duration(event.duration_ms));
  if (!event.detail.empty()) rest.push_back(one_line(event.detail));

  line += type;
  if (!step.empty() || !rest.empty()) {
    pad(line, line.size() - type.size() + layout.type_width);
    line += "  " + step;
  }
  if (!rest.empty()) {
    pad(line, line.size() - step.size() + layout.step_width);
    for (const auto& part : rest) line += "  " + part;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

std::vector<std::string> render_timeline(const std::vector<TimelineEvent>& events) {
  std::vector<std::string> lines;
  if (events.empty()) return lines;
  TimelineLayout layout = layout_for(events);
  int64_t origin = events.front().at_ms;
  const bool moved = std::any_of(events.begin(), events.end(), [&](const TimelineEvent& e) {
    return !e.node.empty() && e.node != events.front().node;
  });
  std::string node;
  for (const auto& event : events) {
    lines.push_back(render_event(event, origin, layout));
    if (moved && !event.node.empty() && event.node != node) lines.back() += "  @" + event.node;
    if (!event.node.empty()) node = event.node;
  }
  return lines;
}

}  // namespace actorflow::cli
