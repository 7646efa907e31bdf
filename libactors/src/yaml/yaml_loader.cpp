// The public entry points: YAML text, one file, or a directory of files -> checked definitions.
#include <actorflow/bounded_parse.hpp>
#include <actorflow/yaml_definition.hpp>

#include "yaml/definition_set.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace actorflow {
namespace {

namespace fs = std::filesystem;

void parse_text(std::string_view text, const std::string& source_name, const YamlLoadOptions& options,
                yaml::Problems& problems, std::vector<yaml::ParsedDefinition>& out) {
  if (text.size() > kYamlBytesMax) {
    problems.add(source_name + ": longer than " + std::to_string(kYamlBytesMax) + " bytes (" +
                 std::to_string(text.size()) + ")");
    return;
  }
  if (Status bounded = yaml_text_limits(text, source_name); !bounded) {
    problems.add(bounded.message());
    return;
  }
  yaml::Source source{source_name, options, problems};
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    source.report(e.mark, "", "malformed YAML: " + e.msg);
    return;
  }
  size_t found = 0;
  for (const auto& document : documents) {
    if (document.IsNull()) continue;  // an empty document: only comments, or nothing between `---`
    ++found;
    if (auto parsed = yaml::parse_definition(source, document)) out.push_back(std::move(*parsed));
  }
  if (found == 0) problems.add(source_name + ": holds no workflow definition (expected keys name, version, steps)");
}

void parse_file(const std::string& path, const YamlLoadOptions& options, yaml::Problems& problems,
                std::vector<yaml::ParsedDefinition>& out) {
  if (auto text = yaml::read_yaml_file(path, problems)) parse_text(*text, path, options, problems, out);
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
