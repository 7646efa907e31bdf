// liborder_saga_handlers.so: the handler plugin for the workflows of config/workflows
// (actorflow-node loads it from node.plugins).
#include "effect_recorder.hpp"
#include "example_handlers.hpp"

#include <actorflow/plugin.hpp>

#include <memory>

ACTORFLOW_PLUGIN(engine, context) {
  auto effects = std::make_shared<order_saga_plugin::EffectRecorder>(engine.store(), context.node_id);
  order_saga_plugin::register_order_saga_handlers(engine, effects);
  order_saga_plugin::register_purchase_order_handlers(engine, effects);
}
