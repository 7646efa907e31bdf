#pragma once
// What Engine::query answers: a workflow's status and its data.
#include <actorflow/export.hpp>
#include <actorflow/json.hpp>
#include <actorflow/workflow_status.hpp>

#include <string>

namespace ACTORFLOW_API actorflow {

struct WorkflowInfo {
  std::string id;
  std::string definition;
  int version = 0;
  WorkflowStatus status = WorkflowStatus::running;
  Json data;
  std::string error;        // why it failed, was compensated or dead-lettered
  int restarts = 0;         // times its instance actor was respawned
};

}  // namespace actorflow
