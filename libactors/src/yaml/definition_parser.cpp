#include "yaml/definition_parser.hpp"

#include <actorflow/names.hpp>

#include "yaml/step_options.hpp"

#include <climits>

namespace actorflow::yaml {

std::optional<ParsedDefinition> parse_definition(const Source& source, const YAML::Node& document) {
  const size_t problems_before = source.problems.count();
  const YAML::Mark start = mark_or(document, YAML::Mark());
  std::string context = "workflow";
  if (const YAML::Node name = value_of(document, "name"); name.IsScalar()) context += " '" + name.Scalar() + "'";

  MapFields top(source, document, start, context, {"name", "version", "description", "defaults", "steps"});
  if (!top.is_map()) return std::nullopt;
  top.require("name");
  top.require("version");
  top.require("steps");

  ParsedDefinition parsed;
  parsed.at = source.at(top.mark());
  WorkflowDefinition& definition = parsed.definition;
  auto name = top.text("name");
  if (name) definition.name = *name;
  if (name)
    if (auto bad = name_problem("definition name", *name)) top.report("name", *bad);
  if (auto version = top.integer("version", 1, INT_MAX)) definition.version = static_cast<int>(*version);
  if (top.has("description") && !top.value("description").IsScalar())
    top.report("description", "expected text, got " + describe(top.value("description")));

  DefinitionScope scope(source);
  if (top.has("defaults")) {
    MapFields defaults(source, top.value("defaults"), top.mark_of("defaults"), context + " defaults",
                       {"timeout", "retry", "on_error"});
    definition.timeout = defaults.duration("timeout");
    definition.retry = read_retry(defaults, "retry", RetryPolicy{});
    definition.strategy = read_strategy(defaults, "on_error");
    if (definition.retry) scope.retry_base = *definition.retry;
  }
  if (top.has("steps")) {
    Sequence body = parse_node_list(scope, top.value("steps"), top.mark_of("steps"), context + " steps", 1);
    definition.root = body.as_node("");
  }
  parsed.children = std::move(scope.children);
  parsed.valid = source.problems.count() == problems_before;
  if (!name) return std::nullopt;
  return parsed;
}

}  // namespace actorflow::yaml
