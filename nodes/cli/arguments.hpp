#pragma once
// Command-line values that need more than CLI11's checks: JSON objects, files and durations. Each
// throws CLI::ValidationError naming the option and what is wrong (the CLI exits with 2).
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

namespace actorflow::cli {

nlohmann::json json_object_argument(const std::string& option, const std::string& text);
nlohmann::json json_object_file(const std::string& option, const std::string& path);
// The whole text of a file (at most 16 MiB).
std::string text_file(const std::string& option, const std::string& path);
std::chrono::milliseconds duration_argument(const std::string& option, const std::string& text);

}  // namespace actorflow::cli
