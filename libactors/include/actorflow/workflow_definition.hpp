#pragma once
// A workflow definition is a tree of nodes: steps, sequences, parallel fork/join, choices on the
// workflow data and child workflows. Build one with WorkflowBuilder; the engine validates it
// fully when it is registered.
#include <actorflow/export.hpp>
#include <actorflow/clock.hpp>
#include <actorflow/error_strategy.hpp>
#include <actorflow/json.hpp>
#include <actorflow/retry_policy.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ACTORFLOW_API actorflow {

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

class Sequence;

// What a wait does when its signal has not come in time.
enum class OnTimeout {
  fail,      // the wait fails (and the workflow handles it like a failed step)
  branch,    // the wait ends with {"timed_out": true} and the timeout branch runs instead
  escalate,  // the timeout branch runs (e.g. tells someone) and the wait goes on, with a second
             // timeout (escalation_timeout) after which it fails
};

// A wait for the named signal. Its payload becomes the node's output (data[name]). A signal sent
// before the workflow reaches the wait is kept in the inbox and taken when it does.
// An approval is a wait whose signal says {"decision": "approve"|"reject", "by": who,
// "reason": why}: approve goes on, reject fails the wait; both are recorded with who and why.
struct WaitSpec {
  std::string name;                         // unique in the workflow
  std::string signal;                       // the signal waited for (approvals: default = name)
  std::optional<Millis> timeout;            // none: wait forever
  OnTimeout on_timeout = OnTimeout::fail;
  std::optional<Millis> escalation_timeout; // escalate: the second timeout (none: then forever)
  std::shared_ptr<const Sequence> timeout_body;  // branch / escalate: what runs on the timeout
  bool approval = false;

  WaitSpec() = default;
  WaitSpec(std::string wait_name, std::string signal_name)
      : name(std::move(wait_name)), signal(std::move(signal_name)) {}
  WaitSpec& timeout_after(Millis t) { timeout = t; return *this; }
  WaitSpec& on_timeout_fail() { on_timeout = OnTimeout::fail; return *this; }
  WaitSpec& on_timeout_take(const Sequence& branch);
  WaitSpec& on_timeout_escalate(const Sequence& escalation, std::optional<Millis> then_timeout = {});
};

struct Node {
  enum class Kind { step, sequence, parallel, choice, child, sleep, wait };
  Kind kind = Kind::sequence;
  std::string name;
  std::string path;                          // set at registration: names from the root, '/'-joined
  StepSpec step;                             // step and child nodes
  std::vector<Node> children;                // sequence: in order; parallel: branches; choice: branches
  std::vector<Condition> conditions;         // choice: conditions[i] guards children[i]; an extra
                                             // last child is the otherwise-branch
  std::vector<std::string> condition_texts;  // choice: readable conditions for history
  std::string child_definition;              // child: the definition to start
  Millis sleep_for{0};                       // sleep: a duration...
  std::string sleep_until_pointer;           // ...or until the time (ms since epoch) at this pointer
  WaitSpec wait;                             // wait: children[0], if any, is the timeout branch
};

std::string_view to_string(Node::Kind kind);
std::string_view to_string(OnTimeout action);

struct WorkflowDefinition {
  std::string name;
  int version = 1;
  Node root;  // a sequence
  std::optional<ErrorStrategy> strategy;
  std::optional<RetryPolicy> retry;
  std::optional<Millis> timeout;
};

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
  // Durable timers: the workflow holds no thread while it sleeps and wakes after a restart.
  Sequence& sleep(std::string name, Millis duration);
  // Until the time (ms since the Unix epoch, a number) found at `json_pointer` in the data.
  Sequence& sleep_until(std::string name, std::string json_pointer);
  Sequence& wait_for(WaitSpec spec);
  Sequence& approval(WaitSpec spec);  // a wait with spec.approval set

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
  WorkflowBuilder& sleep(std::string name, Millis duration) { body_.sleep(std::move(name), duration); return *this; }
  WorkflowBuilder& sleep_until(std::string name, std::string pointer) { body_.sleep_until(std::move(name), std::move(pointer)); return *this; }
  WorkflowBuilder& wait_for(WaitSpec spec) { body_.wait_for(std::move(spec)); return *this; }
  WorkflowBuilder& approval(WaitSpec spec) { body_.approval(std::move(spec)); return *this; }
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
