#include "node_logging.hpp"

#include <actorflow/logging.hpp>

#include <spdlog/spdlog.h>

namespace actorflow::node {

void configure_logging(const NodeConfig& config) {
  auto log = logger();
  // The level names of the config are spdlog's.
  log->set_level(spdlog::level::from_str(config.log_level));
  // log_json writes the inside of a JSON object; the json pattern is the one logger() sets up.
  // Every line names the node (its id is letters, digits, '.', '_', '-': nothing to escape), so the
  // logs of a cluster's nodes can be read together.
  if (config.log_format == "text")
    log->set_pattern("%Y-%m-%d %H:%M:%S.%e %-5l " + config.node_id + " {%v}", spdlog::pattern_time_type::utc);
  else
    log->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","node":")" + config.node_id + R"(",%v})",
                     spdlog::pattern_time_type::utc);
  log->flush_on(spdlog::level::trace);  // a line is out before the next step: the log may be a file
}

}  // namespace actorflow::node
