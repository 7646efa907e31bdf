#pragma once
// One entry of a workflow's history: every state transition, in order.
#include <actorflow/export.hpp>
#include <actorflow/json.hpp>

#include <cstdint>
#include <string>

namespace ACTORFLOW_API actorflow {

struct HistoryEvent {
  uint64_t seq = 0;           // 1, 2, ... per workflow
  int64_t at_ms = 0;          // clock time of the transition
  std::string type;           // e.g. "workflow_started", "step_failed", "compensation_completed"
  std::string step;           // step path, empty for workflow-level events
  int attempt = 0;            // step attempt, 0 for workflow-level events
  std::string from;           // state before
  std::string to;             // state after
  int64_t duration_ms = -1;   // how long the step attempt took, -1 when not a step end
  std::string detail;         // error text, chosen branch, reason...
  std::string node;           // the node that recorded it; empty when the engine has no node id
};

Json to_json(const HistoryEvent& event);

}  // namespace actorflow
