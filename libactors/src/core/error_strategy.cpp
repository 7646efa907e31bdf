#include <actorflow/error_strategy.hpp>

#include <algorithm>
#include <array>
#include <utility>

namespace actorflow {
namespace {

constexpr std::array<std::pair<ErrorStrategy, std::string_view>, 4> kNames{{
    {ErrorStrategy::retry, "retry"},
    {ErrorStrategy::compensate, "compensate"},
    {ErrorStrategy::dead_letter, "dead-letter"},
    {ErrorStrategy::retry_then_compensate, "retry-then-compensate"},
}};

}  // namespace

std::string_view to_string(ErrorStrategy strategy) {
  for (const auto& [value, name] : kNames)
    if (value == strategy) return name;
  return "unknown";
}

std::optional<ErrorStrategy> parse_error_strategy(std::string_view text) {
  std::string dashed(text);
  std::replace(dashed.begin(), dashed.end(), '_', '-');
  for (const auto& [value, name] : kNames)
    if (dashed == name) return value;
  return std::nullopt;
}

}  // namespace actorflow
