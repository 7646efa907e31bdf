#pragma once
// The engine's structured log: one JSON object per line on stderr, logger name "actorflow".
// Its level comes from ACTORFLOW_LOG_LEVEL (trace, debug, info, warn, error, off; default info).
#include <actorflow/export.hpp>
#include <actorflow/json.hpp>

#include <spdlog/logger.h>

#include <memory>

namespace ACTORFLOW_API actorflow {

std::shared_ptr<spdlog::logger> logger();

// Whether a line at `level` would be written: lets hot paths skip building lines nobody reads.
bool log_enabled(spdlog::level::level_enum level);

// Writes `fields` as one JSON log line at `level`.
void log_json(spdlog::level::level_enum level, const Json& fields);

}  // namespace actorflow
