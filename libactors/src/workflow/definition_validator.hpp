#pragma once
// Checks a workflow definition completely before the engine accepts it, and fills in each node's
// path. Every problem is reported, each naming the workflow and where in it.
#include <actorflow/workflow_definition.hpp>

#include <functional>
#include <string>
#include <vector>

namespace actorflow {

struct DefinitionCatalog {
  std::function<bool(const std::string&)> has_handler;
  std::function<bool(const std::string&)> has_breaker;
  std::function<bool(const std::string&)> has_definition;
};

// Returns the problems found (empty = valid). Assigns Node::path on every node.
std::vector<std::string> validate_definition(WorkflowDefinition& definition,
                                             const DefinitionCatalog& catalog);

}  // namespace actorflow
