#pragma once
// Reads one YAML map of a definition: refuses keys it does not know (naming those it does) and
// keys given twice, and reads typed values, reporting every problem with its location.
#include "yaml/source.hpp"

#include <actorflow/clock.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace actorflow::yaml {

inline constexpr std::string_view kDurationExpected = "expected e.g. 500ms, 30s, 5m, 2h, 1d";

class MapFields {
 public:
  // `at` locates the map when `map` is null; `context` prefixes problems ("step 'charge'").
  // Reports a node that is not a map, unknown keys and duplicate keys.
  MapFields(const Source& source, const YAML::Node& map, const YAML::Mark& at, std::string context,
            std::vector<std::string_view> allowed);

  bool is_map() const { return is_map_; }
  const YAML::Mark& mark() const { return mark_; }
  const std::string& context() const { return context_; }
  const Source& source() const { return source_; }

  bool has(std::string_view key) const { return find(key) != nullptr; }
  // The value of `key`, or an undefined node.
  YAML::Node value(std::string_view key) const;
  // Where a problem about `key` points: its value, else the key, else the map.
  YAML::Mark mark_of(std::string_view key) const;
  // Reports `what` about `key` ("timeout: bad duration ...").
  void report(std::string_view key, const std::string& what) const;
  // Reports "missing key 'x'" and returns false when `key` is absent.
  bool require(std::string_view key) const;

  // Typed reads: nothing when absent (not reported) or malformed (reported).
  std::optional<std::string> text(std::string_view key) const;  // a non-empty scalar
  std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max) const;
  std::optional<double> number(std::string_view key) const;
  std::optional<bool> boolean(std::string_view key) const;
  std::optional<Millis> duration(std::string_view key, bool zero_allowed = false) const;
  // A JSON pointer ("/order/id"; "" is the whole data).
  std::optional<std::string> pointer(std::string_view key) const;

 private:
  struct Entry {
    std::string key;
    YAML::Mark key_mark;
    YAML::Node value;
  };
  const Entry* find(std::string_view key) const;

  const Source& source_;
  YAML::Mark mark_;
  std::string context_;
  bool is_map_ = false;
  std::vector<Entry> entries_;
};

// Scalar conversions shared with conditions; nothing when the text is not one.
std::optional<int64_t> scalar_integer(const std::string& text);
std::optional<double> scalar_number(const std::string& text);
std::optional<bool> scalar_boolean(const std::string& text);
// Nothing when `pointer` is a valid JSON pointer, else why not.
std::optional<std::string> pointer_problem(const std::string& pointer);

}  // namespace actorflow::yaml
