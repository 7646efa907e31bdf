// Durations in definitions: "500ms", "30s", "5m", "2h", "1d", and sums of them largest unit first,
// e.g. "1h30m". No spaces, no signs, no fractions.
#include <actorflow/yaml_definition.hpp>

#include <array>
#include <cctype>
#include <cstdint>

namespace actorflow {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t ms;
};

// Longest suffix first where one is a prefix of another ("ms" before "m"); ranks give the order
// units must come in.
constexpr std::array<Unit, 5> kUnits{{{"ms", 1}, {"s", 1'000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};

}  // namespace

std::optional<Millis> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t total_ms = 0;
  int64_t last_unit_ms = INT64_MAX;  // each part must use a smaller unit than the one before
  size_t i = 0;
  while (i < text.size()) {
    const size_t digits_start = i;
    int64_t count = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      count = count * 10 + (text[i] - '0');
      if (count > kDurationMsMax) return std::nullopt;
      ++i;
    }
    if (i == digits_start) return std::nullopt;
    const Unit* unit = nullptr;
    for (const auto& candidate : kUnits) {
      if (text.substr(i, candidate.suffix.size()) == candidate.suffix) {
        unit = &candidate;
        break;
      }
    }
    if (unit == nullptr || unit->ms >= last_unit_ms) return std::nullopt;
    i += unit->suffix.size();
    last_unit_ms = unit->ms;
    if (count > (kDurationMsMax - total_ms) / unit->ms) return std::nullopt;
    total_ms += count * unit->ms;
  }
  return Millis(total_ms);
}

}  // namespace actorflow
