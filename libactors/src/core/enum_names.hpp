#pragma once
// Tables of (value, name) for enums that are written as words in configs, logs and APIs.
#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace actorflow {

template <class Enum, size_t N>
using EnumNames = std::array<std::pair<Enum, std::string_view>, N>;

// The value's name, or "unknown" for a value the table lacks.
template <class Enum, size_t N>
std::string_view name_of(const EnumNames<Enum, N>& names, Enum value) {
  for (const auto& [candidate, name] : names)
    if (candidate == value) return name;
  return "unknown";
}

// The value named exactly `text`, if any.
template <class Enum, size_t N>
std::optional<Enum> value_named(const EnumNames<Enum, N>& names, std::string_view text) {
  for (const auto& [value, name] : names)
    if (name == text) return value;
  return std::nullopt;
}

}  // namespace actorflow
