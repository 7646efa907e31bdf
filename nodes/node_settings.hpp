#pragma once
// The table of the node config's plain settings: for each, its YAML key, the NodeConfig field it
// sets, its default, what it accepts and what it does. It is the one source of NodeConfig's
// defaults (taken from EngineOptions, ClusterOptions and limits.hpp where the engine has the
// setting, so the node and the engine cannot disagree), of how these keys are read and of their
// range errors; a test holds config/node.yaml's documented defaults and ranges to it.
#include "node_config.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace actorflow::node {

struct IntegerSetting {
  int NodeConfig::*field;
  int fallback;
  int64_t min, max;
};

struct NumberSetting {
  double NodeConfig::*field;
  double fallback;
  double min, max;
  bool max_excluded = false;
};

struct BooleanSetting {
  bool NodeConfig::*field;
  bool fallback;
};

struct DurationSetting {
  Millis NodeConfig::*field;
  Millis fallback;
  Millis min, max;
};

// A duration, or "never" (no value).
struct DurationOrNeverSetting {
  std::optional<Millis> NodeConfig::*field;
  std::optional<Millis> fallback;
  Millis min, max;
};

// One of a few words, read into `T` by `parse` (which may take other spellings too).
template <class T>
struct WordSetting {
  T NodeConfig::*field;
  T fallback;
  std::vector<std::string_view> words;
  std::optional<T> (*parse)(std::string_view);
};

using SettingKind = std::variant<IntegerSetting, NumberSetting, BooleanSetting, DurationSetting,
                                 DurationOrNeverSetting, WordSetting<std::string>, WordSetting<Durability>,
                                 WordSetting<ErrorStrategy>>;

struct NodeSetting {
  std::string_view key;  // "cluster.shards": the section, then the key in it
  SettingKind kind;
  std::string_view doc;

  std::string_view section() const { return key.substr(0, key.find('.')); }
  std::string_view name() const { return key.substr(key.find('.') + 1); }
};

// Visits a SettingKind with one lambda per kind.
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// Every plain setting, section by section in the order config/node.yaml documents them.
const std::vector<NodeSetting>& node_settings();

// What `setting` accepts, as config/node.yaml writes it: "1..4096", "1ms..24h", "0..1"; the words
// for one of a few words ("trace, debug, ..."); "" for a boolean.
std::string range_text(const NodeSetting& setting);

void apply_default(const NodeSetting& setting, NodeConfig& config);
// True when `config` has the default of `setting`.
bool holds_default(const NodeSetting& setting, const NodeConfig& config);

}  // namespace actorflow::node
