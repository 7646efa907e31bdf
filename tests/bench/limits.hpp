#pragma once
// What the machine can do at most with the parts the engine is built on, measured in the same
// run so that the engine's figures can be given as fractions of them.
#include <chrono>
#include <string>

namespace caf {
class actor_system_config;
}

namespace bench {

// Request/response round trips a second between CAF actors: `clients` actors each keep one
// request to one echo actor in flight, for `duration`. `config` sets the scheduler as the
// engine's is set.
double caf_round_trips_per_second(caf::actor_system_config& config, int clients, std::chrono::milliseconds duration);

// SET commands a second on one hiredis connection, pipelined `batch` at a time, values of
// `value_bytes`, for `duration`. Throws std::runtime_error when Redis cannot be reached.
double redis_pipelined_sets_per_second(const std::string& host, int port, int batch, size_t value_bytes,
                                       std::chrono::milliseconds duration);

}  // namespace bench
