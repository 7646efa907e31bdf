#pragma once
// The plain values a YAML scalar can state; nothing when the text is not one.
#include <cstdint>
#include <optional>
#include <string_view>

namespace actorflow::config {

std::optional<int64_t> scalar_integer(std::string_view text);  // decimal, optional '-'
std::optional<double> scalar_number(std::string_view text);    // finite
std::optional<bool> scalar_boolean(std::string_view text);     // true, True, TRUE, false, False, FALSE

}  // namespace actorflow::config
