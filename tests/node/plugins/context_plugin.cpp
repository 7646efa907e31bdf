// A plugin that registers one handler answering with what the node told the plugin
// (PluginContext): tests check the context and that a second plugin loads beside the first.
#include <actorflow/plugin.hpp>

ACTORFLOW_PLUGIN(engine, context) {
  const actorflow::Json seen{{"plugin_path", context.plugin_path}, {"node_id", context.node_id}};
  engine.register_handler("context.echo", [seen](const actorflow::StepContext&) { return seen; });
}
