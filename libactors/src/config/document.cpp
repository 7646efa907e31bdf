#include "config/document.hpp"

#include <actorflow/bounded_parse.hpp>
#include <actorflow/limits.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace actorflow::config {
namespace {

std::string too_large(const std::string& name, size_t bytes, std::string_view noun) {
  return name + ": is " + std::to_string(bytes) + " bytes; expected a " + std::string(noun) + " of at most " +
         std::to_string(limits::kYamlBytesMax) + " bytes";
}

}  // namespace

std::optional<std::string> read_yaml_file(const std::string& path, std::string_view noun, Problems& problems) {
  const std::string expected = "; expected a YAML " + std::string(noun) + " file";
  const auto fail = [&](const std::string& what) -> std::optional<std::string> {
    problems.add(path + ": " + what);
    return std::nullopt;
  };
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status))
    return fail("cannot read: " + (error ? error.message() : std::string("No such file or directory")) + expected);
  if (!std::filesystem::is_regular_file(status)) return fail("is not a file" + expected);
  const uintmax_t bytes = std::filesystem::file_size(path, error);
  if (error) return fail("cannot read: " + error.message() + expected);
  if (bytes > limits::kYamlBytesMax) {
    problems.add(too_large(path, bytes, noun));
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return fail(std::string("cannot read: ") + std::strerror(errno) + expected);
  return text.str();
}

std::optional<std::vector<YAML::Node>> parse_yaml_documents(std::string_view text, const Source& source,
                                                            std::string_view noun) {
  if (text.size() > limits::kYamlBytesMax) {
    source.problems.add(too_large(source.name, text.size(), noun));
    return std::nullopt;
  }
  if (Status bounded = yaml_text_limits(text, source.name); !bounded) {
    source.problems.add(bounded.message());
    return std::nullopt;
  }
  try {
    return YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    source.report(e.mark, "", "malformed YAML: " + e.msg);
    return std::nullopt;
  }
}

std::optional<YAML::Node> parse_yaml_document(std::string_view text, const Source& source, std::string_view noun) {
  auto documents = parse_yaml_documents(text, source, noun);
  if (!documents) return std::nullopt;
  if (documents->empty()) return YAML::Node(YAML::NodeType::Null);
  if (documents->size() > 1)
    source.report((*documents)[1].Mark(), "", "expected one YAML document, found " + std::to_string(documents->size()));
  return documents->front();
}

}  // namespace actorflow::config
