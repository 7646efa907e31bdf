// A plugin whose register function throws: the node must refuse to start and say why.
#include <actorflow/plugin.hpp>

#include <stdexcept>

ACTORFLOW_PLUGIN(engine, context) {
  throw std::runtime_error("cannot reach the payment gateway's config for node " + context.node_id);
}
