#include <actorflow/limits.hpp>
#include <actorflow/names.hpp>

namespace actorflow {
namespace {

constexpr size_t kShownBytesMax = 64;

std::string shown(std::string_view name) {
  std::string out;
  for (unsigned char c : name.substr(0, kShownBytesMax)) {
    if (c < 0x20 || c >= 0x7f) out += "\\x" + std::string(1, "0123456789abcdef"[c >> 4]) + "0123456789abcdef"[c & 15];
    else out += static_cast<char>(c);
  }
  return name.size() > kShownBytesMax ? out + "..." : out;
}

bool is_name_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

}  // namespace

std::optional<std::string> name_problem(std::string_view what, std::string_view name) {
  const std::string grammar = " (names are [A-Za-z0-9_.-], 1 to " + std::to_string(limits::kNameBytesMax) +
                              " bytes, not starting with '.')";
  const std::string subject = std::string(what) + " '" + shown(name) + "'";
  if (name.empty()) return std::string(what) + " is empty" + grammar;
  if (name.size() > limits::kNameBytesMax)
    return subject + " is " + std::to_string(name.size()) + " bytes, more than name_bytes_max" + grammar;
  if (name.front() == '.') return subject + " starts with '.'" + grammar;
  for (unsigned char c : name)
    if (!is_name_char(c))
      return subject + " contains '" + shown(std::string_view(reinterpret_cast<const char*>(&c), 1)) +
             "', outside the name grammar" + grammar;
  return std::nullopt;
}

std::optional<std::string> workflow_id_problem(std::string_view id) {
  const std::string grammar = " (workflow ids are printable, 1 to " + std::to_string(limits::kWorkflowIdBytesMax) +
                              " bytes, no control characters)";
  if (id.empty()) return "workflow id is empty" + grammar;
  if (id.size() > limits::kWorkflowIdBytesMax)
    return "workflow id '" + shown(id) + "' is " + std::to_string(id.size()) + " bytes, more than workflow_id_bytes_max" + grammar;
  for (unsigned char c : id)
    if (c < 0x20 || c == 0x7f) return "workflow id '" + shown(id) + "' contains a control character" + grammar;
  return std::nullopt;
}

}  // namespace actorflow
