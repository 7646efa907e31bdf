#include "yaml/node_parser.hpp"

#include <actorflow/names.hpp>

#include "yaml/condition.hpp"
#include "yaml/json_pointer.hpp"
#include "yaml/step_options.hpp"

#include <array>

namespace actorflow::yaml {
namespace {

constexpr std::array<std::string_view, 7> kKinds{"step", "parallel", "choice", "approval", "wait", "sleep", "child"};
constexpr std::string_view kKindsExpected = "step, parallel, choice, approval, wait, sleep, child";

class NodeParser {
 public:
  NodeParser(DefinitionScope& scope, int depth) : scope_(scope), source_(scope.source), depth_(depth) {}

  void parse(const YAML::Node& item, const YAML::Mark& at, Sequence& out) {
    const YAML::Mark mark = mark_or(item, at);
    if (!item.IsMap()) {
      source_.report(mark, "", "expected a node (a map with one of the keys " + std::string(kKindsExpected) +
                                   "), got " + describe(item));
      return;
    }
    std::string kind;
    for (auto it = item.begin(); it != item.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      bool is_kind = false;
      for (auto candidate : kKinds) is_kind = is_kind || key == candidate;
      if (!is_kind) continue;
      if (!kind.empty()) {
        source_.report(mark, "", "a node has one kind, this one has both '" + kind + "' and '" + key + "'");
        return;
      }
      kind = key;
    }
    if (kind.empty()) {
      source_.report(mark, "", "node has no kind (expected one of the keys " + std::string(kKindsExpected) + ")");
      return;
    }
    if (++scope_.nodes == kYamlNodesMax + 1)
      source_.report(mark, "", "more than " + std::to_string(kYamlNodesMax) + " nodes in one definition");
    const YAML::Node name_node = value_of(item, kind);
    const std::string name = name_node.IsScalar() ? name_node.Scalar() : "";
    const std::string context = kind + " '" + name + "'";
    check_name(name_node, mark, context);

    if (kind == "step") step(item, mark, context, name, out);
    else if (kind == "child") child(item, mark, context, name, out);
    else if (kind == "parallel") parallel(item, mark, context, name, out);
    else if (kind == "choice") choice(item, mark, context, name, out);
    else if (kind == "sleep") sleep(item, mark, context, name, out);
    else wait(item, mark, context, name, kind == "approval", out);
  }

 private:
  void check_name(const YAML::Node& name_node, const YAML::Mark& at, const std::string& context) {
    const YAML::Mark mark = mark_or(name_node, at);
    if (!name_node.IsScalar() || name_node.Scalar().empty()) {
      source_.report(mark, context, "the name must be a non-empty string, got " + describe(name_node));
      return;
    }
    const std::string& name = name_node.Scalar();
    if (auto bad = name_problem("name", name)) source_.report(mark, context, *bad);
    auto [first, inserted] = scope_.names.emplace(name, source_.at(mark));
    if (!inserted) source_.report(mark, context, "duplicate name '" + name + "' (first used at " + first->second + ")");
  }

  void check_handler(MapFields& fields, std::string_view key, const std::optional<std::string>& handler) {
    const auto& known = source_.options.has_handler;
    if (handler && known && !known(*handler))
      fields.report(key, "unknown handler '" + *handler + "' (not registered by the program)");
  }

  // What steps and child workflows share: compensation, error strategy, input.
  void common(MapFields& fields, StepSpec& spec) {
    auto compensation = fields.text("compensate");
    check_handler(fields, "compensate", compensation);
    if (compensation) spec.compensate_with(*compensation);
    if (auto strategy = read_strategy(fields, "on_error")) spec.on_error(*strategy);
    read_input(fields, "input", spec);
  }

  void step(const YAML::Node& item, const YAML::Mark& at, const std::string& context, const std::string& name,
            Sequence& out) {
    MapFields fields(source_, item, at, context,
                     {"step", "handler", "compensate", "timeout", "retry", "on_error", "breaker", "input"});
    fields.require("handler");
    auto handler = fields.text("handler");
    check_handler(fields, "handler", handler);
    StepSpec spec(name, handler.value_or(""));
    common(fields, spec);
    if (auto timeout = fields.duration("timeout")) spec.timeout_after(*timeout);
    if (auto retry = read_retry(fields, "retry", scope_.retry_base)) spec.retry_with(*retry);
    if (auto breaker = fields.text("breaker")) {
      const auto& known = source_.options.has_breaker;
      if (known && !known(*breaker)) fields.report("breaker", "unknown circuit breaker '" + *breaker + "'");
      spec.guarded_by(*breaker);
    }
    out.step(std::move(spec));
  }

