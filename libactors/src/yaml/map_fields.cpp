#include "yaml/map_fields.hpp"

#include <actorflow/json.hpp>

#include <charconv>
#include <cmath>

namespace actorflow::yaml {

std::optional<int64_t> scalar_integer(const std::string& text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

std::optional<double> scalar_number(const std::string& text) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<bool> scalar_boolean(const std::string& text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return std::nullopt;
}

std::optional<std::string> pointer_problem(const std::string& pointer) {
  try {
    Json::json_pointer parsed(pointer);
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

namespace {

std::string one_of(const std::vector<std::string_view>& allowed) {
  std::string out;
  for (auto key : allowed) {
    if (!out.empty()) out += ", ";
    out += key;
  }
  return out;
}

}  // namespace

MapFields::MapFields(const Source& source, const YAML::Node& map, const YAML::Mark& at, std::string context,
                     std::vector<std::string_view> allowed)
    : source_(source), mark_(mark_or(map, at)), context_(std::move(context)) {
  if (!map.IsMap()) {
    source_.report(mark_, context_, "expected a map with keys " + one_of(allowed) + ", got " + describe(map));
    return;
  }
  is_map_ = true;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;  // a copy: it-> points into a temporary
    const YAML::Mark key_mark = mark_or(key, mark_);
    if (!key.IsScalar()) {
      source_.report(key_mark, context_, "a key must be a plain word, got " + describe(key));
      continue;
    }
    const std::string& name = key.Scalar();
    bool known = false;
    for (auto candidate : allowed) known = known || candidate == name;
    if (!known) {
      source_.report(key_mark, context_, "unknown key '" + name + "' (expected one of: " + one_of(allowed) + ")");
      continue;
    }
    if (const Entry* first = find(name)) {
      source_.report(key_mark, context_, "duplicate key '" + name + "' (first at " + source_.at(first->key_mark) + ")");
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

YAML::Mark MapFields::mark_of(std::string_view key) const {
  const Entry* entry = find(key);
  return entry ? mark_or(entry->value, entry->key_mark) : mark_;
}

void MapFields::report(std::string_view key, const std::string& what) const {
  source_.report(mark_of(key), context_, std::string(key) + ": " + what);
}

bool MapFields::require(std::string_view key) const {
  if (!is_map_) return false;  // already reported as not a map
  if (has(key)) return true;
  source_.report(mark_, context_, "missing key '" + std::string(key) + "'");
  return false;
}

std::optional<std::string> MapFields::text(std::string_view key) const {
  const Entry* entry = find(key);
  if (!entry) return std::nullopt;
  if (!entry->value.IsScalar()) {
    report(key, "expected a string, got " + describe(entry->value));
    return std::nullopt;
  }
  if (entry->value.Scalar().empty()) {
    report(key, "must not be empty");
    return std::nullopt;
  }
  return entry->value.Scalar();
}

std::optional<int64_t> MapFields::integer(std::string_view key, int64_t min, int64_t max) const {
  const Entry* entry = find(key);
  if (!entry) return std::nullopt;
  auto value = entry->value.IsScalar() ? scalar_integer(entry->value.Scalar()) : std::nullopt;
  if (!value) {
    report(key, "expected an integer, got " + describe(entry->value));
    return std::nullopt;
  }
  if (*value < min || *value > max) {
    report(key, "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
                    std::to_string(*value));
    return std::nullopt;
  }
  return value;
}

std::optional<double> MapFields::number(std::string_view key) const {
  const Entry* entry = find(key);
  if (!entry) return std::nullopt;
  auto value = entry->value.IsScalar() ? scalar_number(entry->value.Scalar()) : std::nullopt;
  if (!value) report(key, "expected a number, got " + describe(entry->value));
  return value;
}

std::optional<bool> MapFields::boolean(std::string_view key) const {
  const Entry* entry = find(key);
  if (!entry) return std::nullopt;
  auto value = entry->value.IsScalar() ? scalar_boolean(entry->value.Scalar()) : std::nullopt;
  if (!value) report(key, "expected true or false, got " + describe(entry->value));
  return value;
}

std::optional<Millis> MapFields::duration(std::string_view key, bool zero_allowed) const {
  const Entry* entry = find(key);
  if (!entry) return std::nullopt;
  if (!entry->value.IsScalar()) {
    report(key, "expected a duration (e.g. 500ms, 30s, 5m, 2h, 1d), got " + describe(entry->value));
    return std::nullopt;
  }
  auto value = parse_duration(entry->value.Scalar());
  if (!value) {
    report(key, "bad duration " + describe(entry->value) + " (" + std::string(kDurationExpected) +
                    "; at most " + std::to_string(kDurationMsMax / 86'400'000) + "d)");
    return std::nullopt;
  }
  if (!zero_allowed && value->count() == 0) {
    report(key, "must be longer than 0");
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> MapFields::pointer(std::string_view key) const {
  auto value = text(key);
  if (!value) return std::nullopt;
  if (auto why = pointer_problem(*value)) {
    report(key, "bad JSON pointer '" + *value + "' (expected e.g. /order/id): " + *why);
    return std::nullopt;
  }
  return value;
}

}  // namespace actorflow::yaml
