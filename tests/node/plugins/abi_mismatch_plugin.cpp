// A plugin that says it was built for another plugin ABI: the node must refuse it.
#include <actorflow/plugin.hpp>

extern "C" __attribute__((visibility("default"))) int actorflow_plugin_abi_version() {
  return actorflow::kPluginAbiVersion + 1;
}

extern "C" __attribute__((visibility("default"))) void actorflow_plugin_register(actorflow::Engine& engine,
                                                                                const actorflow::PluginContext&) {
  engine.register_handler("never.registered", [](const actorflow::StepContext&) { return actorflow::Json::object(); });
}