  void child(const YAML::Node& item, const YAML::Mark& at, const std::string& context, const std::string& name,
             Sequence& out) {
    MapFields fields(source_, item, at, context, {"child", "workflow", "input", "compensate", "on_error"});
    fields.require("workflow");
    auto workflow = fields.text("workflow");
    StepSpec spec(name, workflow.value_or(""));
    common(fields, spec);
    if (workflow) scope_.children.push_back(ChildRef{*workflow, context, source_.at(fields.mark_of("workflow"))});
    out.child(std::move(spec));
  }

  void parallel(const YAML::Node& item, const YAML::Mark& at, const std::string& context, const std::string& name,
                Sequence& out) {
    MapFields fields(source_, item, at, context, {"parallel", "branches"});
    if (!fields.require("branches")) return;
    const YAML::Node list = fields.value("branches");
    if (!list.IsSequence() || list.size() == 0) {
      fields.report("branches", "expected a non-empty list of branches (each a list of nodes), got " + describe(list));
      return;
    }
    std::vector<Sequence> branches;
    int index = 0;
    for (const auto& branch : list)
      branches.push_back(parse_node_list(scope_, branch, fields.mark_of("branches"),
                                         context + " branch " + std::to_string(++index), depth_ + 1));
    out.parallel(name, std::move(branches));
  }

  void choice(const YAML::Node& item, const YAML::Mark& at, const std::string& context, const std::string& name,
              Sequence& out) {
    MapFields fields(source_, item, at, context, {"choice", "when", "otherwise"});
    if (!fields.require("when")) return;
    const YAML::Node list = fields.value("when");
    if (!list.IsSequence() || list.size() == 0) {
      fields.report("when", "expected a non-empty list of {if: <condition>, then: [nodes]}, got " + describe(list));
      return;
    }
    std::vector<Branch> branches;
    std::vector<std::string> texts;
    int always_index = 0;  // 1-based index of the first branch that is always taken
    for (const auto& entry : list) {
      const int index = static_cast<int>(texts.size()) + 1;
      const std::string branch_context = context + " branch " + std::to_string(index);
      MapFields when(source_, entry, fields.mark_of("when"), branch_context, {"if", "then"});
      texts.emplace_back();
      if (!when.is_map()) continue;
      const bool has_if = when.require("if");
      const bool has_then = when.require("then");
      std::optional<CompiledCondition> condition;
      if (has_if) condition = compile_condition(source_, when.value("if"), when.mark_of("if"), branch_context + " if", 0);
      Sequence body;
      if (has_then) body = parse_node_list(scope_, when.value("then"), when.mark_of("then"), branch_context + " then",
                                           depth_ + 1, true);
      if (!condition) continue;
      texts.back() = condition->text;
      check_reachable(when, index, *condition, texts, always_index);
      if (condition->constancy == Constancy::always && always_index == 0) always_index = index;
      branches.push_back(when_branch(std::move(*condition), body));
    }
    std::optional<Sequence> otherwise;
    if (fields.has("otherwise")) {
      if (always_index != 0)
        fields.report("otherwise", "can never run: branch " + std::to_string(always_index) +
                                       "'s condition is always true");
      otherwise = parse_node_list(scope_, fields.value("otherwise"), fields.mark_of("otherwise"),
                                  context + " otherwise", depth_ + 1, true);
    }
    out.choice(name, std::move(branches), std::move(otherwise));
  }

  static Branch when_branch(CompiledCondition condition, const Sequence& body) {
    return when(std::move(condition.text), std::move(condition.test), body);
  }

  // Reports a branch that no data can ever select.
  void check_reachable(MapFields& when, int index, const CompiledCondition& condition,
                       const std::vector<std::string>& texts, int always_index) {
    const std::string branch = "branch " + std::to_string(index);
    if (always_index != 0) {
      when.report("if", branch + " can never run: branch " + std::to_string(always_index) +
                            "'s condition is always true");
      return;
    }
    if (condition.constancy == Constancy::never) {
      when.report("if", branch + " can never run: its condition '" + condition.text + "' is never true");
      return;
    }
    for (size_t i = 0; i + 1 < texts.size(); ++i) {
      if (texts[i] == condition.text) {
        when.report("if", branch + " can never run: branch " + std::to_string(i + 1) + " has the same condition '" +
                              condition.text + "'");
        return;
      }
    }
  }

