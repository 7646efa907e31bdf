#include <actorflow/workflow_definition.hpp>

namespace actorflow {

std::string_view to_string(Node::Kind kind) {
  switch (kind) {
    case Node::Kind::step: return "step";
    case Node::Kind::sequence: return "sequence";
    case Node::Kind::parallel: return "parallel";
    case Node::Kind::choice: return "choice";
    case Node::Kind::child: return "child";
  }
  return "unknown";
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
