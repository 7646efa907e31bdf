#include "definition_routes.hpp"

#include <actorflow/yaml_definition.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <system_error>

namespace actorflow::node {
namespace {

std::string versioned(const std::string& name, int version) { return name + " v" + std::to_string(version); }

// Writes `text` to `path` through a temporary file and a rename: a crash leaves either no file or
// the whole one. Returns what went wrong, or nothing.
std::optional<std::string> write_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return "cannot create " + temporary;
    out << text;
    out.flush();
    if (!out) return "cannot write " + temporary;
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return "cannot rename " + temporary + " to " + path;
  }
  return std::nullopt;
}

// The file a deployed definition is saved as, or nothing when it would not lie directly inside
// `dir` (a name the grammar refuses anyway; checked here too because this path is written).
std::optional<std::string> saved_path(const std::string& dir, const std::string& name, int version) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path root = fs::weakly_canonical(fs::path(dir), error);
  if (error) return std::nullopt;
  const fs::path file = fs::weakly_canonical(root / (name + "-v" + std::to_string(version) + ".yaml"), error);
  if (error || file.parent_path() != root || file.filename().string().front() == '.') return std::nullopt;
  return (fs::path(dir) / file.filename()).string();
}

}  // namespace

HttpReply list_definitions(const Engine& engine) {
  auto registered = engine.definitions();
  Json list = Json::array();
  for (size_t i = 0; i < registered.size(); ++i) {
    const bool latest = i + 1 == registered.size() || registered[i + 1].first != registered[i].first;
    list.push_back(Json{{"name", registered[i].first}, {"version", registered[i].second}, {"latest", latest}});
  }
  return HttpReply{200, Json{{"definitions", std::move(list)}}};
}

HttpReply deploy_definitions(Engine& engine, const std::string& yaml, const std::string& source,
                             const std::string& save_dir) {
  std::set<std::string> known_names;
  std::set<std::pair<std::string, int>> known_versions;
  for (const auto& [name, version] : engine.definitions()) {
    known_names.insert(name);
    known_versions.emplace(name, version);
  }
  YamlLoadOptions options;
  options.has_handler = [&engine](const std::string& name) { return engine.has_handler(name); };
  options.has_breaker = [&engine](const std::string& service) { return engine.has_breaker(service); };
  options.has_definition = [&known_names](const std::string& name) { return known_names.count(name) != 0; };
  YamlLoadResult loaded = load_workflow_yaml(yaml, source, options);
  if (!loaded.ok()) {
    const std::string count = std::to_string(loaded.problems.size());
    return HttpReply{400, Json{{"error", count + (loaded.problems.size() == 1 ? " problem" : " problems") +
                                             " in the definitions; nothing was registered"},
                               {"problems", loaded.problems}}};
  }
  for (const auto& definition : loaded.definitions)
    if (known_versions.count({definition.name, definition.version}) != 0)
      return HttpReply{409, Json{{"error", versioned(definition.name, definition.version) +
                                               " is already registered; versions are immutable: deploy it as a "
                                               "new version. Nothing was registered"}}};

  Json saved_as = nullptr;
  if (!save_dir.empty() && !loaded.definitions.empty()) {
    const auto& first = loaded.definitions.front();
    const auto checked = saved_path(save_dir, first.name, first.version);
    if (!checked)
      return HttpReply{400, Json{{"error", "definition name '" + first.name + "' would be saved outside node.workflows_dir (" +
                                               save_dir + "); nothing was registered"}}};
    const std::string& path = *checked;
    if (auto problem = write_atomically(path, yaml))
      return HttpReply{500, Json{{"error", "the definitions were not saved (" + *problem + "); nothing was registered"}}};
    saved_as = path;
  }
  Json registered = Json::array();
  for (auto& definition : loaded.definitions) {
    const std::string name = definition.name;
    const int version = definition.version;
    Status status = engine.register_workflow(std::move(definition));
    if (!status)  // registered concurrently by another request, or a check only the engine makes
      return HttpReply{409, Json{{"error", versioned(name, version) + ": " + status.message()},
                                 {"registered", registered}}};
    registered.push_back(Json{{"name", name}, {"version", version}});
  }
  return HttpReply{201, Json{{"registered", std::move(registered)}, {"saved_as", std::move(saved_as)}}};
}

}  // namespace actorflow::node
