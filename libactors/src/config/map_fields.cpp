#include "config/map_fields.hpp"

#include "config/scalars.hpp"

#include <sstream>

namespace actorflow::config {
namespace {

std::string duration_expected(Millis min, Millis max) {
  return "a duration from " + duration_text(min) + " to " + duration_text(max) + " (e.g. 500ms, 30s, 5m, 2h, 1h30m)";
}

}  // namespace

Value Value::unkeyed(std::string name, const YAML::Node& node, const YAML::Mark& fallback) {
  const YAML::Mark mark = mark_or(node, fallback);
  return Value{std::move(name), node, mark, mark};
}

void report_bad(const Source& source, const Value& value, const std::string& expected, const std::string& hint) {
  source.report(value.mark, value.name, "expected " + expected + ", got " + describe(value.node) + hint);
}

MapFields::MapFields(const Source& source, const YAML::Node& map, const YAML::Mark& at, std::string context,
                     std::vector<std::string_view> keys)
    : MapFields(source, Value::unkeyed(std::move(context), map, at), MapShape{std::move(keys)}) {}

MapFields::MapFields(const Source& source, Value map, MapShape shape)
    : source_(source), map_(std::move(map)), naming_(shape.naming) {
  const Words keys(shape.keys);
  if (shape.empty_is_map && (!map_.node.IsDefined() || map_.node.IsNull())) {
    is_map_ = true;
    return;
  }
  if (!map_.node.IsMap()) {
    report_bad(source_, map_, "a map of " + shape.what + " (" + join(keys) + ")");
    return;
  }
  is_map_ = true;
  for (auto it = map_.node.begin(); it != map_.node.end(); ++it) {
    const YAML::Node key = it->first;  // a copy: it-> points into a temporary
    const YAML::Mark key_mark = mark_or(key, map_.mark);
    if (!key.IsScalar()) {
      source_.report(key_mark, map_.name, "expected a key name, got " + describe(key));
      continue;
    }
    const std::string& name = key.Scalar();
    bool known = false;
    for (auto candidate : keys) known = known || candidate == name;
    if (!known) {
      const std::string where = naming_ == Naming::path && !map_.name.empty() ? " in " + map_.name : "";
      source_.report(key_mark, name_of(name),
                     "unknown key; expected one of " + join(keys) + where + did_you_mean(name, keys));
      continue;
    }
    if (const Entry* first = find(name)) {
      source_.report(key_mark, name_of(name), "repeated key (first at line " + std::to_string(first->key_mark.line + 1) +
                                                  "); expected each key once");
      continue;
    }
    entries_.push_back(Entry{name, key_mark, it->second});
  }
}

const MapFields::Entry* MapFields::find(std::string_view key) const {
  for (const auto& entry : entries_)
    if (entry.key == key) return &entry;
  return nullptr;
}

YAML::Node MapFields::value(std::string_view key) const {
  const Entry* entry = find(key);
  return entry ? entry->value : YAML::Node(YAML::NodeType::Undefined);
}

Value MapFields::child(std::string_view key) const {
  const Entry* entry = find(key);
  if (!entry) return Value{name_of(key), YAML::Node(YAML::NodeType::Undefined), map_.mark, map_.key_mark};
  return Value{name_of(key), entry->value, mark_or(entry->value, entry->key_mark), entry->key_mark};
}

std::string MapFields::name_of(std::string_view key) const {
  if (map_.name.empty()) return std::string(key);
  return map_.name + (naming_ == Naming::path ? "." : ": ") + std::string(key);
}

YAML::Mark MapFields::mark_of(std::string_view key) const {
  const Entry* entry = find(key);
  return entry ? mark_or(entry->value, entry->key_mark) : map_.mark;
}

void MapFields::report(const std::string& what) const { source_.report(map_.mark, map_.name, what); }

void MapFields::report(std::string_view key, const std::string& what) const {
  source_.report(mark_of(key), name_of(key), what);
}

bool MapFields::require(std::string_view key, const std::string& expected) const {
  if (!is_map_) return false;  // already reported as not a map
  if (has(key)) return true;
  source_.report(map_.key_mark, name_of(key), "missing" + (expected.empty() ? "" : "; expected " + expected));
  return false;
}

void MapFields::bad(std::string_view key, const std::string& expected, const std::string& hint) {
  report_bad(source_, child(key), expected, hint);
  failed_.insert(std::string(key));
}

std::optional<std::string> MapFields::scalar(std::string_view key, const std::string& expected) {
  const Entry* entry = find(key);
  if (!entry) return std::nullopt;
  if (!entry->value.IsScalar()) {
    bad(key, expected);
    return std::nullopt;
  }
  return entry->value.Scalar();
}

std::optional<std::string> MapFields::text(std::string_view key, const std::string& expected) {
  auto value = scalar(key, expected);
  if (value && value->empty()) {
    bad(key, expected);
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> MapFields::integer(std::string_view key, int64_t min, int64_t max) {
  const std::string expected = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  const auto text = scalar(key, expected);
  if (!text) return std::nullopt;
  const auto value = scalar_integer(*text);
  if (!value || *value < min || *value > max) {
    bad(key, expected);
    return std::nullopt;
  }
  return value;
}

std::optional<double> MapFields::number(std::string_view key) {
  const auto text = scalar(key, "a number");
  if (!text) return std::nullopt;
  const auto value = scalar_number(*text);
  if (!value) bad(key, "a number");
  return value;
}

std::optional<double> MapFields::number(std::string_view key, double min, double max, bool max_excluded) {
  std::ostringstream expected;
  expected << "a number from " << min << (max_excluded ? " up to (not including) " : " to ") << max;
  const auto text = scalar(key, expected.str());
  if (!text) return std::nullopt;
  const auto value = scalar_number(*text);
  if (!value || *value < min || *value > max || (max_excluded && *value == max)) {
    bad(key, expected.str());
    return std::nullopt;
  }
  return value;
}

std::optional<bool> MapFields::boolean(std::string_view key) {
  const auto text = scalar(key, "true or false");
  if (!text) return std::nullopt;
  const auto value = scalar_boolean(*text);
  if (!value) bad(key, "true or false");
  return value;
}

std::optional<Millis> MapFields::duration(std::string_view key, Millis min, Millis max) {
  const std::string expected = duration_expected(min, max);
  const auto text = scalar(key, expected);
  if (!text) return std::nullopt;
  const auto value = parse_duration(*text);
  if (!value || *value < min || *value > max) {
    bad(key, expected);
    return std::nullopt;
  }
  return value;
}

std::optional<std::optional<Millis>> MapFields::duration_or_never(std::string_view key, Millis min, Millis max) {
  const std::string expected = duration_expected(min, max) + " or never";
  const auto text = scalar(key, expected);
  if (!text) return std::nullopt;
  if (*text == "never") return std::optional<Millis>();
  const auto value = parse_duration(*text);
  if (!value || *value < min || *value > max) {
    bad(key, expected);
    return std::nullopt;
  }
  return std::optional<Millis>(*value);
}

std::optional<std::string> MapFields::word(std::string_view key, Words words) {
  return choice(key, words, [&](std::string_view text) -> std::optional<std::string> {
    for (auto w : words)
      if (w == text) return std::string(text);
    return std::nullopt;
  });
}

}  // namespace actorflow::config
