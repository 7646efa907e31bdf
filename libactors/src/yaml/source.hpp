#pragma once
// Where YAML problems are collected: every problem of a load names its source, line and column.
#include <actorflow/yaml_definition.hpp>

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace actorflow::yaml {

// The problems of one load, in the order found; at most kYamlProblemsMax are kept, the rest are
// counted. Not thread-safe.
class Problems {
 public:
  void add(std::string problem);
  // Every problem found so far, kept or not: compare before and after to see whether a part added any.
  size_t count() const { return list_.size() + dropped_; }
  // The kept problems, and one line saying how many were left out.
  std::vector<std::string> take();

 private:
  std::vector<std::string> list_;
  size_t dropped_ = 0;
};

// One YAML text being read: its name, the options of the load and the shared problem list.
struct Source {
  std::string name;
  const YamlLoadOptions& options;
  Problems& problems;

  // "name:line:column" (1-based), or "name" for a mark that points nowhere.
  std::string at(const YAML::Mark& mark) const;
  // Adds "name:line:column: context: what" (no "context: " when `context` is empty).
  void report(const YAML::Mark& mark, const std::string& context, const std::string& what) const;
};

// The text of the file at `path`, or nothing with the problem added (unreadable, or longer than
// kYamlBytesMax).
std::optional<std::string> read_yaml_file(const std::string& path, Problems& problems);

// How a node reads in a problem: "a map", "a list", "nothing", or the scalar quoted.
std::string describe(const YAML::Node& node);
// The node's own mark, or `fallback` when it has none (null values point past their key).
YAML::Mark mark_or(const YAML::Node& node, const YAML::Mark& fallback);
// The value of the first `key` in `map`, or an undefined node (never yaml-cpp's "zombie" node,
// whose Type() throws).
YAML::Node value_of(const YAML::Node& map, std::string_view key);

}  // namespace actorflow::yaml
