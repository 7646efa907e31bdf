#pragma once
// What a workflow does when a step fails for good.
#include <actorflow/export.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace ACTORFLOW_API actorflow {

enum class ErrorStrategy {
  retry,                  // retry per the retry policy, then the workflow fails (no compensation)
  compensate,             // no retries: compensate the completed steps at once
  dead_letter,            // no retries: park the workflow as dead-lettered with the reason
  retry_then_compensate,  // retry per the policy, then compensate (the default)
};

// How configs and definitions write the strategies (parse_error_strategy takes '_' for '-' too).
inline constexpr std::string_view kErrorStrategyNames[]{"retry", "compensate", "dead-letter",
                                                        "retry-then-compensate"};

std::string_view to_string(ErrorStrategy strategy);
std::optional<ErrorStrategy> parse_error_strategy(std::string_view text);

inline bool strategy_retries(ErrorStrategy s) {
  return s == ErrorStrategy::retry || s == ErrorStrategy::retry_then_compensate;
}

}  // namespace actorflow
