#pragma once
// Durations as people write them in node configs, workflow definitions, chaos files and CLI
// options: an integer and a unit (ms, s, m, h, d), several following each other largest unit
// first ("500ms", "30s", "5m", "2h", "1d", "1h30m"). No spaces, no signs. Depends on nothing but
// the standard library, so that the CLI can use it without the engine.
#include <actorflow/export.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ACTORFLOW_API actorflow {

inline constexpr int64_t kDurationMsMax = 3650LL * 24 * 3'600'000;  // ten years

// What a parse accepts beyond the form above.
struct DurationSyntax {
  bool fractions = false;     // "1.5s", "0.25h"
  bool bare_seconds = false;  // "2" is 2s
  int64_t max_ms = kDurationMsMax;
};

// The duration `text` states, or nothing when it is malformed or longer than `syntax.max_ms`.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, const DurationSyntax& syntax = {});

// How configs and error messages write `duration`: the biggest unit that states it exactly, days
// only from two on ("1500ms", "30s", "1m", "24h", "3650d").
std::string duration_text(std::chrono::milliseconds duration);

}  // namespace actorflow
