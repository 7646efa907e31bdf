// A plugin for the process-isolation tests (node_isolation_test.cpp), loaded with
// isolation: process. Its handlers say which worker process ran them (pid):
//   isolated.echo      returns {"pid", "attempt", "input"}
//   isolated.once      StepContext::once records {"pid", "attempt"} under the step's idempotency
//                      key; with input "abort_after_once": true the first attempt then aborts the
//                      process, so the next attempt (in a new worker) finds the record
//   isolated.hang      attempts up to input "hang_attempts" (default 1) never return
//   isolated.refuse    throws NonRetryableError
//   isolated.async     an async handler that completes from a thread of its own
//   isolated.garbage   the first attempt writes a frame header of 4 GiB on the worker's channel
//                      (fd 3) and waits: the node must kill that worker; later attempts succeed
// and the breaker "isolated-service" (the workflows name it: it must be registered in the node).
#include <actorflow/plugin.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

using actorflow::Json;
using actorflow::StepContext;

ACTORFLOW_PLUGIN(engine, context) {
  (void)context;
  actorflow::BreakerOptions breaker;
  breaker.failures_threshold = 50;
  engine.register_breaker("isolated-service", breaker);
  engine.register_handler("isolated.echo", [](const StepContext& step) {
    return Json{{"pid", getpid()}, {"attempt", step.attempt()}, {"input", step.input()}};
  });
  engine.register_handler("isolated.once", [](const StepContext& step) {
    const Json recorded = step.once([&] { return Json{{"pid", getpid()}, {"attempt", step.attempt()}}; });
    if (step.input().value("abort_after_once", false) && step.attempt() == 1) std::abort();
    return Json{{"recorded", recorded}, {"attempt", step.attempt()}, {"pid", getpid()}};
  });
  engine.register_handler("isolated.hang", [](const StepContext& step) {
    if (step.attempt() <= step.input().value("hang_attempts", 1))
      while (true) std::this_thread::sleep_for(std::chrono::hours(1));
    return Json{{"attempt", step.attempt()}, {"pid", getpid()}};
  });
  engine.register_handler("isolated.refuse", [](const StepContext&) -> Json {
    throw actorflow::NonRetryableError("refused for good by isolated.refuse");
  });
  engine.register_handler("isolated.garbage", [](const StepContext& step) {
    if (step.attempt() == 1) {
      const unsigned char huge[4]{0xff, 0xff, 0xff, 0xff};
      if (write(3, huge, sizeof huge) == 4)
        while (true) std::this_thread::sleep_for(std::chrono::hours(1));
    }
    return Json{{"attempt", step.attempt()}, {"pid", getpid()}};
  });
  engine.register_async_handler("isolated.async", [](const StepContext& step, actorflow::CompleteFn complete) {
    std::thread([complete, attempt = step.attempt()] {
      complete(actorflow::StepOutcome::success(Json{{"async", true}, {"attempt", attempt}, {"pid", getpid()}}));
    }).detach();
  });
}
