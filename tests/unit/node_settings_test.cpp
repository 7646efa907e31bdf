// The table of node settings (nodes/node_settings.hpp) against what config/node.yaml documents:
// every plain setting is written there with its default as the value, and the ranges its
// comment states are the table's.
#include "node_settings.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

using namespace actorflow;
using namespace actorflow::node;

namespace {

std::string node_yaml_text() {
  // config/ of the source tree: this file is tests/unit/node_settings_test.cpp.
  const auto path = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "config" / "node.yaml";
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A key written in the file: its line and its comment, with the comment lines under it.
struct DocumentedKey {
  int line = 0;
  std::string comment;
};

// The second-level keys of `text` ("cluster.shards"), as config/node.yaml lays them out: a
// section at column 1, its keys at column 3, a comment after the value and on the lines below
// it indented further.
std::map<std::string, DocumentedKey> documented_keys(const std::string& text) {
  static const std::regex section(R"(^([a-z_]+):.*$)");
  static const std::regex key(R"(^  ([a-z_]+):[^#]*(#(.*))?$)");
  static const std::regex more_comment(R"(^ {3,}#(.*)$)");
  std::map<std::string, DocumentedKey> keys;
  std::string current_section;
  DocumentedKey* last = nullptr;
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    std::smatch m;
    if (std::regex_match(line, m, section)) {
      current_section = m[1];
      last = nullptr;
    } else if (std::regex_match(line, m, key)) {
      last = &keys[current_section + "." + m[1].str()];
      *last = DocumentedKey{number, m[3]};
    } else if (last && std::regex_match(line, m, more_comment)) {
      last->comment += " " + m[1].str();
    } else {
      last = nullptr;
    }
  }
  return keys;
}

// The ranges a comment states: "1..4096", "100ms..5m".
std::vector<std::string> ranges_in(const std::string& comment) {
  static const std::regex range(R"([0-9][0-9a-z]*\.\.[0-9][0-9a-z]*)");
  std::vector<std::string> out;
  for (std::sregex_iterator it(comment.begin(), comment.end(), range), end; it != end; ++it) out.push_back(it->str());
  return out;
}

bool is_word_setting(const NodeSetting& setting) {
  return std::holds_alternative<WordSetting<std::string>>(setting.kind) ||
         std::holds_alternative<WordSetting<Durability>>(setting.kind) ||
         std::holds_alternative<WordSetting<ErrorStrategy>>(setting.kind);
}

// Where node.yaml `text` and the table disagree, each naming the key.
std::vector<std::string> documentation_problems(const std::string& text) {
  std::vector<std::string> problems;
  const auto loaded = load_node_config_yaml(text, "node.yaml");
  if (!loaded.config) return loaded.problems;
  const auto keys = documented_keys(text);
  for (const auto& setting : node_settings()) {
    const std::string key(setting.key);
    const auto documented = keys.find(key);
    if (documented == keys.end()) {
      problems.push_back(key + ": not documented");
      continue;
    }
    const std::string where = "line " + std::to_string(documented->second.line) + ": " + key + ": ";
    if (!holds_default(setting, *loaded.config)) problems.push_back(where + "the value written is not the default");
    const std::string range = range_text(setting);
    const std::string& comment = documented->second.comment;
    if (is_word_setting(setting)) {
      std::istringstream words(range);
      for (std::string word; std::getline(words >> std::ws, word, ',');)
        if (comment.find(word) == std::string::npos) problems.push_back(where + "the comment does not name " + word);
    } else if (!range.empty()) {
      const auto stated = ranges_in(comment);
      if (stated.empty()) problems.push_back(where + "the comment states no range; expected " + range);
      for (const auto& other : stated)
        if (other != range) problems.push_back(where + "the comment states " + other + "; the range is " + range);
    }
  }
  return problems;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST(NodeConfigTable, DefaultsAreTheTables) {
  const NodeConfig config;
  for (const auto& setting : node_settings()) EXPECT_TRUE(holds_default(setting, config)) << setting.key;
  // Where the engine has the setting, the table's default is the engine's.
  const EngineOptions engine;
  EXPECT_EQ(config.step_timeout_default, engine.step_timeout_default);
  EXPECT_EQ(config.retries_max, engine.retry_default.retries_max);
  EXPECT_EQ(config.strategy_default, engine.strategy_default);
  EXPECT_EQ(config.passivate_after, engine.passivate_after);
  EXPECT_EQ(config.shards, ClusterOptions{}.shards);
}

TEST(NodeConfigTable, EveryKeyIsOnce) {
  std::set<std::string_view> keys;
  for (const auto& setting : node_settings()) EXPECT_TRUE(keys.insert(setting.key).second) << setting.key;
}

TEST(NodeConfigTable, RangeErrorsComeFromTheTable) {
  for (const auto& setting : node_settings()) {
    if (!std::holds_alternative<IntegerSetting>(setting.kind)) continue;
    const auto& integer = std::get<IntegerSetting>(setting.kind);
    const bool store = setting.section() == "store";  // a store map needs its spec
    const std::string yaml = "node: {id: n1}\n" + std::string(setting.section()) + ":\n" +
                             (store ? "  spec: memory\n" : "") + "  " + std::string(setting.name()) + ": " +
                             std::to_string(integer.max + 1) + "\n";
    const auto result = load_node_config_yaml(yaml, "t.yaml");
    ASSERT_EQ(result.problems.size(), 1u) << setting.key;
    EXPECT_EQ(result.problems[0], "t.yaml:" + std::string(store ? "4" : "3") + ":" + std::to_string(setting.name().size() + 5) + ": " +
                                      std::string(setting.key) + ": expected an integer from " +
                                      std::to_string(integer.min) + " to " + std::to_string(integer.max) + ", got '" +
                                      std::to_string(integer.max + 1) + "'");
  }
}

TEST(NodeConfigTable, ConfigNodeYamlDocumentsTheTablesDefaultsAndRanges) {
  const std::string text = node_yaml_text();
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(documentation_problems(text), std::vector<std::string>{}) << joined(documentation_problems(text));
}

TEST(NodeConfigTable, ADocumentedDefaultThatDiffersFromTheTableIsFound) {
  const std::string text = node_yaml_text();
  const auto shards = documented_keys(text).at("cluster.shards").line;
  EXPECT_EQ(documentation_problems(replaced(text, "  shards: 16 ", "  shards: 32 ")),
            std::vector<std::string>{"line " + std::to_string(shards) +
                                     ": cluster.shards: the value written is not the default"});
  EXPECT_EQ(documentation_problems(replaced(text, "(1..4096)", "(1..1024)")),
            std::vector<std::string>{"line " + std::to_string(shards) +
                                     ": cluster.shards: the comment states 1..1024; the range is 1..4096"});
  EXPECT_EQ(documentation_problems(replaced(text, "  step_workers: 4 ", "  # step_workers: 4 ")),
            std::vector<std::string>{"engine.step_workers: not documented"});
}