  void sleep(const YAML::Node& item, const YAML::Mark& at, const std::string& context, const std::string& name,
             Sequence& out) {
    MapFields fields(source_, item, at, context, {"sleep", "for", "until"});
    if (!fields.is_map()) return;
    if (fields.has("for") == fields.has("until")) {
      source_.report(fields.mark(), context, "a sleep takes exactly one of 'for: <duration>' or 'until: /pointer'");
      return;
    }
    if (auto duration = fields.duration("for", Millis(0))) out.sleep(name, *duration);
    if (auto pointer = read_pointer(fields, "until")) out.sleep_until(name, *pointer);
  }

  void wait(const YAML::Node& item, const YAML::Mark& at, const std::string& context, const std::string& name,
            bool approval, Sequence& out) {
    MapFields fields(source_, item, at, context, {approval ? "approval" : "wait", "signal", "timeout", "on_timeout"});
    WaitSpec spec(name, fields.text("signal").value_or(name));
    if (!spec.signal.empty() && spec.signal[0] == '$')
      fields.report("signal", "signal names starting with '$' are reserved ('" + spec.signal + "')");
    else if (fields.has("signal"))
      if (auto bad = name_problem("signal name", spec.signal)) fields.report("signal", *bad);
    if (auto timeout = fields.duration("timeout")) spec.timeout_after(*timeout);
    on_timeout(fields, spec);
    if (approval) out.approval(std::move(spec));
    else out.wait_for(std::move(spec));
  }

  void on_timeout(MapFields& fields, WaitSpec& spec) {
    if (!fields.has("on_timeout")) return;
    const YAML::Node node = fields.value("on_timeout");
    const std::string expected = "expected fail, {branch: [nodes]} or {escalate: [nodes], then_timeout: <duration>}";
    if (node.IsScalar()) {
      if (node.Scalar() != "fail") fields.report("on_timeout", "unknown action " + describe(node) + " (" + expected + ")");
      return;
    }
    const std::string context = fields.context() + " on_timeout";
    MapFields action(source_, node, fields.mark_of("on_timeout"), context, {"branch", "escalate", "then_timeout"});
    if (!action.is_map()) return;
    if (action.has("branch") == action.has("escalate")) {
      source_.report(action.mark(), context, "takes exactly one of branch, escalate (" + expected + ")");
      return;
    }
    if (!fields.has("timeout")) fields.report("on_timeout", "needs a timeout (add timeout: <duration>)");
    const bool escalate = action.has("escalate");
    if (!escalate && action.has("then_timeout")) action.report("then_timeout", "only goes with escalate");
    const std::string_view key = escalate ? "escalate" : "branch";
    Sequence body = parse_node_list(scope_, action.value(key), action.mark_of(key), context + " " + std::string(key),
                                    depth_ + 1);
    if (escalate) spec.on_timeout_escalate(body, action.duration("then_timeout"));
    else spec.on_timeout_take(body);
  }

  DefinitionScope& scope_;
  const Source& source_;
  int depth_;
};

}  // namespace

Sequence parse_node_list(DefinitionScope& scope, const YAML::Node& list, const YAML::Mark& at,
                         const std::string& context, int depth, bool empty_allowed) {
  Sequence out;
  const YAML::Mark mark = mark_or(list, at);
  if (depth > kYamlDepthMax) {
    scope.source.report(mark, context, "nodes nested deeper than " + std::to_string(kYamlDepthMax) + " levels");
    return out;
  }
  if (!list.IsSequence() || (list.size() == 0 && !empty_allowed)) {
    scope.source.report(mark, context, std::string("expected a ") + (empty_allowed ? "" : "non-empty ") +
                                           "list of nodes, got " + (list.IsSequence() ? "an empty list" : describe(list)));
    return out;
  }
  NodeParser parser(scope, depth);
  for (const auto& item : list) parser.parse(item, mark, out);
  return out;
}

}  // namespace actorflow::yaml
