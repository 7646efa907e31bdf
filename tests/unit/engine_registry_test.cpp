// What a host that runs a plugin's handlers elsewhere reads back from an Engine (the node's process
// isolation): the handlers and breakers registered, and the step timeouts it is told about.
#include <actorflow/actorflow.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>

using namespace actorflow;

TEST(EngineRegistry, HandlersAndBreakersRegisteredHereCanBeReadBack) {
  Engine engine;
  engine.register_handler("a.sync", [](const StepContext&) { return Json::object(); });
  engine.register_async_handler("b.async", [](const StepContext&, CompleteFn done) { done(StepOutcome::success()); });
  BreakerOptions options;
  options.failures_threshold = 7;
  options.reset_timeout = Millis(1'234);
  engine.register_breaker("svc", options);

  EXPECT_EQ(engine.local_handler_names(), (std::vector<std::string>{"a.sync", "b.async"}));
  EXPECT_TRUE(engine.find_sync_handler("a.sync"));
  EXPECT_FALSE(engine.find_async_handler("a.sync"));
  EXPECT_TRUE(engine.find_async_handler("b.async"));
  EXPECT_FALSE(engine.find_sync_handler("b.async"));
  EXPECT_FALSE(engine.find_sync_handler("none"));
  ASSERT_TRUE(engine.breaker_options("svc"));
  EXPECT_EQ(engine.breaker_options("svc")->failures_threshold, 7);
  EXPECT_EQ(engine.breaker_options("svc")->reset_timeout, Millis(1'234));
  EXPECT_FALSE(engine.breaker_options("other"));
  // Registering a name again as the other kind replaces it.
  engine.register_handler("b.async", [](const StepContext&) { return Json::object(); });
  EXPECT_TRUE(engine.find_sync_handler("b.async"));
  EXPECT_FALSE(engine.find_async_handler("b.async"));
}

TEST(EngineRegistry, OnStepTimedOutNamesTheAttemptThatOutlivedItsTimeout) {
  std::promise<std::string> told;
  auto timed_out = told.get_future();
  EngineOptions options;
  options.on_step_timed_out = [&told, once = std::make_shared<std::once_flag>()](
                                  const std::string& id, const std::string& path, int attempt, bool compensation) {
    std::call_once(*once, [&] {
      told.set_value(id + " " + path + " " + std::to_string(attempt) + (compensation ? " undo" : " do"));
    });
  };
  Engine engine(std::move(options));
  auto release = std::make_shared<std::promise<void>>();
  std::shared_future<void> released = release->get_future().share();
  engine.register_handler("stuck", [released](const StepContext&) {
    released.wait();
    return Json::object();
  });
  RetryPolicy no_retry;
  no_retry.retries_max = 0;
  ASSERT_TRUE(engine.register_workflow(WorkflowBuilder("stuck_flow")
                                           .step(StepSpec("s", "stuck").timeout_after(Millis(50)).retry_with(no_retry))
                                           .build()));
  ASSERT_TRUE(engine.start("stuck_flow", "wf-1").status);
  ASSERT_EQ(timed_out.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(timed_out.get(), "wf-1 s 1 do");
  release->set_value();
  const auto info = engine.wait("wf-1", Millis(10'000));
  ASSERT_TRUE(info);
  EXPECT_NE(info->error.find("timed out after 50 ms"), std::string::npos) << info->error;
}
