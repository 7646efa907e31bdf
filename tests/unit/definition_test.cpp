// Malformed definitions are refused with every problem named; valid ones get their paths.
#include "test_engine.hpp"

#include <gtest/gtest.h>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

struct Definitions : ::testing::Test {
  Definitions() {
    t.engine->register_handler("known", [](const StepContext&) { return Json::object(); });
  }
  TestEngine t;
};

void expect_contains(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "missing '" << part << "' in:\n" << text;
}

}  // namespace

TEST_F(Definitions, UnknownHandlerIsRefusedWithItsLocation) {
  auto status = t.engine->register_workflow(WorkflowBuilder("w").step("s", "missing").build());
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message(), "workflow 'w' v1: step 's' (at s): unknown handler 'missing'");
}

TEST_F(Definitions, DuplicateStepNamesAreRefused) {
  auto status = t.engine->register_workflow(WorkflowBuilder("w").step("s", "known").step("s", "known").build());
  ASSERT_FALSE(status);
  expect_contains(status.message(), "duplicate name 's'");
}

TEST_F(Definitions, EmptyParallelIsRefused) {
  auto status = t.engine->register_workflow(WorkflowBuilder("w").parallel("fan", {}).build());
  ASSERT_FALSE(status);
  expect_contains(status.message(), "parallel 'fan' (at fan): parallel has no branches");
}

TEST_F(Definitions, EveryProblemIsReportedAtOnce) {
  RetryPolicy bad_retry;
  bad_retry.multiplier = 0.5;
  auto def = WorkflowBuilder("w")
                 .step(StepSpec("a", "nope").compensate_with("undo-nope").guarded_by("no-breaker"))
                 .step(StepSpec("b", "known").retry_with(bad_retry).timeout_after(Millis(0)))
                 .parallel("fan", {Sequence().step("c", "known"), Sequence()})
                 .choice("pick", {})
                 .child(StepSpec("sub", "no-such-workflow"))
                 .step(StepSpec("d", "known").input("no-leading-slash"))
                 .build();
  auto status = t.engine->register_workflow(def);
  ASSERT_FALSE(status);
  const std::string& text = status.message();
  expect_contains(text, "unknown handler 'nope'");
  expect_contains(text, "unknown compensation handler 'undo-nope'");
  expect_contains(text, "unknown circuit breaker 'no-breaker'");
  expect_contains(text, "retry policy: multiplier");
  expect_contains(text, "timeout must be > 0 ms");
  expect_contains(text, "branch 2 is empty");
  expect_contains(text, "choice has no branches");
  expect_contains(text, "unknown child workflow 'no-such-workflow'");
  expect_contains(text, "bad input pointer 'no-leading-slash'");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n') + 1, 9) << text;
}

TEST_F(Definitions, EmptyWorkflowIsRefused) {
  auto status = t.engine->register_workflow(WorkflowBuilder("w").build());
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message(), "workflow 'w' v1: has no steps");
}

TEST_F(Definitions, VersionsAreImmutableButNewVersionsAreAccepted) {
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w", 1).step("s", "known").build()));
  auto again = t.engine->register_workflow(WorkflowBuilder("w", 1).step("s", "known").build());
  ASSERT_FALSE(again);
  expect_contains(again.message(), "already registered");
  EXPECT_TRUE(t.engine->register_workflow(WorkflowBuilder("w", 2).step("s", "known").step("t", "known").build()));
}

TEST_F(Definitions, ARunningWorkflowKeepsTheVersionItStartedWith) {
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w", 1).step("s", "known").build()));
  t.engine->start("w", "old");
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w", 2).step("s", "known").step("t", "known").build()));
  t.engine->start("w", "new");
  auto old_info = t.run_to_end("old");
  auto new_info = t.run_to_end("new");
  EXPECT_EQ(old_info.version, 1);
  EXPECT_EQ(new_info.version, 2);
  EXPECT_FALSE(old_info.data.contains("t"));
  EXPECT_TRUE(new_info.data.contains("t"));
}
