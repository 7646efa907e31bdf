// The limits on untrusted input (actorflow/limits.hpp): JSON and YAML nesting checked without
// recursion, and the one name grammar, as the C++ API applies them.
#include "test_engine.hpp"

#include <actorflow/bounded_parse.hpp>
#include <actorflow/names.hpp>
#include <actorflow/workflow_definition.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

std::string nested_objects(size_t depth) {
  std::string text;
  for (size_t i = 0; i < depth; ++i) text += "{\"a\":";
  return text + "1" + std::string(depth, '}');
}

Json nested_value(size_t depth) {
  Json value = 1;
  for (size_t i = 0; i < depth; ++i) value = Json{{"a", std::move(value)}};
  return value;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(JsonDepth, TextUpToTheLimitParsesAndDeeperIsRefusedNamingIt) {
  Json out;
  EXPECT_TRUE(parse_json_limited(nested_objects(64), out, 64));
  const Status refused = parse_json_limited(nested_objects(65), out, 64);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(contains(refused.message(), "json_depth_max (64")) << refused.message();
  EXPECT_FALSE(parse_json_limited(std::string(1'000'000, '['), out, 64));
}

TEST(JsonDepth, BracketsInsideStringsDoNotCount) {
  Json out;
  EXPECT_TRUE(parse_json_limited(R"({"a":"[[[[{{{{\"[[[["})", out, 2));
  EXPECT_EQ(out["a"], "[[[[{{{{\"[[[[");
  const Status malformed = parse_json_limited("{\"a\":", out, 64);
  ASSERT_FALSE(malformed);
  EXPECT_TRUE(contains(malformed.message(), "malformed JSON")) << malformed.message();
}

TEST(JsonDepth, ValuesBuiltInMemoryAreMeasuredWithoutRecursion) {
  EXPECT_TRUE(json_value_depth(nested_value(63), 64));  // 63 objects around a number
  EXPECT_FALSE(json_value_depth(nested_value(65), 64));
  EXPECT_FALSE(json_value_depth(nested_value(200'000), 64));
}

TEST(YamlNesting, DeepFlowBlockAndIndicatorNestingIsRefusedWithItsLine) {
  const Status flow = yaml_text_limits("a: 1\nb: " + std::string(300, '[') + "\n", "f.yaml");
  ASSERT_FALSE(flow);
  EXPECT_EQ(flow.message(), "f.yaml:2: YAML nests deeper than yaml_nesting_max (256 levels)");
  std::string dashes;
  for (int i = 0; i < 300; ++i) dashes += "- ";
  EXPECT_FALSE(yaml_text_limits(dashes + "x\n", "f.yaml"));
  std::string indented;
  for (int i = 0; i < 300; ++i) indented += std::string(i, ' ') + "k" + std::to_string(i) + ":\n";
  EXPECT_FALSE(yaml_text_limits(indented, "f.yaml"));
  EXPECT_FALSE(yaml_text_limits(std::string(2 << 20, '#'), "f.yaml"));
}

TEST(YamlNesting, OrdinaryDocumentsPass) {
  std::string literal = "text: |\n";
  for (int i = 0; i < 100; ++i) literal += std::string(2 + i, ' ') + "line\n";  // text, not nodes
  EXPECT_TRUE(yaml_text_limits(literal, "f.yaml")) << yaml_text_limits(literal, "f.yaml").message();
  EXPECT_TRUE(yaml_text_limits("a: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['\n"
                               "b: \"{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\"\n"
                               "c: # [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"
                               "  - [1, [2, {x: 3}]]\n",
                               "f.yaml"));
}

TEST(Names, TheGrammarIsNamedInEveryRefusal) {
  EXPECT_FALSE(name_problem("step name", "reserve_inventory.v2-b"));
  const std::vector<std::string> refused{"", "../escape", ".hidden", "a/b", "two words", "caf\xc3\xa9", std::string(129, 'n')};
  for (const std::string& bad : refused) {
    const auto problem = name_problem("step name", bad);
    ASSERT_TRUE(problem) << bad;
    EXPECT_TRUE(contains(*problem, "[A-Za-z0-9_.-], 1 to 128 bytes")) << *problem;
  }
  EXPECT_FALSE(workflow_id_problem("order 7/é"));
  EXPECT_TRUE(workflow_id_problem(std::string(257, 'w')));
  EXPECT_TRUE(workflow_id_problem(std::string("a\0b", 3)));
}

TEST(Names, TheEngineRefusesThemFromTheCppApi) {
  TestEngine t;
  t.engine->register_handler("h", [](const StepContext&) { return Json::object(); });
  const Status long_step = t.engine->register_workflow(WorkflowBuilder("w").step(std::string(10'000, 's'), "h").build());
  ASSERT_FALSE(long_step);
  EXPECT_TRUE(contains(long_step.message(), "name_bytes_max")) << long_step.message().substr(0, 300);
  EXPECT_FALSE(t.engine->register_workflow(WorkflowBuilder("../escape").step("s", "h").build()));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").wait_for(WaitSpec("go", "go")).step("s", "h").build()));

  const StartResult deep = t.engine->start("w", "deep-1", Json{{"x", nested_value(100'000)}});
  ASSERT_FALSE(deep.status);
  EXPECT_TRUE(contains(deep.status.message(), "json_depth_max")) << deep.status.message();
  ASSERT_TRUE(t.engine->start("w", "wf-1").status);
  const Status payload = t.engine->signal("wf-1", "go", nested_value(100'000));
  ASSERT_FALSE(payload);
  EXPECT_TRUE(contains(payload.message(), "json_depth_max")) << payload.message();
  EXPECT_FALSE(t.engine->signal("wf-1", std::string(200, 'g'), Json::object()));
}
