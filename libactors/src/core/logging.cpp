#include <actorflow/logging.hpp>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <mutex>

namespace actorflow {

std::shared_ptr<spdlog::logger> logger() {
  static std::once_flag once;
  static std::shared_ptr<spdlog::logger> instance;
  std::call_once(once, [] {
    instance = spdlog::get("actorflow");
    if (!instance) instance = spdlog::stderr_logger_mt("actorflow");
    // The message is the inside of a JSON object; the pattern closes it around time and level.
    instance->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
    const char* level = std::getenv("ACTORFLOW_LOG_LEVEL");
    instance->set_level(level ? spdlog::level::from_str(level) : spdlog::level::info);
  });
  return instance;
}

bool log_enabled(spdlog::level::level_enum level) {
  static spdlog::logger* const log = logger().get();  // the logger lives as long as the process
  return log->should_log(level);
}

void log_json(spdlog::level::level_enum level, const Json& fields) {
  auto& log = *logger();
  if (!log.should_log(level)) return;
  std::string text = fields.dump();
  // Strip the outer braces: the pattern supplies them.
  std::string_view inner(text);
  if (inner.size() >= 2) inner = inner.substr(1, inner.size() - 2);
  log.log(level, "{}", inner);
}

}  // namespace actorflow
