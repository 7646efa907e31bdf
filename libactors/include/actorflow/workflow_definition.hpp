#pragma once
// A workflow definition is a tree of nodes: steps, sequences, parallel fork/join, choices on the
// workflow data and child workflows. Build one with WorkflowBuilder; the engine validates it
// fully when it is registered.
#include <actorflow/clock.hpp>
#include <actorflow/error_strategy.hpp>
#include <actorflow/json.hpp>
#include <actorflow/retry_policy.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace actorflow {

// One call of a named handler, with what happens around it.
struct StepSpec {
  std::string name;                                  // unique in the workflow; output lands at data[name]
  std::string handler;                               // registered handler name
  std::string compensation;                          // handler that undoes it; empty = nothing to undo
  std::string breaker;                               // circuit breaker guarding it; empty = none
  std::string input_pointer;                         // JSON pointer into the data; empty = all data
  std::map<std::string, std::string> input_fields;   // or: field -> JSON pointer
  std::optional<Millis> timeout;                     // default: the workflow's, then the engine's
  std::optional<RetryPolicy> retry;
  std::optional<ErrorStrategy> strategy;

  StepSpec() = default;
  StepSpec(std::string step_name, std::string handler_name)
      : name(std::move(step_name)), handler(std::move(handler_name)) {}
  StepSpec& compensate_with(std::string handler_name) { compensation = std::move(handler_name); return *this; }
  StepSpec& guarded_by(std::string breaker_name) { breaker = std::move(breaker_name); return *this; }
  StepSpec& input(std::string json_pointer) { input_pointer = std::move(json_pointer); return *this; }
  StepSpec& input(std::map<std::string, std::string> fields) { input_fields = std::move(fields); return *this; }
  StepSpec& timeout_after(Millis t) { timeout = t; return *this; }
  StepSpec& retry_with(RetryPolicy policy) { retry = policy; return *this; }
  StepSpec& on_error(ErrorStrategy s) { strategy = s; return *this; }
};

using Condition = std::function<bool(const Json& data)>;

struct Node {
  enum class Kind { step, sequence, parallel, choice, child };
  Kind kind = Kind::sequence;
  std::string name;
  std::string path;                          // set at registration: names from the root, '/'-joined
  StepSpec step;                             // step and child nodes
  std::vector<Node> children;                // sequence: in order; parallel: branches; choice: branches
  std::vector<Condition> conditions;         // choice: conditions[i] guards children[i]; an extra
                                             // last child is the otherwise-branch
  std::vector<std::string> condition_texts;  // choice: readable conditions for history
  std::string child_definition;              // child: the definition to start
};

std::string_view to_string(Node::Kind kind);

struct WorkflowDefinition {
  std::string name;
  int version = 1;
  Node root;  // a sequence
  std::optional<ErrorStrategy> strategy;
  std::optional<RetryPolicy> retry;
  std::optional<Millis> timeout;
};

class Sequence;

struct Branch {
  std::string description;  // e.g. "amount > 100", kept in history
  Condition when;
  std::vector<Node> body;
};

// An ordered block of nodes; also the body of a parallel branch or of a choice branch.
class Sequence {
 public:
  Sequence& step(StepSpec spec);
  Sequence& step(std::string name, std::string handler) { return step(StepSpec(std::move(name), std::move(handler))); }
  // Fork/join: every branch runs at once; all must succeed.
  Sequence& parallel(std::string name, std::vector<Sequence> branches);
  // The first branch whose condition holds runs; else `otherwise`; else nothing.
  Sequence& choice(std::string name, std::vector<Branch> branches, std::optional<Sequence> otherwise = {});
  // Starts the registered definition `definition` as a child workflow (id: parent id + "/" + path),
  // passing the mapped input, and waits for it; its data becomes this node's output.
  Sequence& child(StepSpec spec_with_definition_as_handler);

  const std::vector<Node>& nodes() const { return nodes_; }
  Node as_node(std::string name) const;

 private:
  std::vector<Node> nodes_;
};

Branch when(std::string description, Condition condition, const Sequence& body);

class WorkflowBuilder {
 public:
  explicit WorkflowBuilder(std::string name, int version = 1) : name_(std::move(name)), version_(version) {}

  WorkflowBuilder& step(StepSpec spec) { body_.step(std::move(spec)); return *this; }
  WorkflowBuilder& step(std::string name, std::string handler) { body_.step(std::move(name), std::move(handler)); return *this; }
  WorkflowBuilder& parallel(std::string name, std::vector<Sequence> branches) { body_.parallel(std::move(name), std::move(branches)); return *this; }
  WorkflowBuilder& choice(std::string name, std::vector<Branch> branches, std::optional<Sequence> otherwise = {}) {
    body_.choice(std::move(name), std::move(branches), std::move(otherwise));
    return *this;
  }
  WorkflowBuilder& child(StepSpec spec) { body_.child(std::move(spec)); return *this; }
  WorkflowBuilder& on_error(ErrorStrategy s) { strategy_ = s; return *this; }
  WorkflowBuilder& retry_with(RetryPolicy p) { retry_ = p; return *this; }
  WorkflowBuilder& timeout_after(Millis t) { timeout_ = t; return *this; }

  WorkflowDefinition build() const;

 private:
  std::string name_;
  int version_;
  Sequence body_;
  std::optional<ErrorStrategy> strategy_;
  std::optional<RetryPolicy> retry_;
  std::optional<Millis> timeout_;
};

}  // namespace actorflow
