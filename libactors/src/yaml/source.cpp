#include "yaml/source.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace actorflow::yaml {

void Problems::add(std::string problem) {
  if (list_.size() < static_cast<size_t>(kYamlProblemsMax)) list_.push_back(std::move(problem));
  else ++dropped_;
}

std::vector<std::string> Problems::take() {
  std::vector<std::string> out = std::move(list_);
  if (dropped_ > 0)
    out.push_back("... and " + std::to_string(dropped_) + " more problems (at most " +
                  std::to_string(kYamlProblemsMax) + " are reported)");
  list_.clear();
  dropped_ = 0;
  return out;
}

std::string Source::at(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0) return name;
  return name + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

void Source::report(const YAML::Mark& mark, const std::string& context, const std::string& what) const {
  problems.add(at(mark) + ": " + (context.empty() ? "" : context + ": ") + what);
}

std::optional<std::string> read_yaml_file(const std::string& path, Problems& problems) {
  std::error_code error;
  const auto bytes = std::filesystem::file_size(path, error);
  if (error) {
    problems.add(path + ": cannot read: " + error.message());
    return std::nullopt;
  }
  if (bytes > kYamlBytesMax) {
    problems.add(path + ": longer than " + std::to_string(kYamlBytesMax) + " bytes (" + std::to_string(bytes) + ")");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    problems.add(path + ": cannot read");
    return std::nullopt;
  }
  return text.str();
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "'" + node.Scalar() + "'";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return "nothing";
  }
  return "nothing";
}

YAML::Mark mark_or(const YAML::Node& node, const YAML::Mark& fallback) {
  if (!node.IsDefined() || node.IsNull()) return fallback;
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? fallback : mark;
}

YAML::Node value_of(const YAML::Node& map, std::string_view key) {
  if (map.IsMap())
    for (auto it = map.begin(); it != map.end(); ++it)
      if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  return YAML::Node(YAML::NodeType::Undefined);
}

}  // namespace actorflow::yaml
