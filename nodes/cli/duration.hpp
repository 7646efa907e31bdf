#pragma once
// Durations as a person types and reads them: "500ms", "30s", "5m", "1h30m".
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace actorflow::cli {

// One or more <number><unit> parts (units ms, s, m, h; the number may have a fraction), or a bare
// number of seconds. Nullopt for anything else, a negative value or more than 30 days.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// "250ms", "5s", "12.3s", "2m05s", "1h02m".
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace actorflow::cli
