// libgreeting_plugin.so: the greeting handlers for actorflow-node (node.plugins names the file).
#include "greeting.hpp"

#include <actorflow/plugin.hpp>

ACTORFLOW_PLUGIN(engine, context) { greeting::register_handlers(engine); }
