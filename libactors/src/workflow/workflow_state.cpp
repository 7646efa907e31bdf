#include "workflow/workflow_state.hpp"

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

std::string encode_state(const WorkflowState& s, uint64_t epoch) {
  pb::WorkflowSnapshot m;
  m.set_format(1);
  m.set_id(s.id);
  m.set_definition(s.definition);
  m.set_version(s.version);
  m.set_status(std::string(to_string(s.status)));
  m.set_data_json(s.data.dump());
  m.set_error(s.error);
  for (const auto& [path, r] : s.steps) {
    pb::StepRecord& rec = (*m.mutable_steps())[path];
    rec.set_status(std::string(to_string(r.status)));
    rec.set_attempts(r.attempts);
    rec.set_failures(r.failures);
    rec.set_breaker_waits(r.breaker_waits);
    rec.set_compensation_attempts(r.compensation_attempts);
    rec.set_compensation_failures(r.compensation_failures);
    rec.set_retry_at_ms(r.retry_at_ms);
    rec.set_error(r.error);
    rec.set_timeouts(r.timeouts);
    rec.set_outcome_unknown(r.outcome_unknown);
  }
  for (const auto& signal : s.pending_signals) {
    pb::PendingSignal* m_signal = m.add_pending_signals();
    m_signal->set_seq(signal.seq);
    m_signal->set_name(signal.name);
    m_signal->set_payload_json(signal.payload.dump());
    m_signal->set_at_ms(signal.at_ms);
  }
  m.set_inbox_seen(s.inbox_seen);
  for (const auto& [path, branch] : s.choices) (*m.mutable_choices())[path] = branch;
  for (const auto& path : s.completed) m.add_completed(path);
  m.set_compensations_done(s.compensations_done);
  m.set_failed_step(s.failed_step);
  m.set_parent_id(s.parent_id);
  m.set_parent_path(s.parent_path);
  m.set_restarts(s.restarts);
  m.set_history_seq(s.history_seq);
  m.set_started_ms(s.started_ms);
  m.set_epoch(epoch);
  return m.SerializeAsString();
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
    s.data = Json::parse(m.data_json());
    s.error = m.error();
    for (const auto& [path, r] : m.steps()) {
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
      s.steps.emplace(path, rec);
    }
    for (const auto& signal : m.pending_signals())
      s.pending_signals.push_back({signal.seq(), signal.name(), Json::parse(signal.payload_json()), signal.at_ms()});
    s.inbox_seen = m.inbox_seen();
    for (const auto& [path, branch] : m.choices()) s.choices.emplace(path, branch);
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

std::string encode_event(const HistoryEvent& e) {
  pb::HistoryEvent m;
  m.set_seq(e.seq);
  m.set_at_ms(e.at_ms);
  m.set_type(e.type);
  m.set_step(e.step);
  m.set_attempt(e.attempt);
  m.set_from(e.from);
  m.set_to(e.to);
  m.set_duration_ms(e.duration_ms);
  m.set_detail(e.detail);
  m.set_node(e.node);
  return m.SerializeAsString();
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
