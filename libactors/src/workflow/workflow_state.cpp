#include "workflow/workflow_state.hpp"
#include <actorflow/bounded_parse.hpp>

#include "workflow/wire_writer.hpp"

#include "actorflow.pb.h"

#include <array>

namespace actorflow {
namespace {

constexpr std::array<std::string_view, 11> kStepStatusNames = {
    "pending",   "running",      "retry-wait",  "completed",         "failed",   "cancelled",
    "compensating", "compensated", "compensation-wait", "sleeping", "waiting"};
constexpr std::array<std::string_view, 6> kWorkflowStatusNames = {
    "running", "compensating", "completed", "failed", "compensated", "dead-lettered"};

StepStatus parse_step_status(const std::string& text) {
  for (size_t i = 0; i < kStepStatusNames.size(); ++i)
    if (kStepStatusNames[i] == text) return static_cast<StepStatus>(i);
  throw std::invalid_argument("unknown step status '" + text + "'");
}

}  // namespace

std::string_view to_string(StepStatus status) { return kStepStatusNames.at(static_cast<size_t>(status)); }

std::string_view to_string(WorkflowStatus status) {
  return kWorkflowStatusNames.at(static_cast<size_t>(status));
}

std::optional<WorkflowStatus> parse_workflow_status(std::string_view text) {
  for (size_t i = 0; i < kWorkflowStatusNames.size(); ++i)
    if (kWorkflowStatusNames[i] == text) return static_cast<WorkflowStatus>(i);
  return std::nullopt;
}

Json to_json(const HistoryEvent& e) {
  Json j{{"seq", e.seq}, {"at_ms", e.at_ms}, {"type", e.type}};
  if (!e.step.empty()) j["step"] = e.step;
  if (e.attempt > 0) j["attempt"] = e.attempt;
  if (!e.from.empty()) j["from"] = e.from;
  if (!e.to.empty()) j["to"] = e.to;
  if (e.duration_ms >= 0) j["duration_ms"] = e.duration_ms;
  if (!e.detail.empty()) j["detail"] = e.detail;
  if (!e.node.empty()) j["node"] = e.node;
  return j;
}

// Written with wire::Writer in field-number order (actorflow.proto); read back by the generated
// parser. Embedded messages are built in a scratch buffer per thread, then copied in with their
// length.
std::string encode_state(const WorkflowState& s, uint64_t epoch) {
  thread_local std::string record_bytes, entry_bytes;
  std::string out;
  out.reserve(256);
  wire::Writer m(out);
  m.integer(1, uint64_t{1});  // format
  m.text(2, s.id);
  m.text(3, s.definition);
  m.integer(4, s.version);
  m.text(5, to_string(s.status));
  m.text(6, s.data.dump());
  m.text(7, s.error);
  for (const auto& [path, r] : s.steps) {
    record_bytes.clear();
    wire::Writer rec(record_bytes);
    rec.text(1, to_string(r.status));
    rec.integer(2, r.attempts);
    rec.integer(3, r.failures);
    rec.integer(4, r.breaker_waits);
    rec.integer(5, r.compensation_attempts);
    rec.integer(6, r.compensation_failures);
    rec.integer(7, r.retry_at_ms);
    rec.text(8, r.error);
    rec.integer(9, r.timeouts);
    rec.integer(10, r.outcome_unknown ? 1 : 0);
    rec.integer(11, r.crashes);
    rec.integer(12, r.compensation_crashes);
    rec.integer(13, r.released ? 1 : 0);
    entry_bytes.clear();
    wire::Writer entry(entry_bytes);
    entry.text(1, path);
    entry.message(2, record_bytes);
    m.message(8, entry_bytes);
  }
  for (const auto& [path, branch] : s.choices) {
    entry_bytes.clear();
    wire::Writer entry(entry_bytes);
    entry.text(1, path);
    entry.integer(2, branch);
    m.message(9, entry_bytes);
  }
  for (const auto& path : s.completed) m.text(10, path, /*always=*/true);
  m.integer(11, static_cast<uint64_t>(s.compensations_done));
  m.text(12, s.failed_step);
  m.text(13, s.parent_id);
  m.text(14, s.parent_path);
  m.integer(15, s.restarts);
  m.integer(16, s.history_seq);
  m.integer(17, s.started_ms);
  m.integer(18, epoch);
  for (const auto& signal : s.pending_signals) {
    entry_bytes.clear();
    wire::Writer entry(entry_bytes);
    entry.integer(1, signal.seq);
    entry.text(2, signal.name);
    entry.text(3, signal.payload.dump());
    entry.integer(4, signal.at_ms);
    m.message(19, entry_bytes);
  }
  m.integer(20, s.inbox_seen);
  m.integer(21, s.input_digest);
  return out;
}

std::optional<WorkflowState> decode_state(const std::string& bytes, std::string* error) {
  pb::WorkflowSnapshot m;
  auto fail = [&](const std::string& why) -> std::optional<WorkflowState> {
    if (error) *error = "unreadable snapshot: " + why;
    return std::nullopt;
  };
  if (!m.ParseFromString(bytes)) return fail("not a WorkflowSnapshot protobuf");
  if (m.format() != 1) return fail("unknown snapshot format " + std::to_string(m.format()));
  if (m.id().empty()) return fail("no workflow id");
  try {
    WorkflowState s;
    s.id = m.id();
    s.definition = m.definition();
    s.version = m.version();
    auto status = parse_workflow_status(m.status());
    if (!status) return fail("unknown workflow status '" + m.status() + "'");
    s.status = *status;
    s.data = parse_json_or_throw(m.data_json(), stored_json_depth_max());
    s.error = m.error();
    for (const auto& entry : m.steps()) {
      const std::string& path = entry.path();
      const pb::StepRecord& r = entry.record();
      StepRecord rec;
      rec.status = parse_step_status(r.status());
      rec.attempts = r.attempts();
      rec.failures = r.failures();
      rec.breaker_waits = r.breaker_waits();
      rec.compensation_attempts = r.compensation_attempts();
      rec.compensation_failures = r.compensation_failures();
      rec.retry_at_ms = r.retry_at_ms();
      rec.error = r.error();
      rec.timeouts = r.timeouts();
      rec.outcome_unknown = r.outcome_unknown();
      rec.crashes = r.crashes();
      rec.compensation_crashes = r.compensation_crashes();
      rec.released = r.released();
      s.steps[path] = rec;  // a repeated path: the last one, as a map entry would be
    }
    for (const auto& signal : m.pending_signals())
      s.pending_signals.push_back({signal.seq(), signal.name(), parse_json_or_throw(signal.payload_json(), stored_json_depth_max()), signal.at_ms()});
    s.inbox_seen = m.inbox_seen();
    s.input_digest = m.input_digest();
    for (const auto& entry : m.choices()) s.choices[entry.path()] = entry.branch();
    s.completed.assign(m.completed().begin(), m.completed().end());
    s.compensations_done = m.compensations_done();
    if (s.compensations_done > s.completed.size()) return fail("compensations_done beyond completed steps");
    s.failed_step = m.failed_step();
    s.parent_id = m.parent_id();
    s.parent_path = m.parent_path();
    s.restarts = m.restarts();
    s.history_seq = m.history_seq();
    s.started_ms = m.started_ms();
    return s;
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

std::string encode_event(uint64_t seq, int64_t at_ms, const EventFields& e) {
  std::string out;
  out.reserve(64);
  wire::Writer m(out);  // as encode_state
  m.integer(1, seq);
  m.integer(2, at_ms);
  m.text(3, e.type);
  m.text(4, e.step);
  m.integer(5, e.attempt);
  m.text(6, e.from);
  m.text(7, e.to);
  m.integer(8, e.duration_ms);
  m.text(9, e.detail);
  m.text(10, e.node);
  return out;
}

std::string encode_event(const HistoryEvent& e) {
  return encode_event(e.seq, e.at_ms,
                      EventFields{e.type, e.step, e.attempt, e.from, e.to, e.duration_ms, e.detail, e.node});
}

std::optional<HistoryEvent> decode_event(const std::string& bytes) {
  pb::HistoryEvent m;
  if (!m.ParseFromString(bytes)) return std::nullopt;
  return HistoryEvent{m.seq(), m.at_ms(), m.type(), m.step(), m.attempt(), m.from(), m.to(), m.duration_ms(), m.detail(), m.node()};
}

int64_t next_wake_ms(const WorkflowState& s) {
  if (is_terminal(s.status)) return 0;
  int64_t earliest = 0;
  for (const auto& [path, rec] : s.steps) {
    const bool timed = rec.status == StepStatus::retry_wait || rec.status == StepStatus::compensation_wait ||
                       rec.status == StepStatus::sleeping || rec.status == StepStatus::waiting;
    if (timed && rec.retry_at_ms > 0 && (earliest == 0 || rec.retry_at_ms < earliest)) earliest = rec.retry_at_ms;
  }
  return earliest;
}

WorkflowInfo to_info(const WorkflowState& s) {
  return WorkflowInfo{s.id, s.definition, s.version, s.status, s.data, s.error, s.restarts};
}

}  // namespace actorflow

namespace actorflow {

uint64_t digest_input(const Json& input) {
  // FNV-1a over the compact JSON text; nlohmann orders object keys, so equal inputs agree.
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : input.dump(-1, ' ', false, Json::error_handler_t::replace)) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash == 0 ? 1 : hash;
}

}  // namespace actorflow
