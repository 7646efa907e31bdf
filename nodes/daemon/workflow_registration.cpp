#include "workflow_registration.hpp"

#include <actorflow/yaml_definition.hpp>

#include <sstream>

namespace actorflow::node {

WorkflowRegistration register_workflow_dir(Engine& engine, const std::string& dir) {
  WorkflowRegistration result;
  YamlLoadOptions options;
  options.has_breaker = [&engine](const std::string& service) { return engine.has_breaker(service); };
  options.has_handler = [&engine](const std::string& name) { return engine.has_handler(name); };
  YamlLoadResult loaded = load_workflow_dir(dir, options);
  result.problems = std::move(loaded.problems);
  for (auto& definition : loaded.definitions) {
    const std::string name = definition.name + "@" + std::to_string(definition.version);
    const Status status = engine.register_workflow(std::move(definition));
    if (status) {
      result.registered.push_back(name);
      continue;
    }
    std::istringstream lines(status.message());
    for (std::string line; std::getline(lines, line);)
      result.problems.push_back(dir + ": " + line);  // the line names the workflow and its version
  }
  return result;
}

}  // namespace actorflow::node
