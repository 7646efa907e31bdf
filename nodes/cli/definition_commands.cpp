// Commands on workflow definitions: list what the node has registered, deploy new ones from YAML.
#include "commands.hpp"
#include "json_fields.hpp"
#include "text_format.hpp"

#include <filesystem>
#include <ostream>

namespace actorflow::cli {

namespace {

bool is_latest(const Json& definition) {
  if (!definition.is_object()) return false;
  auto latest = definition.find("latest");
  return latest != definition.end() && latest->is_boolean() && latest->get<bool>();
}

// The node's 400 names every problem as "source:line:column: ...": one line each, so that an
// editor or a terminal can jump to it.
void print_problems(Session& s, const Reply& reply) {
  if (!reply.json || !reply.json->is_object()) return;
  for (const auto& problem : array_of(*reply.json, "problems"))
    s.err << (problem.is_string() ? problem.get<std::string>() : problem.dump()) << "\n";
}

}  // namespace

int list_definitions(Session& s) {
  Reply reply = s.client.get("/v1/definitions");
  if (!reply.ok()) return fail(s, reply);
  if (s.json) {
    print_body(s, reply);
    return exit_code::ok;
  }
  if (!usable(s, reply)) return exit_code::error;
  Json list = array_of(*reply.json, "definitions");
  if (list.empty()) {
    s.out << "no definitions registered\n";
    return exit_code::ok;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& definition : list)
    rows.push_back({text_of(definition, "name"), text_of(definition, "version"), is_latest(definition) ? "yes" : ""});
  s.out << render_table({"NAME", "VERSION", "LATEST"}, rows);
  s.out << "(new workflows start the latest version; running ones keep the version they started with)\n";
  return exit_code::ok;
}

int deploy_definitions(Session& s, const std::string& file, const std::string& yaml) {
  const std::string source = std::filesystem::path(file).filename().string();
  Reply reply = s.client.post_text("/v1/definitions" + query_string({{"source", source}}), yaml, "application/yaml");
  if (!reply.ok()) {
    const int code = fail(s, reply);
    print_problems(s, reply);
    return code;
  }
  if (s.json) {
    print_body(s, reply);
    return exit_code::ok;
  }
  if (!usable(s, reply)) return exit_code::error;
  Json registered = array_of(*reply.json, "registered");
  if (registered.empty()) s.out << "nothing registered: " << file << " holds no definition\n";
  for (const auto& definition : registered)
    s.out << "registered " << text_of(definition, "name") << " v" << text_of(definition, "version") << "\n";
  const std::string saved_as = text_of(*reply.json, "saved_as");
  if (saved_as.empty()) {
    s.out << "not saved on the node (it keeps no definitions directory): gone when the node restarts\n";
  } else {
    s.out << "saved as " << saved_as << " (loaded again when the node restarts)\n";
  }
  return exit_code::ok;
}

}  // namespace actorflow::cli
