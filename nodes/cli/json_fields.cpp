#include "json_fields.hpp"

namespace actorflow::cli {

std::string text_of(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

int64_t ms_of(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return 0;
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<int64_t>() : 0;
}

nlohmann::json array_of(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return nlohmann::json::array();
  auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : nlohmann::json::array();
}

std::string single_line(std::string text) {
  for (auto& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

}  // namespace actorflow::cli
