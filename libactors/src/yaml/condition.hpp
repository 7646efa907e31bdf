#pragma once
// Choice conditions written in YAML compiled to actorflow::Condition, with the readable text kept
// in history ("/amount > 100").
#include "yaml/source.hpp"

#include <actorflow/json.hpp>
#include <actorflow/workflow_definition.hpp>

#include <optional>
#include <string>

namespace actorflow::yaml {

// What is known about a condition without any data: a literal `true`, `false`, or `in: []`.
enum class Constancy { varies, always, never };

struct CompiledCondition {
  Condition test;  // never throws: a missing path or mismatched types make a comparison false
  std::string text;
  Constancy constancy = Constancy::varies;
};

// Compiles `node` ({path, op, value}, {all: [...]}, {any: [...]}, {not: ...}, true or false);
// nothing, with every problem reported, when it is malformed. `at` locates a null node.
std::optional<CompiledCondition> compile_condition(const Source& source, const YAML::Node& node,
                                                   const YAML::Mark& at, const std::string& context,
                                                   int depth);

// A YAML value as JSON: plain scalars that read as null, booleans, integers or numbers become
// those; quoted scalars stay strings. Nothing (reported) when nested deeper than kYamlDepthMax.
std::optional<Json> yaml_to_json(const Source& source, const YAML::Node& node, const YAML::Mark& at,
                                 const std::string& context, int depth);

}  // namespace actorflow::yaml
