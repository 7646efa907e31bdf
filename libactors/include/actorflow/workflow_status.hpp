#pragma once
// The life of a workflow, as a user sees it through the engine API.
#include <actorflow/export.hpp>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ACTORFLOW_API actorflow {

enum class WorkflowStatus {
  running,
  compensating,
  completed,      // every step succeeded
  failed,         // a step failed for good and nothing was compensated (strategy "retry")
  compensated,    // a step failed for good; completed steps were undone in reverse order
  dead_lettered,  // parked for an operator, with the reason
};

// Every status, in the order of their values: for lists, counts and indexes by status.
inline constexpr std::array<WorkflowStatus, 6> kWorkflowStatuses = {
    WorkflowStatus::running,   WorkflowStatus::compensating, WorkflowStatus::completed,
    WorkflowStatus::failed,    WorkflowStatus::compensated,  WorkflowStatus::dead_lettered};
static_assert(
    [] {
      for (size_t i = 0; i < kWorkflowStatuses.size(); ++i)
        if (static_cast<size_t>(kWorkflowStatuses[i]) != i) return false;
      return true;
    }(),
    "kWorkflowStatuses lists WorkflowStatus in the order of its values");

std::string_view to_string(WorkflowStatus status);
std::optional<WorkflowStatus> parse_workflow_status(std::string_view text);
inline bool is_terminal(WorkflowStatus s) {
  return s != WorkflowStatus::running && s != WorkflowStatus::compensating;
}

// What a query returns.
// One line of a list of workflows: what the store keeps beside each snapshot.
struct WorkflowSummary {
  std::string id;
  std::string definition;
  int version = 0;
  WorkflowStatus status = WorkflowStatus::running;
  int64_t started_ms = 0;
  int64_t updated_ms = 0;  // time of the latest write
};

struct DeadLetter {
  std::string workflow_id;
  std::string reason;
  int64_t at_ms = 0;
};

}  // namespace actorflow
