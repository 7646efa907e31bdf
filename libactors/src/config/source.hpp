#pragma once
// One YAML text being read: its name and where its problems go. Every problem names the text,
// line and column ("node.yaml:7:11: ...").
#include "config/problems.hpp"

#include <yaml-cpp/yaml.h>

#include <string>

namespace actorflow::config {

struct Source {
  std::string name;
  Problems& problems;

  // "name:line:column" (1-based), or "name" for a mark that points nowhere.
  std::string at(const YAML::Mark& mark) const;
  // Adds "name:line:column: context: what" (no "context: " when `context` is empty).
  void report(const YAML::Mark& mark, const std::string& context, const std::string& what) const;
};

// How a node reads in a problem: "a map", "a list", "nothing", or the scalar quoted.
std::string describe(const YAML::Node& node);
// The node's own mark, or `fallback` when it has none (null values point past their key).
YAML::Mark mark_or(const YAML::Node& node, const YAML::Mark& fallback);
// The value of the first `key` in `map`, or an undefined node (never yaml-cpp's "zombie" node,
// whose Type() throws).
YAML::Node value_of(const YAML::Node& map, std::string_view key);

}  // namespace actorflow::config
