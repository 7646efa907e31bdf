#pragma once
// One YAML document -> one WorkflowDefinition, with the facts needed to check it against the
// other definitions loaded with it.
#include "yaml/node_parser.hpp"

#include <optional>
#include <string>
#include <vector>

namespace actorflow::yaml {

struct ParsedDefinition {
  WorkflowDefinition definition;
  std::string at;                  // where its document starts: "file.yaml:1:1"
  std::vector<ChildRef> children;  // the child workflows it starts
  bool valid = true;               // false: it has problems of its own
};

// Nothing when the document names no workflow (reported); otherwise the definition, marked
// invalid when anything in it is wrong (every problem reported).
std::optional<ParsedDefinition> parse_definition(const Source& source, const YAML::Node& document);

}  // namespace actorflow::yaml
