#pragma once
// JSON pointers in definitions ("/order/id"; "" is the whole data): inputs, conditions, sleeps.
#include "yaml/source.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace actorflow::yaml {

// Nothing when `pointer` is a valid JSON pointer, else why not.
std::optional<std::string> pointer_problem(const std::string& pointer);
// The pointer `key` holds; nothing when absent or malformed (reported).
std::optional<std::string> read_pointer(MapFields& fields, std::string_view key);

}  // namespace actorflow::yaml
