#include "yaml/definition_set.hpp"

#include <map>
#include <set>

namespace actorflow::yaml {
namespace {

class DefinitionSet {
 public:
  DefinitionSet(std::vector<ParsedDefinition>& parsed, Problems& problems, const YamlLoadOptions& options)
      : parsed_(parsed), problems_(problems), options_(options) {
    for (size_t i = 0; i < parsed_.size(); ++i) {
      const std::string& name = parsed_[i].definition.name;
      if (!versions_.count(name)) names_in_order_.push_back(name);
      versions_[name].push_back(i);
    }
  }

  void check_versions() {
    std::map<std::pair<std::string, int>, size_t> seen;
    for (size_t i = 0; i < parsed_.size(); ++i) {
      auto& d = parsed_[i];
      auto [first, inserted] = seen.emplace(std::make_pair(d.definition.name, d.definition.version), i);
      if (inserted) continue;
      problems_.add(d.at + ": " + label(d) + ": defined twice (first at " + parsed_[first->second].at + ")");
      d.valid = false;
    }
  }

  void check_unknown_children() {
    if (!options_.has_definition) return;
    for (auto& d : parsed_) {
      for (const auto& child : d.children) {
        if (versions_.count(child.workflow) || options_.has_definition(child.workflow)) continue;
        problems_.add(child.at + ": " + child.context + ": unknown child workflow '" + child.workflow +
                      "' (neither loaded with it nor registered)");
        d.valid = false;
      }
    }
  }

  // A cycle in the graph "the highest version of a starts b" never ends: each is reported once,
  // where its last edge is written, and every definition on it is refused.
  void check_cycles() {
    std::map<std::string, Color> colors;
    std::vector<std::string> stack;
    for (const auto& name : names_in_order_) visit_for_cycles(name, colors, stack);
    for (auto& d : parsed_)
      if (on_cycle_.count(d.definition.name)) d.valid = false;
  }

  // Depth first, children first: Engine::register_workflow needs a child's definition registered
  // before any workflow that starts it. Edges of every version count.
  std::vector<WorkflowDefinition> ordered() {
    std::map<std::string, Color> colors;
    std::vector<WorkflowDefinition> out;
    for (const auto& name : names_in_order_) emit(name, colors, out);
    return out;
  }

 private:
  enum class Color { white, gray, black };

  static std::string label(const ParsedDefinition& d) {
    return "workflow '" + d.definition.name + "' v" + std::to_string(d.definition.version);
  }

  const ParsedDefinition* latest(const std::string& name) const {
    auto it = versions_.find(name);
    if (it == versions_.end()) return nullptr;
    const ParsedDefinition* best = nullptr;
    for (size_t i : it->second)
      if (!best || parsed_[i].definition.version > best->definition.version) best = &parsed_[i];
    return best;
  }

  void visit_for_cycles(const std::string& name, std::map<std::string, Color>& colors, std::vector<std::string>& stack) {
    if (colors[name] != Color::white) return;
    const ParsedDefinition* d = latest(name);
    if (!d) return;  // not loaded here: no edges to follow
    colors[name] = Color::gray;
    stack.push_back(name);
    for (const auto& child : d->children) {
      const Color color = colors[child.workflow];
      if (color == Color::gray) {
        std::string path;
        bool in_cycle = false;
        for (const auto& on_stack : stack) {
          in_cycle = in_cycle || on_stack == child.workflow;
          if (!in_cycle) continue;
          path += on_stack + " -> ";
          on_cycle_.insert(on_stack);
        }
        problems_.add(child.at + ": " + label(*d) + ": " + child.context +
                      ": cycle of child workflows: " + path + child.workflow);
      } else if (color == Color::white) {
        visit_for_cycles(child.workflow, colors, stack);
      }
    }
    stack.pop_back();
    colors[name] = Color::black;
  }

  void emit(const std::string& name, std::map<std::string, Color>& colors, std::vector<WorkflowDefinition>& out) {
    auto it = versions_.find(name);
    if (it == versions_.end() || colors[name] != Color::white) return;
    colors[name] = Color::gray;
    for (size_t i : it->second)
      for (const auto& child : parsed_[i].children) emit(child.workflow, colors, out);
    for (size_t i : it->second)
      if (parsed_[i].valid) out.push_back(std::move(parsed_[i].definition));
    colors[name] = Color::black;
  }

  std::vector<ParsedDefinition>& parsed_;
  Problems& problems_;
  const YamlLoadOptions& options_;
  std::map<std::string, std::vector<size_t>> versions_;  // name -> indexes into parsed_
  std::vector<std::string> names_in_order_;
  std::set<std::string> on_cycle_;
};

}  // namespace

YamlLoadResult finish_load(std::vector<ParsedDefinition> parsed, Problems& problems, const YamlLoadOptions& options) {
  DefinitionSet set(parsed, problems, options);
  set.check_versions();
  set.check_unknown_children();
  set.check_cycles();
  YamlLoadResult result;
  result.definitions = set.ordered();
  result.problems = problems.take();
  return result;
}

}  // namespace actorflow::yaml
