#include "duration.hpp"

#include <actorflow/duration.hpp>

#include <cstdio>
#include <cstdlib>

namespace actorflow::cli {

namespace {

constexpr DurationSyntax kOptionSyntax{.fractions = true, .bare_seconds = true, .max_ms = 30LL * 24 * 3'600'000};

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  return actorflow::parse_duration(text, kOptionSyntax);
}

std::string format_duration(std::chrono::milliseconds duration) {
  int64_t ms = duration.count();
  std::string sign = ms < 0 ? "-" : "";
  ms = std::llabs(ms);
  char text[64];
  if (ms < 1000) {
    std::snprintf(text, sizeof text, "%lldms", static_cast<long long>(ms));
  } else if (ms < 60'000) {
    if (ms % 1000 == 0) {
      std::snprintf(text, sizeof text, "%llds", static_cast<long long>(ms / 1000));
    } else {
      std::snprintf(text, sizeof text, "%.1fs", static_cast<double>(ms / 100) / 10.0);
    }
  } else if (ms < 3'600'000) {
    std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(ms / 60'000),
                  static_cast<long long>(ms / 1000 % 60));
  } else {
    std::snprintf(text, sizeof text, "%lldh%02lldm", static_cast<long long>(ms / 3'600'000),
                  static_cast<long long>(ms / 60'000 % 60));
  }
  return sign + text;
}

}  // namespace actorflow::cli
