// Each workflow pattern, end to end through the engine on a virtual clock.
#include "async_probe.hpp"
#include "test_engine.hpp"

#include <gtest/gtest.h>

#include <atomic>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

// Returns {"step": <name>} and counts calls.
SyncHandler echo(std::atomic<int>& calls, std::string name) {
  return [&calls, name](const StepContext&) {
    ++calls;
    return Json{{"step", name}};
  };
}

}  // namespace

TEST(Patterns, SequenceRunsInOrderAndMergesOutputsUnderStepNames) {
  TestEngine t;
  std::vector<std::string> order;
  std::mutex order_mutex;
  t.engine->register_handler("add", [&](const StepContext& ctx) {
    std::lock_guard lock(order_mutex);
    order.push_back(ctx.step_path());
    int previous = ctx.input().value("/last"_json_pointer, 0);
    return Json{{"value", previous + ctx.input().at("n").get<int>()}};
  });
  auto def = WorkflowBuilder("sum")
                 .step(StepSpec("first", "add").input({{"n", "/a"}}))
                 .step(StepSpec("second", "add").input({{"n", "/b"}, {"last", "/first/value"}}))
                 .step(StepSpec("third", "add").input({{"n", "/c"}, {"last", "/second/value"}}))
                 .build();
  ASSERT_TRUE(t.engine->register_workflow(def)) << "valid definition refused";
  ASSERT_TRUE(t.engine->start("sum", "wf-1", {{"a", 1}, {"b", 2}, {"c", 3}}).created);

  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(info.data["third"]["value"], 6);
  EXPECT_EQ(info.data["first"]["value"], 1);
  EXPECT_EQ(order, (std::vector<std::string>{"first", "second", "third"}));
  EXPECT_EQ(t.steps_of("wf-1", "step_completed"), (std::vector<std::string>{"first", "second", "third"}));
  auto types = t.event_types("wf-1");
  EXPECT_EQ(types.front(), "workflow_started");
  EXPECT_EQ(types.back(), "workflow_completed");
}

TEST(Patterns, ParallelBranchesRunAtOnceAndJoinBeforeTheNextStep) {
  TestEngine t;
  AsyncProbe probe;
  std::atomic<int> after_calls{0};
  t.engine->register_async_handler("slow", probe.handler());
  t.engine->register_handler("after", echo(after_calls, "after"));
  auto def = WorkflowBuilder("fork")
                 .parallel("fan", {Sequence().step("left", "slow"), Sequence().step("right", "slow")})
                 .step("join", "after")
                 .build();
  ASSERT_TRUE(t.engine->register_workflow(def));
  t.engine->start("fork", "wf-1");

  // Both branches are dispatched before either finishes: that is what makes them parallel.
  auto first = probe.await_call(1);
  auto second = probe.await_call(2);
  EXPECT_NE(first.step_path, second.step_path);
  EXPECT_EQ(after_calls.load(), 0) << "the join step ran before the branches finished";
  first.complete(StepOutcome::success({{"from", first.step_path}}));
  EXPECT_EQ(after_calls.load(), 0);
  second.complete(StepOutcome::success({{"from", second.step_path}}));

  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(after_calls.load(), 1);
  EXPECT_EQ(info.data["left"]["from"], "fan/left");
  EXPECT_EQ(info.data["right"]["from"], "fan/right");
}

TEST(Patterns, ParallelFailureCompensatesCompletedSiblingsAndSkipsTheRest) {
  TestEngine t;
  AsyncProbe probe;
  std::atomic<int> undo_calls{0}, never_calls{0};
  t.engine->register_async_handler("slow", probe.handler());
  t.engine->register_handler("boom", [](const StepContext&) -> Json { throw NonRetryableError("card declined"); });
  t.engine->register_handler("undo", echo(undo_calls, "undo"));
  t.engine->register_handler("never", echo(never_calls, "never"));
  auto def = WorkflowBuilder("fork")
                 .parallel("fan", {Sequence().step(StepSpec("ok", "slow").compensate_with("undo")),
                                   Sequence().step("bad", "boom")})
                 .step("after", "never")
                 .build();
  ASSERT_TRUE(t.engine->register_workflow(def));
  t.engine->start("fork", "wf-1");

  // "ok" is still running when "bad" fails; the workflow waits for it, then undoes it.
  auto running = probe.await_call(1);
  running.complete(StepOutcome::success());
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::compensated);
  EXPECT_NE(info.error.find("card declined"), std::string::npos) << info.error;
  EXPECT_EQ(undo_calls.load(), 1);
  EXPECT_EQ(never_calls.load(), 0);
  EXPECT_EQ(t.steps_of("wf-1", "compensation_completed"), (std::vector<std::string>{"fan/ok"}));
}

