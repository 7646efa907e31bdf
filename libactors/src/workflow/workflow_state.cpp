#include "workflow/workflow_state.hpp"

#include <array>

namespace actorflow {
namespace {

constexpr std::array<std::string_view, 9> kStepStatusNames = {
    "pending",   "running",      "retry-wait",  "completed",        "failed",
    "cancelled", "compensating", "compensated", "compensation-wait"};
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
  return j;
}

std::string encode_state(const WorkflowState& s) {
  Json steps = Json::object();
  for (const auto& [path, r] : s.steps) {
    steps[path] = {{"status", to_string(r.status)}, {"attempts", r.attempts}, {"failures", r.failures},
                   {"breaker_waits", r.breaker_waits}, {"comp_attempts", r.compensation_attempts},
                   {"comp_failures", r.compensation_failures}, {"retry_at_ms", r.retry_at_ms},
                   {"error", r.error}};
  }
  Json j{{"id", s.id}, {"definition", s.definition}, {"version", s.version},
         {"status", to_string(s.status)}, {"data", s.data}, {"error", s.error}, {"steps", steps},
         {"choices", s.choices}, {"completed", s.completed}, {"compensations_done", s.compensations_done},
         {"failed_step", s.failed_step}, {"parent_id", s.parent_id}, {"parent_path", s.parent_path},
         {"restarts", s.restarts}, {"history_seq", s.history_seq}, {"started_ms", s.started_ms}};
  return j.dump();
}

std::optional<WorkflowState> decode_state(const std::string& bytes, std::string* error) {
  try {
    Json j = Json::parse(bytes);
    WorkflowState s;
    s.id = j.at("id").get<std::string>();
    s.definition = j.at("definition").get<std::string>();
    s.version = j.at("version").get<int>();
    auto status = parse_workflow_status(j.at("status").get<std::string>());
    if (!status) throw std::invalid_argument("unknown workflow status " + j.at("status").dump());
    s.status = *status;
    s.data = j.at("data");
    s.error = j.at("error").get<std::string>();
    for (const auto& [path, r] : j.at("steps").items()) {
      StepRecord rec;
      rec.status = parse_step_status(r.at("status").get<std::string>());
      rec.attempts = r.at("attempts").get<int>();
      rec.failures = r.at("failures").get<int>();
      rec.breaker_waits = r.at("breaker_waits").get<int>();
      rec.compensation_attempts = r.at("comp_attempts").get<int>();
      rec.compensation_failures = r.at("comp_failures").get<int>();
      rec.retry_at_ms = r.at("retry_at_ms").get<int64_t>();
      rec.error = r.at("error").get<std::string>();
      s.steps.emplace(path, rec);
    }
    s.choices = j.at("choices").get<std::map<std::string, int>>();
    s.completed = j.at("completed").get<std::vector<std::string>>();
    s.compensations_done = j.at("compensations_done").get<size_t>();
    s.failed_step = j.at("failed_step").get<std::string>();
    s.parent_id = j.at("parent_id").get<std::string>();
    s.parent_path = j.at("parent_path").get<std::string>();
    s.restarts = j.at("restarts").get<int>();
    s.history_seq = j.at("history_seq").get<uint64_t>();
    s.started_ms = j.at("started_ms").get<int64_t>();
    return s;
  } catch (const std::exception& e) {
    if (error) *error = std::string("unreadable snapshot: ") + e.what();
    return std::nullopt;
  }
}

WorkflowInfo to_info(const WorkflowState& s) {
  return WorkflowInfo{s.id, s.definition, s.version, s.status, s.data, s.error, s.restarts};
}

}  // namespace actorflow
