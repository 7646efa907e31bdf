#pragma once
// The node's workflow definitions: every YAML file of node.workflows_dir, checked against the
// handlers and breakers the plugins registered, then registered with the engine.
#include <actorflow/actorflow.hpp>

#include <string>
#include <vector>

namespace actorflow::node {

struct WorkflowRegistration {
  std::vector<std::string> registered;  // "name@version", in registration order
  std::vector<std::string> problems;    // every problem, each naming its file and line where known
};

// Loads `dir` (actorflow::load_workflow_dir) and registers each definition that has no problem of
// its own, so that problems only the engine finds (an unknown handler) are reported alongside
// the YAML ones. When `problems` is not empty the node must not start.
WorkflowRegistration register_workflow_dir(Engine& engine, const std::string& dir);

}  // namespace actorflow::node
