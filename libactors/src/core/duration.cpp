#include <actorflow/duration.hpp>

#include <array>
#include <cctype>
#include <cmath>

namespace actorflow {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t ms;
};

// Longest suffix first where one is a prefix of another ("ms" before "m").
constexpr std::array<Unit, 5> kUnits{{{"ms", 1}, {"s", 1'000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};
constexpr int64_t kDayMs = 86'400'000;

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// One number at the front of `text`: its whole part, and its fraction when `fractions` allows one.
struct Number {
  int64_t whole = 0;
  double fraction = 0;
};

std::optional<Number> take_number(std::string_view& text, bool fractions, int64_t max) {
  Number number;
  size_t i = 0;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    number.whole = number.whole * 10 + (text[i] - '0');
    if (number.whole > max) return std::nullopt;
  }
  if (i == 0) return std::nullopt;
  if (fractions && i < text.size() && text[i] == '.') {
    double scale = 0.1;
    const size_t fraction_start = ++i;
    for (; i < text.size() && is_digit(text[i]); ++i, scale /= 10) number.fraction += (text[i] - '0') * scale;
    if (i == fraction_start) return std::nullopt;
  }
  text.remove_prefix(i);
  return number;
}

const Unit* take_unit(std::string_view& text) {
  for (const auto& unit : kUnits) {
    if (text.substr(0, unit.suffix.size()) != unit.suffix) continue;
    text.remove_prefix(unit.suffix.size());
    return &unit;
  }
  return nullptr;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, const DurationSyntax& syntax) {
  if (text.empty()) return std::nullopt;
  std::string_view rest = text;
  int64_t total_ms = 0;
  int64_t last_unit_ms = INT64_MAX;  // each part must use a smaller unit than the one before
  while (!rest.empty()) {
    const auto number = take_number(rest, syntax.fractions, syntax.max_ms);
    if (!number) return std::nullopt;
    const bool bare = rest.empty() && last_unit_ms == INT64_MAX;
    const Unit seconds{"", 1'000};
    const Unit* unit = bare && syntax.bare_seconds ? &seconds : take_unit(rest);
    if (unit == nullptr || unit->ms >= last_unit_ms) return std::nullopt;
    last_unit_ms = unit->ms;
    const int64_t fraction_ms = std::llround(number->fraction * static_cast<double>(unit->ms));
    if (number->whole > (syntax.max_ms - total_ms - fraction_ms) / unit->ms) return std::nullopt;
    total_ms += number->whole * unit->ms + fraction_ms;
  }
  return std::chrono::milliseconds(total_ms);
}

std::string duration_text(std::chrono::milliseconds duration) {
  const int64_t ms = duration.count();
  if (ms > kDayMs && ms % kDayMs == 0) return std::to_string(ms / kDayMs) + "d";
  for (const auto& unit : {Unit{"h", 3'600'000}, Unit{"m", 60'000}, Unit{"s", 1'000}})
    if (ms != 0 && ms % unit.ms == 0) return std::to_string(ms / unit.ms) + std::string(unit.suffix);
  return std::to_string(ms) + "ms";
}

}  // namespace actorflow
