#include "workflow/definition_validator.hpp"

#include <actorflow/names.hpp>

#include <map>

namespace actorflow {
namespace {

class Validator {
 public:
  Validator(WorkflowDefinition& definition, const DefinitionCatalog& catalog)
      : definition_(definition), catalog_(catalog) {}

  std::vector<std::string> run() {
    where_ = "workflow '" + definition_.name + "' v" + std::to_string(definition_.version);
    if (definition_.name.empty()) problem("", "has no name");
    else if (auto bad = name_problem("definition name", definition_.name)) problem("", *bad);
    if (definition_.version < 1) problem("", "version must be >= 1");
    if (definition_.root.children.empty()) problem("", "has no steps");
    if (definition_.retry) check_retry(*definition_.retry, "");
    if (definition_.timeout && definition_.timeout->count() <= 0) problem("", "timeout must be > 0 ms");
    visit(definition_.root, "");
    return problems_;
  }

 private:
  void problem(const std::string& location, const std::string& what) {
    problems_.push_back(where_ + (location.empty() ? "" : ": " + location) + ": " + what);
  }

  void check_retry(const RetryPolicy& policy, const std::string& location) {
    if (auto bad = policy.problem()) problem(location, "retry policy: " + *bad);
  }

  // Paths join the names of steps and of the parallel/choice nodes around them.
  void visit(Node& node, const std::string& parent_path) {
    const bool named = node.kind != Node::Kind::sequence;
    node.path = named ? (parent_path.empty() ? node.name : parent_path + "/" + node.name) : parent_path;
    const std::string location = std::string(to_string(node.kind)) + " '" + node.name + "'" +
                                 (node.path.empty() ? "" : " (at " + node.path + ")");
    if (named) check_name(node, location);
    switch (node.kind) {
      case Node::Kind::step: check_step(node.step, location); break;
      case Node::Kind::child: check_child(node, location); break;
      case Node::Kind::parallel:
        if (node.children.empty()) problem(location, "parallel has no branches");
        for (size_t i = 0; i < node.children.size(); ++i)
          if (node.children[i].children.empty())
            problem(location, "branch " + std::to_string(i + 1) + " is empty");
        break;
      case Node::Kind::choice:
        if (node.conditions.empty()) problem(location, "choice has no branches");
        for (size_t i = 0; i < node.conditions.size(); ++i)
          if (!node.conditions[i]) problem(location, "branch " + std::to_string(i + 1) + " has no condition");
        break;
      case Node::Kind::sleep:
        if (node.sleep_until_pointer.empty() && node.sleep_for.count() < 0) problem(location, "duration must be >= 0 ms");
        check_pointer(node.sleep_until_pointer, location);
        break;
      case Node::Kind::wait: check_wait(node, location); break;
      case Node::Kind::sequence: break;
    }
    for (auto& child : node.children) visit(child, node.path);
  }

  void check_name(const Node& node, const std::string& location) {
    if (node.name.empty()) {
      problem(location, "has no name");
      return;
    }
    if (auto bad = name_problem(std::string(to_string(node.kind)) + " name", node.name)) problem(location, *bad);
    auto [it, inserted] = names_.emplace(node.name, node.path);
    if (!inserted) problem(location, "duplicate name '" + node.name + "' (first used at " + it->second + ")");
  }

  void check_step(const StepSpec& step, const std::string& location) {
    if (step.handler.empty()) problem(location, "has no handler");
    else if (!catalog_.has_handler(step.handler)) problem(location, "unknown handler '" + step.handler + "'");
    if (!step.compensation.empty() && !catalog_.has_handler(step.compensation))
      problem(location, "unknown compensation handler '" + step.compensation + "'");
    check_common(step, location);
  }

  void check_child(const Node& node, const std::string& location) {
    if (node.child_definition.empty()) problem(location, "names no child workflow");
    else if (node.child_definition == definition_.name)
      problem(location, "starts its own definition '" + node.child_definition + "' (recursion)");
    else if (!catalog_.has_definition(node.child_definition))
      problem(location, "unknown child workflow '" + node.child_definition + "'");
    if (!node.step.compensation.empty() && !catalog_.has_handler(node.step.compensation))
      problem(location, "unknown compensation handler '" + node.step.compensation + "'");
    check_common(node.step, location);
  }

  void check_common(const StepSpec& step, const std::string& location) {
    if (!step.breaker.empty() && !catalog_.has_breaker(step.breaker))
      problem(location, "unknown circuit breaker '" + step.breaker + "'");
    if (step.timeout && step.timeout->count() <= 0) problem(location, "timeout must be > 0 ms");
    if (step.retry) check_retry(*step.retry, location);
    check_pointer(step.input_pointer, location);
    for (const auto& [field, pointer] : step.input_fields) check_pointer(pointer, location + " input '" + field + "'");
  }

  void check_wait(const Node& node, const std::string& location) {
    const WaitSpec& wait = node.wait;
    if (wait.signal.empty()) problem(location, "waits for no signal (empty signal name)");
    else if (wait.signal[0] == '$') problem(location, "signal names starting with '$' are reserved ('" + wait.signal + "')");
    else if (auto bad = name_problem("signal name", wait.signal)) problem(location, *bad);
    if (wait.timeout && wait.timeout->count() <= 0) problem(location, "timeout must be > 0 ms");
    if (wait.escalation_timeout && wait.escalation_timeout->count() <= 0)
      problem(location, "escalation timeout must be > 0 ms");
    if (wait.on_timeout != OnTimeout::fail) {
      if (!wait.timeout) problem(location, "on timeout '" + std::string(to_string(wait.on_timeout)) + "' needs a timeout");
      if (node.children.empty() || node.children[0].children.empty())
        problem(location, "on timeout '" + std::string(to_string(wait.on_timeout)) + "' needs a non-empty branch");
    }
  }

  void check_pointer(const std::string& pointer, const std::string& location) {
    if (pointer.empty()) return;
    try {
      Json::json_pointer parsed(pointer);
    } catch (const std::exception& e) {
      problem(location, "bad input pointer '" + pointer + "': " + e.what());
    }
  }

  WorkflowDefinition& definition_;
  const DefinitionCatalog& catalog_;
  std::string where_;
  std::map<std::string, std::string> names_;  // name -> path of first use
  std::vector<std::string> problems_;
};

}  // namespace

std::vector<std::string> validate_definition(WorkflowDefinition& definition,
                                             const DefinitionCatalog& catalog) {
  return Validator(definition, catalog).run();
}

}  // namespace actorflow
