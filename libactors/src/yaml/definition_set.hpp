#pragma once
// Checks the definitions loaded together against each other (a name and version defined twice,
// unknown child workflows, cycles of child workflows) and orders them for registration.
#include "yaml/definition_parser.hpp"

#include <vector>

namespace actorflow::yaml {

// The load's result: the valid definitions, a child's before its parents', and every problem.
YamlLoadResult finish_load(std::vector<ParsedDefinition> parsed, Problems& problems,
                           const YamlLoadOptions& options);

}  // namespace actorflow::yaml
