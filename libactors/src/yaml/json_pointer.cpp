#include "yaml/json_pointer.hpp"

#include <actorflow/json.hpp>

namespace actorflow::yaml {

std::optional<std::string> pointer_problem(const std::string& pointer) {
  try {
    Json::json_pointer parsed(pointer);
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

std::optional<std::string> read_pointer(MapFields& fields, std::string_view key) {
  auto value = fields.text(key);
  if (!value) return std::nullopt;
  if (auto why = pointer_problem(*value)) {
    fields.report(key, "bad JSON pointer '" + *value + "' (expected e.g. /order/id): " + *why);
    return std::nullopt;
  }
  return value;
}

}  // namespace actorflow::yaml
