#include "arguments.hpp"

#include "duration.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace actorflow::cli {

namespace {

// Reading more than this is certainly a mistake: the node refuses bodies over 1 MiB by default.
constexpr std::streamsize input_file_bytes_max = 16 << 20;

nlohmann::json parse_object(const std::string& option, const std::string& text, const std::string& source) {
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw CLI::ValidationError(option, source + " is not valid JSON: " + e.what());
  }
  if (!value.is_object())
    throw CLI::ValidationError(option, source + " must be a JSON object ({...}), got " + value.type_name());
  return value;
}

}  // namespace

nlohmann::json json_object_argument(const std::string& option, const std::string& text) {
  return parse_object(option, text, "'" + text + "'");
}

nlohmann::json json_object_file(const std::string& option, const std::string& path) {
  return parse_object(option, text_file(option, path), "file '" + path + "'");
}

std::string text_file(const std::string& option, const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::error_code ignored;
  if (!file || std::filesystem::is_directory(path, ignored))
    throw CLI::ValidationError(option, "cannot read file '" + path + "'");
  file.seekg(0, std::ios::end);
  if (file.tellg() > input_file_bytes_max)
    throw CLI::ValidationError(option, "file '" + path + "' is larger than 16 MiB");
  file.seekg(0, std::ios::beg);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::chrono::milliseconds duration_argument(const std::string& option, const std::string& text) {
  auto duration = parse_duration(text);
  if (!duration)
    throw CLI::ValidationError(option, "'" + text + "' is not a duration (e.g. 500ms, 30s, 5m, 1h30m; at most 30 days)");
  return *duration;
}

}  // namespace actorflow::cli
