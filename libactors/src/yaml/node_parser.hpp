#pragma once
// Parses the node lists of a definition (steps, parallel, choice, approval, wait, sleep, child)
// into a Sequence, the same tree WorkflowBuilder makes.
#include "yaml/source.hpp"

#include <actorflow/retry_policy.hpp>
#include <actorflow/workflow_definition.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace actorflow::yaml {

// A child node: which definition it starts, and where, for checks across definitions.
struct ChildRef {
  std::string workflow;
  std::string context;  // "child 'ship'"
  std::string at;       // "file.yaml:12:5"
};

// What the nodes of one definition share while they are parsed.
struct DefinitionScope {
  explicit DefinitionScope(const Source& s) : source(s) {}

  const Source& source;
  RetryPolicy retry_base;                     // a step's retry map starts from this (defaults.retry)
  std::map<std::string, std::string> names;   // node name -> where it was first used
  std::vector<ChildRef> children;
  int nodes = 0;
};

// Parses `list`, a YAML list of nodes; `context` names it in problems ("steps", "choice 'gate'
// branch 1"). Every problem is reported; the sequence holds the nodes that parsed.
Sequence parse_node_list(DefinitionScope& scope, const YAML::Node& list, const YAML::Mark& at,
                         const std::string& context, int depth, bool empty_allowed = false);

}  // namespace actorflow::yaml
