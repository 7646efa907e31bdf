#include "yaml/step_options.hpp"

#include "yaml/json_pointer.hpp"

#include <map>
#include <string>
#include <vector>

namespace actorflow::yaml {

std::optional<RetryPolicy> read_retry(MapFields& fields, std::string_view key, const RetryPolicy& base) {
  if (!fields.has(key)) return std::nullopt;
  const config::Source& source = fields.source();
  const size_t problems_before = source.problems.count();
  MapFields retry(source, fields.value(key), fields.mark_of(key), fields.context() + " " + std::string(key),
                  {"max", "initial", "multiplier", "max_interval", "jitter"});
  RetryPolicy policy = base;
  if (auto v = retry.integer("max", 0, kYamlRetriesMax)) policy.retries_max = static_cast<int>(*v);
  if (auto v = retry.duration("initial")) policy.interval_initial = *v;
  if (auto v = retry.number("multiplier")) policy.multiplier = *v;
  if (auto v = retry.duration("max_interval")) policy.interval_max = *v;
  if (auto v = retry.number("jitter")) policy.jitter = *v;
  if (source.problems.count() != problems_before) return std::nullopt;
  if (auto why = policy.problem()) {
    std::string hint;
    if (policy.interval_max < policy.interval_initial && !retry.has("max_interval"))
      hint = " (max_interval " + std::to_string(base.interval_max.count()) + " ms is inherited: set it too)";
    source.report(retry.mark(), retry.context(), *why + hint);
    return std::nullopt;
  }
  return policy;
}

std::optional<ErrorStrategy> read_strategy(MapFields& fields, std::string_view key) {
  return fields.choice(key, kErrorStrategyNames, parse_error_strategy);
}

bool read_input(MapFields& fields, std::string_view key, StepSpec& spec) {
  if (!fields.has(key)) return true;
  const YAML::Node input = fields.value(key);
  if (input.IsScalar()) {
    auto pointer = read_pointer(fields, key);
    if (pointer) spec.input(*pointer);
    return pointer.has_value();
  }
  if (!input.IsMap()) {
    fields.report(key, "expected a JSON pointer (/order) or a map of field: pointer, got " + describe(input));
    return false;
  }
  std::vector<std::string_view> names;
  std::vector<std::string> keys;
  for (auto it = input.begin(); it != input.end(); ++it) keys.push_back(it->first.IsScalar() ? it->first.Scalar() : "");
  names.assign(keys.begin(), keys.end());
  MapFields mapping(fields.source(), input, fields.mark_of(key), fields.context() + " " + std::string(key), names);
  std::map<std::string, std::string> mapped;
  bool ok = mapping.is_map();
  for (const auto& field : keys) {
    if (field.empty() || mapped.count(field) != 0) continue;  // reported by MapFields
    auto pointer = read_pointer(mapping, field);
    if (pointer) mapped.emplace(field, *pointer);
    else ok = false;
  }
  if (ok) spec.input(std::move(mapped));
  return ok;
}

}  // namespace actorflow::yaml
