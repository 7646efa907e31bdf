#include <actorflow/workflow_definition.hpp>

namespace actorflow {

std::string_view to_string(Node::Kind kind) {
  switch (kind) {
    case Node::Kind::step: return "step";
    case Node::Kind::sequence: return "sequence";
    case Node::Kind::parallel: return "parallel";
    case Node::Kind::choice: return "choice";
    case Node::Kind::child: return "child";
    case Node::Kind::sleep: return "sleep";
    case Node::Kind::wait: return "wait";
  }
  return "unknown";
}

std::string_view to_string(OnTimeout action) {
  switch (action) {
    case OnTimeout::fail: return "fail";
    case OnTimeout::branch: return "branch";
    case OnTimeout::escalate: return "escalate";
  }
  return "unknown";
}

WaitSpec& WaitSpec::on_timeout_take(const Sequence& branch) {
  on_timeout = OnTimeout::branch;
  timeout_body = std::make_shared<const Sequence>(branch);
  return *this;
}

WaitSpec& WaitSpec::on_timeout_escalate(const Sequence& escalation, std::optional<Millis> then_timeout) {
  on_timeout = OnTimeout::escalate;
  timeout_body = std::make_shared<const Sequence>(escalation);
  escalation_timeout = then_timeout;
  return *this;
}

Sequence& Sequence::sleep(std::string name, Millis duration) {
  Node& node = nodes_.emplace_back();
  node.kind = Node::Kind::sleep;
  node.name = std::move(name);
  node.sleep_for = duration;
  return *this;
}

Sequence& Sequence::sleep_until(std::string name, std::string json_pointer) {
  sleep(std::move(name), Millis(0));
  nodes_.back().sleep_until_pointer = std::move(json_pointer);
  return *this;
}

Sequence& Sequence::wait_for(WaitSpec spec) {
  Node node;
  node.kind = Node::Kind::wait;
  node.name = spec.name;
  if (spec.timeout_body) node.children.push_back(spec.timeout_body->as_node(spec.name + "#timeout"));
  node.wait = std::move(spec);
  nodes_.push_back(std::move(node));
  return *this;
}

Sequence& Sequence::approval(WaitSpec spec) {
  spec.approval = true;
  if (spec.signal.empty()) spec.signal = spec.name;
  return wait_for(std::move(spec));
}

Sequence& Sequence::step(StepSpec spec) {
  Node node;
  node.kind = Node::Kind::step;
  node.name = spec.name;
  node.step = std::move(spec);
  nodes_.push_back(std::move(node));
  return *this;
}

Sequence& Sequence::parallel(std::string name, std::vector<Sequence> branches) {
  Node node;
  node.kind = Node::Kind::parallel;
  node.name = name;
  for (size_t i = 0; i < branches.size(); ++i)
    node.children.push_back(branches[i].as_node(name + "#" + std::to_string(i + 1)));
  nodes_.push_back(std::move(node));
  return *this;
}

Sequence& Sequence::choice(std::string name, std::vector<Branch> branches, std::optional<Sequence> otherwise) {
  Node node;
  node.kind = Node::Kind::choice;
  node.name = name;
  for (size_t i = 0; i < branches.size(); ++i) {
    Node body;
    body.kind = Node::Kind::sequence;
    body.name = name + "#" + std::to_string(i + 1);
    body.children = std::move(branches[i].body);
    node.children.push_back(std::move(body));
    node.conditions.push_back(std::move(branches[i].when));
    node.condition_texts.push_back(std::move(branches[i].description));
  }
  if (otherwise) node.children.push_back(otherwise->as_node(name + "#otherwise"));
  nodes_.push_back(std::move(node));
  return *this;
}

Sequence& Sequence::child(StepSpec spec) {
  Node node;
  node.kind = Node::Kind::child;
  node.name = spec.name;
  node.child_definition = spec.handler;
  node.step = std::move(spec);
  nodes_.push_back(std::move(node));
  return *this;
}

Node Sequence::as_node(std::string name) const {
  Node node;
  node.kind = Node::Kind::sequence;
  node.name = std::move(name);
  node.children = nodes_;
  return node;
}

Branch when(std::string description, Condition condition, const Sequence& body) {
  return Branch{std::move(description), std::move(condition), body.nodes()};
}

WorkflowDefinition WorkflowBuilder::build() const {
  WorkflowDefinition definition;
  definition.name = name_;
  definition.version = version_;
  definition.root = body_.as_node("");
  definition.strategy = strategy_;
  definition.retry = retry_;
  definition.timeout = timeout_;
  return definition;
}

}  // namespace actorflow
