#pragma once
// The node's log: the engine's logger (actorflow/logging.hpp, stderr) set to log.level and
// log.format of the node config, and the node's own events on it.
#include "node_config.hpp"

namespace actorflow::node {

// json: one JSON object per line (the engine's format). text: time and level in front of the
// event's fields, for a person at a terminal.
void configure_logging(const NodeConfig& config);

}  // namespace actorflow::node
