#include <actorflow/error_strategy.hpp>

#include "core/enum_names.hpp"

#include <algorithm>
#include <string>

namespace actorflow {
namespace {

constexpr EnumNames<ErrorStrategy, 4> kNames{{
    {ErrorStrategy::retry, "retry"},
    {ErrorStrategy::compensate, "compensate"},
    {ErrorStrategy::dead_letter, "dead-letter"},
    {ErrorStrategy::retry_then_compensate, "retry-then-compensate"},
}};

}  // namespace

std::string_view to_string(ErrorStrategy strategy) { return name_of(kNames, strategy); }

std::optional<ErrorStrategy> parse_error_strategy(std::string_view text) {
  std::string dashed(text);
  std::replace(dashed.begin(), dashed.end(), '_', '-');
  return value_named(kNames, dashed);
}

}  // namespace actorflow
