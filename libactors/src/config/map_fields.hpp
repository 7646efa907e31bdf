#pragma once
// Reads one YAML map of a node config, definition or chaos file: refuses keys it does not know
// (naming those it does, and the one probably meant) and keys given twice, and reads typed values
// within ranges. Problems name the value and say what is expected and what was found:
//   node.yaml:7:11: cluster.shards: expected an integer from 1 to 4096, got '0'
//   orders.yaml:6:5: step 'charge': retires: unknown key; expected one of step, handler, ... (did you mean 'retry'?)
#include "config/source.hpp"
#include "config/suggestion.hpp"

#include <actorflow/duration.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace actorflow::config {

using Millis = std::chrono::milliseconds;

// One value of a text: how problems name it, its node, and where it and its key are.
struct Value {
  std::string name;    // "cluster.shards", "step 'charge'"; "" for a whole file
  YAML::Node node;
  YAML::Mark mark;     // where the value is (an empty value: where its key is)
  YAML::Mark key_mark; // where its key is (a list entry or a whole file: where it is)

  // A value without a key: a list entry or a document; `fallback` locates it when it has no mark.
  static Value unkeyed(std::string name, const YAML::Node& node, const YAML::Mark& fallback);
};

// How a map names its values in problems.
enum class Naming {
  path,   // "cluster" -> "cluster.shards" (node config)
  label,  // "step 'charge'" -> "step 'charge': timeout" (definitions, chaos files)
};

struct MapShape {
  std::vector<std::string_view> keys;  // the keys it may have
  std::string what = "keys";           // "expected a map of <what> (<keys>)"
  Naming naming = Naming::label;
  bool empty_is_map = false;           // an empty value (`log:`) is an empty map, not refused
};

// "name: expected <expected>, got <what it is><hint>" where `value` is.
void report_bad(const Source& source, const Value& value, const std::string& expected, const std::string& hint = "");

class MapFields {
 public:
  // Reports a value that is not a map, unknown keys, keys that are no plain word and repeated keys.
  MapFields(const Source& source, Value map, MapShape shape);
  // A map named `context` in problems, placed at `at` when it has no mark of its own.
  MapFields(const Source& source, const YAML::Node& map, const YAML::Mark& at, std::string context,
            std::vector<std::string_view> keys);

  bool is_map() const { return is_map_; }
  const YAML::Mark& mark() const { return map_.mark; }
  const std::string& context() const { return map_.name; }
  const Source& source() const { return source_; }

  bool has(std::string_view key) const { return find(key) != nullptr; }
  // The value of `key`, or an undefined node.
  YAML::Node value(std::string_view key) const;
  // The value of `key` named and placed for problems (an undefined node when absent).
  Value child(std::string_view key) const;
  // How problems name the value of `key`: "cluster.shards", "step 'charge': timeout".
  std::string name_of(std::string_view key) const;
  // Where a problem about `key` points: its value, else the key, else the map.
  YAML::Mark mark_of(std::string_view key) const;

  // Reports "name: what" about the map itself, or about `key`.
  void report(const std::string& what) const;
  void report(std::string_view key, const std::string& what) const;
  // Reports "name: missing[; expected <expected>]" where the map's key is; false when absent.
  bool require(std::string_view key, const std::string& expected = "") const;
  // Reports the value of `key` as not what `expected` says (see report_bad); `failed` is then true.
  void bad(std::string_view key, const std::string& expected, const std::string& hint = "");
  // True when the value of `key` was refused: checks across values skip it.
  bool failed(std::string_view key) const { return failed_.count(std::string(key)) != 0; }

  // Typed reads: nothing when absent (not reported) or refused (reported, `failed`).
  std::optional<std::string> text(std::string_view key, const std::string& expected = "a non-empty string");
  std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max);
  std::optional<double> number(std::string_view key);
  // In [min, max], or [min, max) when `max_excluded`.
  std::optional<double> number(std::string_view key, double min, double max, bool max_excluded = false);
  std::optional<bool> boolean(std::string_view key);
  std::optional<Millis> duration(std::string_view key, Millis min = Millis(1), Millis max = Millis(kDurationMsMax));
  // A duration, or "never" (an empty optional).
  std::optional<std::optional<Millis>> duration_or_never(std::string_view key, Millis min, Millis max);
  // One of `words`, as written.
  std::optional<std::string> word(std::string_view key, Words words);
  // One of `words` as `parse` reads it (which may accept other spellings too).
  template <class Parse>
  auto choice(std::string_view key, Words words, Parse parse) -> decltype(parse(std::string_view{}));

 private:
  struct Entry {
    std::string key;
    YAML::Mark key_mark;
    YAML::Node value;
  };
  const Entry* find(std::string_view key) const;
  // The scalar text of `key`, or nothing (refused with `expected`) when it is no scalar.
  std::optional<std::string> scalar(std::string_view key, const std::string& expected);

  const Source& source_;
  Value map_;
  Naming naming_;
  bool is_map_ = false;
  std::vector<Entry> entries_;
  std::set<std::string> failed_;
};

template <class Parse>
auto MapFields::choice(std::string_view key, Words words, Parse parse) -> decltype(parse(std::string_view{})) {
  const std::string expected = "one of " + join(words);
  const auto text = scalar(key, expected);
  if (!text) return std::nullopt;
  auto value = parse(*text);
  if (!value) bad(key, expected, did_you_mean(*text, words));
  return value;
}

}  // namespace actorflow::config