TEST(Patterns, ParallelFailureCancelsASiblingWaitingToRetry) {
  TestEngine t;
  t.engine->register_handler("flaky", [](const StepContext&) -> Json { throw std::runtime_error("busy"); });
  AsyncProbe probe;
  t.engine->register_async_handler("slow", probe.handler());
  auto def = WorkflowBuilder("fork")
                 .parallel("fan", {Sequence().step(StepSpec("retrying", "flaky").retry_with(quick_retry(5))),
                                   Sequence().step("failing", "slow")})
                 .build();
  ASSERT_TRUE(t.engine->register_workflow(def));
  t.engine->start("fork", "wf-1");
  ASSERT_TRUE(t.clock->await_timer("retrying backoff")) << "the flaky step never waited for a retry";
  probe.await_call(1).complete(StepOutcome::failure("gone", false));

  auto info = t.engine->wait("wf-1", Millis(10'000));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, WorkflowStatus::compensated);
  EXPECT_EQ(t.steps_of("wf-1", "step_cancelled"), (std::vector<std::string>{"fan/retrying"}));
}

TEST(Patterns, ChoiceTakesTheFirstBranchWhoseConditionHolds) {
  TestEngine t;
  std::atomic<int> manual{0}, automatic{0};
  t.engine->register_handler("manual", echo(manual, "manual"));
  t.engine->register_handler("auto", echo(automatic, "auto"));
  auto def = WorkflowBuilder("route")
                 .choice("amount_check",
                         {when("amount > 100", [](const Json& d) { return d.at("amount").get<int>() > 100; },
                               Sequence().step("review", "manual"))},
                         Sequence().step("approve", "auto"))
                 .build();
  ASSERT_TRUE(t.engine->register_workflow(def));
  t.engine->start("route", "big", {{"amount", 500}});
  t.engine->start("route", "small", {{"amount", 5}});

  EXPECT_EQ(t.run_to_end("big").status, WorkflowStatus::completed);
  EXPECT_EQ(t.run_to_end("small").status, WorkflowStatus::completed);
  EXPECT_EQ(manual.load(), 1);
  EXPECT_EQ(automatic.load(), 1);
  auto big_history = t.engine->history("big");
  auto chosen = std::find_if(big_history.begin(), big_history.end(),
                             [](const HistoryEvent& e) { return e.type == "branch_chosen"; });
  ASSERT_NE(chosen, big_history.end());
  EXPECT_EQ(chosen->detail, "amount > 100");
  EXPECT_EQ(t.steps_of("small", "step_completed"), (std::vector<std::string>{"amount_check/approve"}));
}

TEST(Patterns, ChoiceWithNoMatchingBranchAndNoOtherwiseSkipsAhead) {
  TestEngine t;
  std::atomic<int> calls{0}, last{0};
  t.engine->register_handler("x", echo(calls, "x"));
  t.engine->register_handler("last", echo(last, "last"));
  auto def = WorkflowBuilder("route")
                 .choice("check", {when("never", [](const Json&) { return false; }, Sequence().step("inner", "x"))})
                 .step("final", "last")
                 .build();
  ASSERT_TRUE(t.engine->register_workflow(def));
  t.engine->start("route", "wf-1");
  EXPECT_EQ(t.run_to_end("wf-1").status, WorkflowStatus::completed);
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(last.load(), 1);
}

TEST(Patterns, ChildWorkflowRunsAndItsDataBecomesTheStepOutput) {
  TestEngine t;
  t.engine->register_handler("double", [](const StepContext& ctx) {
    return Json{{"value", ctx.input().at("n").get<int>() * 2}};
  });
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("doubler").step("twice", "double").build()));
  auto parent = WorkflowBuilder("parent").child(StepSpec("sub", "doubler").input({{"n", "/n"}})).build();
  ASSERT_TRUE(t.engine->register_workflow(parent));
  t.engine->start("parent", "p-1", {{"n", 21}});

  auto info = t.run_to_end("p-1");
  EXPECT_EQ(info.status, WorkflowStatus::completed);
  EXPECT_EQ(info.data["sub"]["twice"]["value"], 42);
  auto child = t.engine->query("p-1/sub");
  ASSERT_TRUE(child);
  EXPECT_EQ(child->status, WorkflowStatus::completed);
  EXPECT_EQ(child->definition, "doubler");
}

TEST(Patterns, FailedChildWorkflowFailsTheParentStep) {
  TestEngine t;
  t.engine->register_handler("bad", [](const StepContext&) -> Json { throw NonRetryableError("nope"); });
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("broken").step("b", "bad").build()));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("parent").child(StepSpec("sub", "broken")).build()));
  t.engine->start("parent", "p-1");
  auto info = t.run_to_end("p-1");
  EXPECT_EQ(info.status, WorkflowStatus::compensated);
  EXPECT_NE(info.error.find("child workflow ended compensated"), std::string::npos) << info.error;
}

TEST(Patterns, MissingInputFieldFailsTheStepWithoutRetries) {
  TestEngine t;
  std::atomic<int> calls{0};
  t.engine->register_handler("x", echo(calls, "x"));
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").step(StepSpec("s", "x").input("/order/id")).build()));
  t.engine->start("w", "wf-1", {{"other", 1}});
  auto info = t.run_to_end("wf-1");
  EXPECT_EQ(info.status, WorkflowStatus::compensated);
  EXPECT_NE(info.error.find("'/order/id' not found"), std::string::npos) << info.error;
  EXPECT_EQ(calls.load(), 0);
}

TEST(Patterns, StepContextCarriesAStableIdempotencyKey) {
  TestEngine t;
  AsyncProbe probe;
  t.engine->register_async_handler("a", probe.handler());
  ASSERT_TRUE(t.engine->register_workflow(WorkflowBuilder("w").retry_with(quick_retry()).step("pay", "a").build()));
  t.engine->start("w", "order-7");
  auto first = probe.await_call(1);
  first.complete(StepOutcome::failure("try again"));
  ASSERT_TRUE(t.clock->advance_to_timer("backoff"));
  auto second = probe.await_call(2);
  EXPECT_EQ(first.idempotency_key, "order-7/pay");
  EXPECT_EQ(second.idempotency_key, first.idempotency_key);
  EXPECT_EQ(first.attempt, 1);
  EXPECT_EQ(second.attempt, 2);
  second.complete(StepOutcome::success());
  EXPECT_EQ(t.run_to_end("order-7").status, WorkflowStatus::completed);
}
