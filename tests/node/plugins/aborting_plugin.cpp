// A plugin with a handler that has the worst kind of bug: it aborts the process. The workflow
// "poison_pill" (poison_pill_yaml in the tests) prepares, then explodes:
//   poison.prepare   succeeds (undone by poison.undo)
//   poison.explode   when the input says "abort": true, works for "abort_after_ms" (default 0)
//                    then calls std::abort(); otherwise succeeds (undone by poison.undo)
//   poison.undo      succeeds
#include <actorflow/plugin.hpp>

#include <chrono>
#include <cstdlib>
#include <thread>

ACTORFLOW_PLUGIN(engine, context) {
  (void)context;
  engine.register_handler("poison.prepare", [](const actorflow::StepContext&) { return actorflow::Json{{"prepared", true}}; });
  engine.register_handler("poison.explode", [](const actorflow::StepContext& step) {
    const actorflow::Json& input = step.input();
    if (input.is_object() && input.value("abort", false)) {
      const int64_t after_ms = input.value("abort_after_ms", int64_t{0});
      std::this_thread::sleep_for(std::chrono::milliseconds(after_ms));
      std::abort();
    }
    return actorflow::Json{{"exploded", false}};
  });
  engine.register_handler("poison.undo", [](const actorflow::StepContext&) { return actorflow::Json{{"undone", true}}; });
}
