#pragma once
// Durations as a person types and reads them: "500ms", "30s", "5m", "1h30m".
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace actorflow::cli {

// actorflow::parse_duration (as in node configs and definitions), where the numbers may also have
// a fraction ("1.5s") and a bare number is seconds; nothing for a negative value or more than 30
// days.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// "250ms", "5s", "12.3s", "2m05s", "1h02m".
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace actorflow::cli
