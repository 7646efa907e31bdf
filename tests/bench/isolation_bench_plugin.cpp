// The plugin of bench_isolation: one handler that returns {} at once.
#include <actorflow/plugin.hpp>

ACTORFLOW_PLUGIN(engine, context) {
  (void)context;
  engine.register_handler("bench.noop", [](const actorflow::StepContext&) { return actorflow::Json::object(); });
}
