// The public entry points: YAML text, one file, or a directory of files -> checked definitions.
#include <actorflow/yaml_definition.hpp>

#include "config/document.hpp"
#include "yaml/definition_set.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace actorflow {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kNoun = "workflow definition";

void parse_text(std::string_view text, const std::string& source_name, const YamlLoadOptions& options,
                yaml::Problems& problems, std::vector<yaml::ParsedDefinition>& out) {
  const yaml::Source source{{source_name, problems}, options};
  const auto documents = config::parse_yaml_documents(text, source, kNoun);
  if (!documents) return;
  size_t found = 0;
  for (const auto& document : *documents) {
    if (document.IsNull()) continue;  // an empty document: only comments, or nothing between `---`
    ++found;
    if (auto parsed = yaml::parse_definition(source, document)) out.push_back(std::move(*parsed));
  }
  if (found == 0) problems.add(source_name + ": holds no workflow definition (expected keys name, version, steps)");
}

void parse_file(const std::string& path, const YamlLoadOptions& options, yaml::Problems& problems,
                std::vector<yaml::ParsedDefinition>& out) {
  if (auto text = config::read_yaml_file(path, kNoun, problems)) parse_text(*text, path, options, problems, out);
}

}  // namespace

YamlLoadResult load_workflow_yaml(std::string_view text, const std::string& source_name, const YamlLoadOptions& options) {
  yaml::Problems problems;
  std::vector<yaml::ParsedDefinition> parsed;
  parse_text(text, source_name, options, problems, parsed);
  return yaml::finish_load(std::move(parsed), problems, options);
}

YamlLoadResult load_workflow_file(const std::string& path, const YamlLoadOptions& options) {
  yaml::Problems problems;
  std::vector<yaml::ParsedDefinition> parsed;
  parse_file(path, options, problems, parsed);
  return yaml::finish_load(std::move(parsed), problems, options);
}

YamlLoadResult load_workflow_dir(const std::string& dir, const YamlLoadOptions& options) {
  yaml::Problems problems;
  std::vector<std::string> files;
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    const auto extension = it->path().extension();
    if ((extension == ".yaml" || extension == ".yml") && it->is_regular_file(error)) files.push_back(it->path().string());
  }
  if (error) problems.add(dir + ": cannot list: " + error.message());
  std::sort(files.begin(), files.end());
  if (files.size() > static_cast<size_t>(kYamlFilesMax)) {
    problems.add(dir + ": holds " + std::to_string(files.size()) + " workflow files, more than " +
                 std::to_string(kYamlFilesMax) + "; only the first are read");
    files.resize(kYamlFilesMax);
  }
  std::vector<yaml::ParsedDefinition> parsed;
  for (const auto& file : files) parse_file(file, options, problems, parsed);
  return yaml::finish_load(std::move(parsed), problems, options);
}

}  // namespace actorflow
