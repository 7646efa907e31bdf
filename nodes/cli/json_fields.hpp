#pragma once
// Lenient reads of reply fields for readable output: a missing or mistyped field gives an empty
// value instead of an exception (the JSON itself is shown unchanged with --json).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace actorflow::cli {

// A string as it is, anything else as compact JSON; "" when missing, null or not an object.
std::string text_of(const nlohmann::json& object, const char* key);
// A number of milliseconds; 0 when missing or not a number.
int64_t ms_of(const nlohmann::json& object, const char* key);
// The array at `key`; empty when missing or not an array.
nlohmann::json array_of(const nlohmann::json& object, const char* key);
// Line breaks become spaces: one table cell per value.
std::string single_line(std::string text);

}  // namespace actorflow::cli
