#pragma once
// Definitions are read with the shared config reader (config/): one YAML text, its problems, and
// the options of the load.
#include "config/map_fields.hpp"

#include <actorflow/yaml_definition.hpp>

namespace actorflow::yaml {

using config::describe;
using config::MapFields;
using config::mark_or;
using config::Problems;
using config::value_of;

struct Source : config::Source {
  const YamlLoadOptions& options;
};

}  // namespace actorflow::yaml
