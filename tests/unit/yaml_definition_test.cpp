// Workflow definitions written in YAML: every node kind parses into the tree WorkflowBuilder makes,
// every problem is reported at once with file:line:column, child cycles are found across files,
// and the sample files in config/workflows run in a real engine.
#include "temp_dir.hpp"
#include "test_engine.hpp"

#include <actorflow/yaml_definition.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

constexpr Millis kSecond{1'000};
constexpr Millis kMinute{60'000};
constexpr Millis kHour{3'600'000};

// Where `needle` (its `nth` occurrence) is in `text`, as the loader names it: "t.yaml:line:column".
std::string at(const std::string& text, const std::string& needle, int nth = 1) {
  size_t pos = std::string::npos;
  for (int i = 0; i < nth; ++i) pos = text.find(needle, pos == std::string::npos ? 0 : pos + 1);
  if (pos == std::string::npos) {
    ADD_FAILURE() << "'" << needle << "' not in the text";
    return "";
  }
  const size_t line_start = text.rfind('\n', pos == 0 ? 0 : pos - 1);
  const size_t column = line_start == std::string::npos ? pos : pos - line_start - 1;
  const auto line = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n');
  return "t.yaml:" + std::to_string(line + 1) + ":" + std::to_string(column + 1);
}

std::string joined(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += p + "\n";
  return out;
}

bool has_problem(const YamlLoadResult& result, const std::string& problem) {
  return std::find(result.problems.begin(), result.problems.end(), problem) != result.problems.end();
}

#define EXPECT_PROBLEM(result, text) \
  EXPECT_TRUE(has_problem(result, text)) << "missing:\n  " << (text) << "\nin:\n" << joined((result).problems)

const Node& child_named(const Node& parent, const std::string& name) {
  for (const auto& child : parent.children)
    if (child.name == name) return child;
  ADD_FAILURE() << "no node '" << name << "' under '" << parent.name << "'";
  static const Node none;
  return none;
}

std::filesystem::path workflows_dir() {
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "config" / "workflows";
}

// One choice with the condition `condition` (YAML), compiled.
struct OneCondition {
  Condition test;
  std::string text;
};
OneCondition compile(const std::string& condition) {
  const std::string text = "name: c\nversion: 1\nsteps:\n  - choice: c\n    when:\n      - if: " + condition +
                           "\n        then: []\n";
  auto result = load_workflow_yaml(text, "t.yaml");
  EXPECT_TRUE(result.ok()) << condition << "\n" << joined(result.problems);
  if (!result.ok() || result.definitions.size() != 1) return {[](const Json&) { return false; }, ""};
  const Node& choice = result.definitions[0].root.children.at(0);
  return {choice.conditions.at(0), choice.condition_texts.at(0)};
}

// A file covering every node kind, and the child workflow it starts (a second document).
const std::string kEveryKind = R"(name: fulfil
version: 3
description: every node kind
defaults:
  timeout: 30s
  retry: {max: 3, initial: 1s, multiplier: 3, max_interval: 20s, jitter: 0.1}
  on_error: retry-then-compensate
steps:
  - step: reserve
    handler: inventory.reserve
    compensate: inventory.release
    timeout: 5s
    retry: {max: 5, initial: 100ms}
    on_error: compensate
    breaker: payments
    input: /order
  - step: charge
    handler: payment.charge
    input: {order: /order, amount: /amount}
  - parallel: notify
    branches:
      - - step: email
          handler: notify.email
      - - step: sms
          handler: notify.sms
        - sleep: sms_pause
          for: 1m30s
  - choice: gate
    when:
      - if: {path: /amount, op: ">", value: 100}
        then:
          - approval: manager
            timeout: 48h
            on_timeout:
              escalate:
                - step: tell_director
                  handler: notify.director
              then_timeout: 24h
      - if: {any: [{path: /country, op: in, value: [DE, FR]}, {not: {path: /vip, op: exists}}]}
        then: []
    otherwise:
      - step: fast_path
        handler: fast.path
  - wait: confirmation
    signal: confirmed
    timeout: 1h
    on_timeout: {branch: [{step: remind, handler: notify.remind}]}
  - sleep: cool_off
    until: /remind_at
  - child: ship
    workflow: shipping
    input: /order
    compensate: shipping.cancel
    on_error: dead-letter
---
# the child workflow
name: shipping
version: 1
steps:
  - step: label
    handler: shipping.label
)";

const std::vector<std::string> kEveryKindHandlers{
    "inventory.reserve", "inventory.release", "payment.charge", "notify.email", "notify.sms",     "notify.director",
    "fast.path",         "notify.remind",     "shipping.cancel", "shipping.label"};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Durations

TEST(YamlDurations, UnitsAndSums) {
  EXPECT_EQ(parse_duration("500ms"), Millis(500));
  EXPECT_EQ(parse_duration("30s"), 30 * kSecond);
  EXPECT_EQ(parse_duration("5m"), 5 * kMinute);
  EXPECT_EQ(parse_duration("2h"), 2 * kHour);
  EXPECT_EQ(parse_duration("1d"), 24 * kHour);
  EXPECT_EQ(parse_duration("1h30m"), 90 * kMinute);
  EXPECT_EQ(parse_duration("1m30s250ms"), Millis(90'250));
  EXPECT_EQ(parse_duration("0s"), Millis(0));
  EXPECT_EQ(parse_duration("3650d"), Millis(kDurationMsMax));
}

TEST(YamlDurations, MalformedOnesAreRefused) {
  for (const char* bad : {"", "3 mins", "30", "1.5s", "-1s", "+1s", "s", "10y", "5m1h", "1s1s", "1 s", "1S",
                          "3651d", "99999999999999999999d", "1h 30m"})
    EXPECT_EQ(parse_duration(bad), std::nullopt) << "'" << bad << "'";
}

// ---------------------------------------------------------------------------------------------
// A valid file

TEST(YamlDefinitions, EveryNodeKindParsesIntoTheExpectedTree) {
  auto result = load_workflow_yaml(kEveryKind, "t.yaml");
  ASSERT_TRUE(result.ok()) << joined(result.problems);
  ASSERT_EQ(result.definitions.size(), 2u);
  // A child's definition comes before the workflow that starts it.
  EXPECT_EQ(result.definitions[0].name, "shipping");
  const WorkflowDefinition& d = result.definitions[1];
  EXPECT_EQ(d.name, "fulfil");
  EXPECT_EQ(d.version, 3);
  EXPECT_EQ(d.timeout, 30 * kSecond);
  EXPECT_EQ(d.strategy, ErrorStrategy::retry_then_compensate);
  ASSERT_TRUE(d.retry);
  EXPECT_EQ(d.retry->retries_max, 3);
  EXPECT_EQ(d.retry->interval_initial, kSecond);
  EXPECT_EQ(d.retry->multiplier, 3.0);
  EXPECT_EQ(d.retry->interval_max, 20 * kSecond);
  EXPECT_EQ(d.retry->jitter, 0.1);

  const Node& root = d.root;
  EXPECT_EQ(root.kind, Node::Kind::sequence);
  std::vector<std::pair<Node::Kind, std::string>> top;
  for (const auto& node : root.children) top.emplace_back(node.kind, node.name);
  const std::vector<std::pair<Node::Kind, std::string>> expected_top{
      {Node::Kind::step, "reserve"},      {Node::Kind::step, "charge"},  {Node::Kind::parallel, "notify"},
      {Node::Kind::choice, "gate"},       {Node::Kind::wait, "confirmation"},
      {Node::Kind::sleep, "cool_off"},    {Node::Kind::child, "ship"}};
  EXPECT_EQ(top, expected_top);

  const StepSpec& reserve = child_named(root, "reserve").step;
  EXPECT_EQ(reserve.name, "reserve");
  EXPECT_EQ(reserve.handler, "inventory.reserve");
  EXPECT_EQ(reserve.compensation, "inventory.release");
  EXPECT_EQ(reserve.breaker, "payments");
  EXPECT_EQ(reserve.input_pointer, "/order");
  EXPECT_EQ(reserve.timeout, 5 * kSecond);
  EXPECT_EQ(reserve.strategy, ErrorStrategy::compensate);
  ASSERT_TRUE(reserve.retry);
  EXPECT_EQ(reserve.retry->retries_max, 5);
  EXPECT_EQ(reserve.retry->interval_initial, Millis(100));
  EXPECT_EQ(reserve.retry->multiplier, 3.0);  // the rest from defaults.retry
  EXPECT_EQ(reserve.retry->interval_max, 20 * kSecond);
  EXPECT_EQ(reserve.retry->jitter, 0.1);

  const StepSpec& charge = child_named(root, "charge").step;
  EXPECT_EQ(charge.input_fields, (std::map<std::string, std::string>{{"order", "/order"}, {"amount", "/amount"}}));
  EXPECT_FALSE(charge.timeout);  // the workflow's default applies at run time
  EXPECT_FALSE(charge.retry);
  EXPECT_FALSE(charge.strategy);

  const Node& notify = child_named(root, "notify");
  ASSERT_EQ(notify.children.size(), 2u);
  EXPECT_EQ(notify.children[0].name, "notify#1");
  EXPECT_EQ(notify.children[0].children.at(0).step.handler, "notify.email");
  ASSERT_EQ(notify.children[1].children.size(), 2u);
  EXPECT_EQ(notify.children[1].children[1].kind, Node::Kind::sleep);
  EXPECT_EQ(notify.children[1].children[1].sleep_for, Millis(90'000));

  const Node& gate = child_named(root, "gate");
  ASSERT_EQ(gate.conditions.size(), 2u);
  ASSERT_EQ(gate.children.size(), 3u);  // two branches and otherwise
  EXPECT_EQ(gate.condition_texts[0], "/amount > 100");
  EXPECT_EQ(gate.condition_texts[1], R"((/country in ["DE","FR"]) or (not (/vip exists)))");
  EXPECT_TRUE(gate.conditions[0](Json{{"amount", 150}}));
  EXPECT_FALSE(gate.conditions[0](Json{{"amount", 100}}));
  EXPECT_TRUE(gate.conditions[1](Json{{"amount", 50}, {"country", "DE"}, {"vip", true}}));
  EXPECT_FALSE(gate.conditions[1](Json{{"amount", 50}, {"country", "US"}, {"vip", true}}));
  EXPECT_TRUE(gate.conditions[1](Json{{"amount", 50}, {"country", "US"}}));
  EXPECT_TRUE(gate.children[1].children.empty());
  EXPECT_EQ(gate.children[2].name, "gate#otherwise");
  EXPECT_EQ(gate.children[2].children.at(0).step.handler, "fast.path");

  const Node& manager = gate.children[0].children.at(0);
  EXPECT_EQ(manager.kind, Node::Kind::wait);
  EXPECT_TRUE(manager.wait.approval);
  EXPECT_EQ(manager.wait.signal, "manager");  // default: the name
  EXPECT_EQ(manager.wait.timeout, 48 * kHour);
  EXPECT_EQ(manager.wait.on_timeout, OnTimeout::escalate);
  EXPECT_EQ(manager.wait.escalation_timeout, 24 * kHour);
  ASSERT_EQ(manager.children.size(), 1u);
  EXPECT_EQ(manager.children[0].children.at(0).step.handler, "notify.director");

  const Node& confirmation = child_named(root, "confirmation");
  EXPECT_FALSE(confirmation.wait.approval);
  EXPECT_EQ(confirmation.wait.signal, "confirmed");
  EXPECT_EQ(confirmation.wait.timeout, kHour);
  EXPECT_EQ(confirmation.wait.on_timeout, OnTimeout::branch);
  EXPECT_EQ(confirmation.children.at(0).children.at(0).name, "remind");

  EXPECT_EQ(child_named(root, "cool_off").sleep_until_pointer, "/remind_at");

  const Node& ship = child_named(root, "ship");
  EXPECT_EQ(ship.child_definition, "shipping");
  EXPECT_EQ(ship.step.input_pointer, "/order");
  EXPECT_EQ(ship.step.compensation, "shipping.cancel");
  EXPECT_EQ(ship.step.strategy, ErrorStrategy::dead_letter);
}

TEST(YamlDefinitions, EveryNodeKindRegistersInTheEngine) {
  auto result = load_workflow_yaml(kEveryKind, "t.yaml");
  ASSERT_TRUE(result.ok()) << joined(result.problems);
  TestEngine t;
  for (const auto& handler : kEveryKindHandlers)
    t.engine->register_handler(handler, [](const StepContext&) { return Json::object(); });
  t.engine->register_breaker("payments", BreakerOptions{});
  for (auto& definition : result.definitions) {
    auto status = t.engine->register_workflow(definition);
    EXPECT_TRUE(status) << status.message();
  }
}

TEST(YamlDefinitions, ConditionsCompareLikeTheirText) {
  const Json data{{"amount", 150}, {"price", 9.5}, {"country", "DE"}, {"code", "100"}, {"tags", {"a"}},
                  {"order", {{"express", true}}}};
  struct Case {
    std::string yaml;
    std::string text;
    bool holds;
  };
  const std::vector<Case> cases{
      {R"({path: /amount, op: "==", value: 150})", "/amount == 150", true},
      {R"({path: /amount, op: eq, value: 150.0})", "/amount == 150.0", true},
      {R"({path: /amount, op: "!=", value: 150})", "/amount != 150", false},
      {R"({path: /amount, op: "<", value: 200})", "/amount < 200", true},
      {R"({path: /amount, op: "<=", value: 150})", "/amount <= 150", true},
      {R"({path: /amount, op: gt, value: 150})", "/amount > 150", false},
      {R"({path: /price, op: ">=", value: 9.5})", "/price >= 9.5", true},
      {R"({path: /country, op: "<", value: "FR"})", R"(/country < "FR")", true},
      {R"({path: /code, op: "==", value: 100})", "/code == 100", false},  // "100" is a string in the data
      {R"({path: /code, op: "==", value: "100"})", R"(/code == "100")", true},
      {R"({path: /code, op: ">", value: 5})", "/code > 5", false},  // a string and a number: not ordered
      {R"({path: /missing, op: "!=", value: 1})", "/missing != 1", false},
      {R"({path: /order/express, op: exists})", "/order/express exists", true},
      {R"({path: /order/express, op: "==", value: true})", "/order/express == true", true},
      {R"({path: /order/slow, op: exists, value: false})", "/order/slow does not exist", true},
      {R"({path: /tags/7, op: exists})", "/tags/7 exists", false},
      {R"({path: /country, op: in, value: [DE, FR]})", R"(/country in ["DE","FR"])", true},
      {R"({all: [{path: /amount, op: ">", value: 100}, {path: /country, op: "==", value: FR}]})",
       R"((/amount > 100) and (/country == "FR"))", false},
      {R"({any: [{path: /amount, op: ">", value: 100}, {path: /country, op: "==", value: FR}]})",
       R"((/amount > 100) or (/country == "FR"))", true},
      {R"({not: {path: /amount, op: ">", value: 100}})", "not (/amount > 100)", false},
      {"true", "true", true},
  };
  for (const auto& c : cases) {
    auto compiled = compile(c.yaml);
    EXPECT_EQ(compiled.text, c.text) << c.yaml;
    ASSERT_TRUE(compiled.test) << c.yaml;
    EXPECT_EQ(compiled.test(data), c.holds) << c.yaml;
    EXPECT_NO_THROW(compiled.test(Json(42))) << c.yaml;  // data of any shape: never throws
  }
}

TEST(YamlDefinitions, OneFileMayHoldSeveralVersionsOfAWorkflow) {
  const std::string text =
      "name: w\nversion: 1\nsteps: [{step: a, handler: h}]\n---\n"
      "name: w\nversion: 2\nsteps: [{step: a, handler: h}, {step: b, handler: h}]\n";
  auto result = load_workflow_yaml(text, "t.yaml");
  ASSERT_TRUE(result.ok()) << joined(result.problems);
  ASSERT_EQ(result.definitions.size(), 2u);
  EXPECT_EQ(result.definitions[0].version, 1);
  EXPECT_EQ(result.definitions[1].version, 2);
  TestEngine t;
  t.engine->register_handler("h", [](const StepContext&) { return Json::object(); });
  for (auto& definition : result.definitions) EXPECT_TRUE(t.engine->register_workflow(definition));
}

// ---------------------------------------------------------------------------------------------
// Problems, with their locations

TEST(YamlProblems, AnUnknownKeyNamesTheKeysAllowed) {
  const std::string text = "name: orders\nversion: 1\nsteps:\n  - step: charge\n    handler: payment.charge\n"
                           "    retires: 3\n";
  auto result = load_workflow_yaml(text, "orders.yaml");
  ASSERT_EQ(result.problems.size(), 1u) << joined(result.problems);
  EXPECT_EQ(result.problems[0],
            "orders.yaml:6:5: step 'charge': retires: unknown key; expected one of step, handler, compensate, "
            "timeout, retry, on_error, breaker, input");
  EXPECT_TRUE(result.definitions.empty());
}

TEST(YamlProblems, MalformedYamlIsReportedWithItsLine) {
  const std::string text = "name: w\nversion: 1\nsteps:\n  - step: [a, b\n  - step: c\n";
  auto result = load_workflow_yaml(text, "t.yaml");
  ASSERT_EQ(result.problems.size(), 1u) << joined(result.problems);
  EXPECT_EQ(result.problems[0].rfind("t.yaml:5:", 0), 0u) << result.problems[0];
  EXPECT_NE(result.problems[0].find("malformed YAML: "), std::string::npos) << result.problems[0];
}

TEST(YamlProblems, EveryProblemInAFileIsReportedAtOnce) {
  const std::string text = R"(name: orders
version: 1
defaults:
  timeout: 3 mins
steps:
  - step: charge
    handler: payment.charge
    retires: 3
  - step: pause
    handler: h
    timeout: 0s
  - sleep: nap
  - step: charge
    handler: h
  - bogus: x
  - step: a
    wait: b
  - choice: gate
    when:
      - if: {path: /a, op: "==", value: 1}
        then: []
      - if: {path: /a, op: "==", value: 1}
        then: []
      - if: false
        then: []
      - if: {path: /a, op: in, value: []}
        then: []
      - if: {path: /a, op: "=~", value: 1}
        then: []
      - if: {path: a, op: !=, value: 1}
        then: []
  - choice: always
    when:
      - if: true
        then: []
      - if: {path: /x, op: exists}
        then: []
    otherwise: []
  - wait: w
    on_timeout: fail-fast
  - approval: boss
    on_timeout: {branch: [{step: b, handler: h}]}
  - step: s
    handler: h
    input: no-slash
    on_error: explode
    retry: {max: 2, multiplier: 0.5}
  - step: t
    handler: h
    input: {order: /order, id: id}
    timeout: {s: 1}
    retry: {max: many}
  - sleep: both
    for: 1m
    until: /at
  - child: kid
    workflow: kid
    timeout: 1s
  - parallel: fan
    branches:
      - []
)";
  auto result = load_workflow_yaml(text, "t.yaml");
  EXPECT_TRUE(result.definitions.empty());
  const std::string expected_keys = "expected one of step, handler, compensate, timeout, retry, on_error, breaker, input";
  const std::string expected_duration = "expected a duration from 1ms to 3650d (e.g. 500ms, 30s, 5m, 2h, 1h30m), got ";
  const std::vector<std::string> expected{
      at(text, "3 mins") + ": workflow 'orders' defaults: timeout: " + expected_duration + "'3 mins'",
      at(text, "retires") + ": step 'charge': retires: unknown key; " + expected_keys,
      at(text, "0s") + ": step 'pause': timeout: " + expected_duration + "'0s'",
      at(text, "sleep: nap") +
          ": sleep 'nap': a sleep takes exactly one of 'for: <duration>' or 'until: /pointer'",
      at(text, "charge", 3) + ": step 'charge': duplicate name 'charge' (first used at " + at(text, "charge", 1) + ")",
      at(text, "bogus") + ": node has no kind (expected one of the keys step, parallel, choice, approval, wait, sleep, child)",
      at(text, "step: a") + ": a node has one kind, this one has both 'step' and 'wait'",
      at(text, "{path: /a", 2) + ": choice 'gate' branch 2: if: branch 2 can never run: branch 1 has the same "
                                 "condition '/a == 1'",
      at(text, "false") + ": choice 'gate' branch 3: if: branch 3 can never run: its condition 'false' is never true",
      at(text, "{path: /a, op: in") + ": choice 'gate' branch 4: if: branch 4 can never run: its condition "
                                      "'/a in []' is never true",
      at(text, "\"=~\"") + ": choice 'gate' branch 5 if: op: unknown operator '=~' (expected one of: ==, !=, <, <=, >, "
                       ">=, exists, in; or eq, ne, lt, le, gt, ge)",
      at(text, "a, op: !=") +
          ": choice 'gate' branch 6 if: path: bad JSON pointer 'a' (expected e.g. /order/id): "
          "[json.exception.parse_error.107] parse error at byte 1: JSON pointer must be empty or begin with '/' - "
          "was: 'a'",
      at(text, "!=, value") + ": choice 'gate' branch 6 if: op: YAML read an unquoted '!=' as a tag: quote it "
                              "(op: \"!=\") or use the word (eq, ne, lt, le, gt, ge)",
      at(text, "{path: /x") + ": choice 'always' branch 2: if: branch 2 can never run: branch 1's condition is "
                              "always true",
      at(text, "[]\n  - wait") + ": choice 'always': otherwise: can never run: branch 1's condition is always true",
      at(text, "fail-fast") + ": wait 'w': on_timeout: unknown action 'fail-fast' (expected fail, {branch: [nodes]} "
                              "or {escalate: [nodes], then_timeout: <duration>})",
      at(text, "{branch: [{step: b") + ": approval 'boss': on_timeout: needs a timeout (add timeout: <duration>)",
      at(text, "no-slash") + ": step 's': input: bad JSON pointer 'no-slash' (expected e.g. /order/id): "
                             "[json.exception.parse_error.107] parse error at byte 1: JSON pointer must be empty or "
                             "begin with '/' - was: 'no-slash'",
      at(text, "explode") + ": step 's': on_error: expected one of retry, compensate, dead-letter, "
                            "retry-then-compensate, got 'explode'",
      at(text, "{max: 2") + ": step 's' retry: multiplier must be >= 1, got 0.5",
      at(text, "id}") +
          ": step 't' input: id: bad JSON pointer 'id' (expected e.g. /order/id): [json.exception.parse_error.107] "
          "parse error at byte 1: JSON pointer must be empty or begin with '/' - was: 'id'",
      at(text, "{s: 1}") + ": step 't': timeout: " + expected_duration + "a map",
      at(text, "many") + ": step 't' retry: max: expected an integer from 0 to 1000, got 'many'",
      at(text, "sleep: both") + ": sleep 'both': a sleep takes exactly one of 'for: <duration>' or 'until: /pointer'",
      at(text, "timeout: 1s") + ": child 'kid': timeout: unknown key; expected one of child, workflow, input, "
                                "compensate, on_error",
      at(text, "[]\n", 10) + ": parallel 'fan' branch 1: expected a non-empty list of nodes, got an empty list",
  };
  for (const auto& problem : expected) EXPECT_PROBLEM(result, problem);
  EXPECT_EQ(result.problems.size(), expected.size()) << joined(result.problems);
}

TEST(YamlProblems, MissingAndMistypedTopLevelKeys) {
  auto result = load_workflow_yaml("name: [w]\nversion: 0\nsteps: {}\n", "t.yaml");
  EXPECT_PROBLEM(result, "t.yaml:1:7: workflow: name: expected a non-empty string, got a list");
  EXPECT_PROBLEM(result, "t.yaml:2:10: workflow: version: expected an integer from 1 to 2147483647, got '0'");
  EXPECT_PROBLEM(result, "t.yaml:3:8: workflow steps: expected a non-empty list of nodes, got a map");
  EXPECT_EQ(result.problems.size(), 3u) << joined(result.problems);

  result = load_workflow_yaml("name: w\nsteps: []\nextra: 1\nname: v\n", "t.yaml");
  EXPECT_PROBLEM(result, "t.yaml:1:1: workflow 'w': version: missing");
  EXPECT_PROBLEM(result, "t.yaml:2:8: workflow 'w' steps: expected a non-empty list of nodes, got an empty list");
  EXPECT_PROBLEM(result, "t.yaml:3:1: workflow 'w': extra: unknown key; expected one of name, version, "
                         "description, defaults, steps");
  EXPECT_PROBLEM(result, "t.yaml:4:1: workflow 'w': name: repeated key (first at line 1); expected each key once");
  EXPECT_EQ(result.problems.size(), 4u) << joined(result.problems);

  result = load_workflow_yaml("# nothing here\n", "empty.yaml");
  EXPECT_EQ(result.problems, std::vector<std::string>{
                                 "empty.yaml: holds no workflow definition (expected keys name, version, steps)"});
  result = load_workflow_yaml("- just\n- a list\n", "t.yaml");
  EXPECT_PROBLEM(result, "t.yaml:1:1: workflow: expected a map of keys (name, version, description, defaults, "
                         "steps), got a list");
}

TEST(YamlProblems, DefaultsAreChecked) {
  const std::string text = "name: w\nversion: 1\ndefaults:\n  retry: {initial: 2m}\n  on_error: maybe\n"
                           "steps: [{step: a, handler: h, retry: {initial: 10s, max_interval: 5s}}]\n";
  auto result = load_workflow_yaml(text, "t.yaml");
  EXPECT_PROBLEM(result, "t.yaml:4:10: workflow 'w' defaults retry: interval_max must be >= interval_initial "
                         "(120000 ms), got 60000 ms (max_interval 60000 ms is inherited: set it too)");
  EXPECT_PROBLEM(result, "t.yaml:5:13: workflow 'w' defaults: on_error: expected one of retry, compensate, "
                         "dead-letter, retry-then-compensate, got 'maybe'");
  EXPECT_PROBLEM(result, at(text, "{initial: 10s") + ": step 'a' retry: interval_max must be >= interval_initial "
                                                     "(10000 ms), got 5000 ms");
  EXPECT_EQ(result.problems.size(), 3u) << joined(result.problems);
}

TEST(YamlProblems, WaitsAndTimeoutBranchesAreChecked) {
  const std::string text = R"(name: w
version: 1
steps:
  - wait: a
    signal: $reserved
  - wait: b
    timeout: 1h
    on_timeout: {branch: [{step: x, handler: h}], escalate: [{step: y, handler: h}]}
  - wait: c
    timeout: 1h
    on_timeout: {branch: [{step: z, handler: h}], then_timeout: 1h}
  - approval: d
    timeout: 1h
    on_timeout: {escalate: []}
)";
  auto result = load_workflow_yaml(text, "t.yaml");
  EXPECT_PROBLEM(result, at(text, "$reserved") + ": wait 'a': signal: signal names starting with '$' are reserved "
                                                 "('$reserved')");
  EXPECT_PROBLEM(result, at(text, "{branch: [{step: x") + ": wait 'b' on_timeout: takes exactly one of branch, "
                          "escalate (expected fail, {branch: [nodes]} or {escalate: [nodes], then_timeout: "
                          "<duration>})");
  EXPECT_PROBLEM(result, at(text, "1h}") + ": wait 'c' on_timeout: then_timeout: only goes with escalate");
  EXPECT_PROBLEM(result, at(text, "[]}") + ": approval 'd' on_timeout escalate: expected a non-empty list of "
                                           "nodes, got an empty list");
  EXPECT_EQ(result.problems.size(), 4u) << joined(result.problems);
}

TEST(YamlProblems, HandlersBreakersAndChildrenAreCheckedWhenTheProgramSaysHow) {
  const std::string text = R"(name: w
version: 1
steps:
  - step: charge
    handler: payment.charg
    compensate: payment.refund
    breaker: paymnets
  - child: ship
    workflow: shiping
)";
  // Without options nothing is known to check against: the engine checks at registration.
  EXPECT_TRUE(load_workflow_yaml(text, "t.yaml").ok());

  YamlLoadOptions options;
  const std::set<std::string> handlers{"payment.charge", "payment.refund"};
  options.has_handler = [&](const std::string& name) { return handlers.count(name) != 0; };
  options.has_breaker = [](const std::string& name) { return name == "payments"; };
  options.has_definition = [](const std::string& name) { return name == "shipping"; };
  auto result = load_workflow_yaml(text, "t.yaml", options);
  EXPECT_PROBLEM(result, at(text, "payment.charg") + ": step 'charge': handler: unknown handler 'payment.charg' (not "
                                                     "registered by the program)");
  EXPECT_PROBLEM(result, at(text, "paymnets") + ": step 'charge': breaker: unknown circuit breaker 'paymnets'");
  EXPECT_PROBLEM(result, at(text, "shiping") + ": child 'ship': unknown child workflow 'shiping' (neither loaded "
                                               "with it nor registered)");
  EXPECT_EQ(result.problems.size(), 3u) << joined(result.problems);
  EXPECT_TRUE(result.definitions.empty());
}

TEST(YamlProblems, NestingDeeperThanTheLimitIsRefused) {
  std::string text = "name: deep\nversion: 1\nsteps:\n";
  std::string indent = "  ";
  for (int i = 0; i < kYamlDepthMax + 2; ++i) {
    text += indent + "- parallel: p" + std::to_string(i) + "\n" + indent + "  branches:\n" + indent + "    -\n";
    indent += "      ";
  }
  text += indent + "- step: leaf\n" + indent + "  handler: h\n";
  auto result = load_workflow_yaml(text, "t.yaml");
  ASSERT_EQ(result.problems.size(), 1u) << joined(result.problems);
  EXPECT_NE(result.problems[0].find("nodes nested deeper than 32 levels"), std::string::npos) << result.problems[0];
}

TEST(YamlProblems, TheSameNameAndVersionTwiceIsRefused) {
  const std::string text = "name: w\nversion: 1\nsteps: [{step: a, handler: h}]\n---\n"
                           "name: w\nversion: 1\nsteps: [{step: b, handler: h}]\n";
  auto result = load_workflow_yaml(text, "t.yaml");
  EXPECT_EQ(result.problems,
            std::vector<std::string>{"t.yaml:5:1: workflow 'w' v1: defined twice (first at t.yaml:1:1)"});
  ASSERT_EQ(result.definitions.size(), 1u);
  EXPECT_EQ(result.definitions[0].root.children.at(0).name, "a");
}

// ---------------------------------------------------------------------------------------------
// Child workflows across definitions

TEST(YamlChildWorkflows, ACycleBetweenTwoDefinitionsIsReported) {
  const std::string text = "name: a\nversion: 1\nsteps: [{child: to_b, workflow: b}]\n---\n"
                           "name: b\nversion: 1\nsteps: [{step: s, handler: h}, {child: to_a, workflow: a}]\n---\n"
                           "name: c\nversion: 1\nsteps: [{child: to_c, workflow: c}]\n---\n"
                           "name: ok\nversion: 1\nsteps: [{child: to_b, workflow: b}]\n";
  auto result = load_workflow_yaml(text, "t.yaml");
  EXPECT_PROBLEM(result, at(text, "a}]") + ": workflow 'b' v1: child 'to_a': cycle of child workflows: a -> b -> a");
  EXPECT_PROBLEM(result, at(text, "c}]") + ": workflow 'c' v1: child 'to_c': cycle of child workflows: c -> c");
  EXPECT_EQ(result.problems.size(), 2u) << joined(result.problems);
  // Those on a cycle are refused; the one that only starts b is fine on its own.
  ASSERT_EQ(result.definitions.size(), 1u);
  EXPECT_EQ(result.definitions[0].name, "ok");
}

TEST(YamlChildWorkflows, OnlyTheHighestVersionCountsForCycles) {
  // v1 of a started b, and b starts a; v2 of a (the one the engine starts) no longer starts b.
  const std::string text = "name: a\nversion: 1\nsteps: [{child: to_b, workflow: b}]\n---\n"
                           "name: b\nversion: 1\nsteps: [{child: to_a, workflow: a}]\n---\n"
                           "name: a\nversion: 2\nsteps: [{step: s, handler: h}]\n";
  auto result = load_workflow_yaml(text, "t.yaml");
  EXPECT_TRUE(result.ok()) << joined(result.problems);
  EXPECT_EQ(result.definitions.size(), 3u);
}

TEST(YamlChildWorkflows, ACycleAcrossFilesOfADirectoryIsReported) {
  TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) { std::ofstream(dir.file(name)) << text; };
  write("a.yaml", "name: a\nversion: 1\nsteps: [{child: to_b, workflow: b}]\n");
  write("b.yml", "name: b\nversion: 1\nsteps: [{child: to_c, workflow: c}]\n");
  write("c.yaml", "name: c\nversion: 1\nsteps:\n  - child: to_a\n    workflow: a\n");
  write("notes.txt", "not: [yaml");
  auto result = load_workflow_dir(dir.path().string());
  EXPECT_EQ(result.problems, std::vector<std::string>{dir.file("c.yaml") + ":5:15: workflow 'c' v1: child 'to_a': "
                                                      "cycle of child workflows: a -> b -> c -> a"});
  EXPECT_TRUE(result.definitions.empty());
}

TEST(YamlChildWorkflows, ChildrenComeBeforeTheWorkflowsThatStartThem) {
  const std::string text = "name: parent\nversion: 1\nsteps: [{child: m, workflow: mid}, {child: l, workflow: leaf}]\n"
                           "---\nname: mid\nversion: 1\nsteps: [{child: l, workflow: leaf}]\n---\n"
                           "name: leaf\nversion: 1\nsteps: [{step: s, handler: h}]\n";
  auto result = load_workflow_yaml(text, "t.yaml");
  ASSERT_TRUE(result.ok()) << joined(result.problems);
  std::vector<std::string> names;
  for (const auto& d : result.definitions) names.push_back(d.name);
  EXPECT_EQ(names, (std::vector<std::string>{"leaf", "mid", "parent"}));
  TestEngine t;
  t.engine->register_handler("h", [](const StepContext&) { return Json::object(); });
  for (auto& definition : result.definitions) {
    auto status = t.engine->register_workflow(definition);
    EXPECT_TRUE(status) << status.message();
  }
}

// ---------------------------------------------------------------------------------------------
// Files

TEST(YamlFiles, AMissingFileOrDirectoryIsAProblem) {
  auto file = load_workflow_file("/nonexistent/x.yaml");
  ASSERT_EQ(file.problems.size(), 1u);
  EXPECT_EQ(file.problems[0].rfind("/nonexistent/x.yaml: cannot read: ", 0), 0u) << file.problems[0];
  auto dir = load_workflow_dir("/nonexistent");
  ASSERT_EQ(dir.problems.size(), 1u);
  EXPECT_EQ(dir.problems[0].rfind("/nonexistent: cannot list: ", 0), 0u) << dir.problems[0];
}

TEST(YamlFiles, TheSampleDirectoryLoadsCleanly) {
  auto result = load_workflow_dir(workflows_dir().string());
  ASSERT_TRUE(result.ok()) << joined(result.problems);
  std::set<std::string> names;
  for (const auto& d : result.definitions) names.insert(d.name);
  EXPECT_EQ(names, (std::set<std::string>{"order_saga", "purchase_order"}));
}

// ---------------------------------------------------------------------------------------------
// The samples in a real engine

namespace {

// The handlers of examples/order_saga (operation.cpp), recording their calls.
struct OrderSagaHandlers {
  explicit OrderSagaHandlers(Engine& engine, std::set<std::string> skip = {}) {
    for (const char* name : {"inventory.reserve", "inventory.release", "payment.charge", "payment.refund",
                             "shipping.create", "shipping.cancel", "notify.confirmation", "notify.cancellation"}) {
      if (skip.count(name)) continue;
      engine.register_handler(name, [this, name = std::string(name)](const StepContext& ctx) {
        {
          std::lock_guard lock(mutex);
          calls.push_back(name);
        }
        if (name == "shipping.create" && ctx.input().value("no_shipping", false))
          throw NonRetryableError("no carrier");
        return Json{{"by", name}};
      });
    }
  }
  std::vector<std::string> taken() {
    std::lock_guard lock(mutex);
    return calls;
  }
  std::mutex mutex;
  std::vector<std::string> calls;
};

WorkflowDefinition load_sample(const std::string& file) {
  auto result = load_workflow_file((workflows_dir() / file).string());
  EXPECT_TRUE(result.ok()) << joined(result.problems);
  EXPECT_EQ(result.definitions.size(), 1u);
  return result.definitions.empty() ? WorkflowDefinition{} : result.definitions[0];
}

}  // namespace

TEST(YamlSamples, TheOrderSagaMatchesTheExampleAndRunsInTheEngine) {
  const WorkflowDefinition saga = load_sample("order_saga.yaml");
  EXPECT_EQ(saga.name, "order_saga");
  EXPECT_EQ(saga.version, 1);
  std::vector<std::vector<std::string>> steps;
  for (const auto& node : saga.root.children)
    steps.push_back({std::string(to_string(node.kind)), node.name, node.step.handler, node.step.compensation,
                     node.step.breaker});
  const std::vector<std::vector<std::string>> expected{
      {"step", "reserve_inventory", "inventory.reserve", "inventory.release", ""},
      {"step", "charge_payment", "payment.charge", "payment.refund", "payments"},
      {"step", "create_shipment", "shipping.create", "shipping.cancel", ""},
      {"step", "send_confirmation", "notify.confirmation", "notify.cancellation", ""}};
  EXPECT_EQ(steps, expected);

  EngineOptions options;
  options.retry_default = quick_retry();
  TestEngine t(options);
  OrderSagaHandlers handlers(*t.engine);
  t.engine->register_breaker("payments", BreakerOptions{});
  auto status = t.engine->register_workflow(saga);
  ASSERT_TRUE(status) << status.message();

  t.engine->start("order_saga", "o-1", {{"order_id", "o-1"}});
  EXPECT_EQ(t.run_to_end("o-1").status, WorkflowStatus::completed);
  EXPECT_EQ(handlers.taken(), (std::vector<std::string>{"inventory.reserve", "payment.charge", "shipping.create",
                                                        "notify.confirmation"}));

  // A shipment that fails for good undoes the payment, then the reservation.
  handlers.calls.clear();
  t.engine->start("order_saga", "o-2", {{"order_id", "o-2"}, {"no_shipping", true}});
  EXPECT_EQ(t.run_to_end("o-2").status, WorkflowStatus::compensated);
  EXPECT_EQ(handlers.taken(), (std::vector<std::string>{"inventory.reserve", "payment.charge", "shipping.create",
                                                        "payment.refund", "inventory.release"}));
}

TEST(YamlSamples, UnknownHandlersAndBreakersAreReportedByRegisterWorkflow) {
  TestEngine t;
  OrderSagaHandlers handlers(*t.engine, {"payment.refund", "shipping.create"});  // no payments breaker either
  auto status = t.engine->register_workflow(load_sample("order_saga.yaml"));
  ASSERT_FALSE(status);
  const std::string& message = status.message();
  EXPECT_NE(message.find("step 'charge_payment' (at charge_payment): unknown compensation handler 'payment.refund'"),
            std::string::npos) << message;
  EXPECT_NE(message.find("step 'charge_payment' (at charge_payment): unknown circuit breaker 'payments'"),
            std::string::npos) << message;
  EXPECT_NE(message.find("step 'create_shipment' (at create_shipment): unknown handler 'shipping.create'"),
            std::string::npos) << message;
}

TEST(YamlSamples, TheApprovalChainAsksOnlyAboveTheThreshold) {
  const WorkflowDefinition po = load_sample("approval_chain.yaml");
  EXPECT_EQ(po.name, "purchase_order");
  const Node& gate = po.root.children.at(1);
  ASSERT_EQ(gate.kind, Node::Kind::choice);
  EXPECT_EQ(gate.condition_texts, std::vector<std::string>{"/amount_cents > 10000"});
  const Node& approval = gate.children.at(0).children.at(0);
  EXPECT_TRUE(approval.wait.approval);
  EXPECT_EQ(approval.wait.signal, "manager_approval");
  EXPECT_EQ(approval.wait.timeout, 48 * kHour);
  EXPECT_EQ(approval.wait.on_timeout, OnTimeout::escalate);
  EXPECT_EQ(approval.wait.escalation_timeout, 24 * kHour);

  EngineOptions options;
  options.passivate_after = std::nullopt;
  TestEngine t(options);
  std::atomic<int> placed{0};
  for (const char* name : {"hold_budget", "release_budget", "tell_director"})
    t.engine->register_handler(name, [](const StepContext&) { return Json::object(); });
  t.engine->register_handler("place_order", [&placed](const StepContext&) {
    ++placed;
    return Json::object();
  });
  auto status = t.engine->register_workflow(po);
  ASSERT_TRUE(status) << status.message();

  t.engine->start("purchase_order", "small", {{"order_id", "small"}, {"amount_cents", 5'000}});
  EXPECT_EQ(t.run_to_end("small").status, WorkflowStatus::completed);

  t.engine->start("purchase_order", "large", {{"order_id", "large"}, {"amount_cents", 50'000}});
  ASSERT_TRUE(t.clock->await_timer("large/approval_gate/manager_approval deadline"));
  ASSERT_TRUE(t.engine->signal("large", "manager_approval", {{"decision", "approve"}, {"by", "ann"}}));
  auto info = t.run_to_end("large");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(info.data["manager_approval"]["by"], "ann");
  EXPECT_EQ(placed.load(), 2);
}
