#include "plugin_loader.hpp"

#include <actorflow/plugin.hpp>

#include <dlfcn.h>

#include <exception>
#include <filesystem>
#include <optional>
#include <system_error>

namespace actorflow::node {
namespace {

// dlopen searches the library path for a name without '/': make every path explicit.
std::string explicit_path(const std::string& path) {
  return path.find('/') == std::string::npos ? "./" + path : path;
}

std::string dl_error() {
  const char* text = dlerror();
  return text ? text : "unknown dlopen error";
}

// Loads one plugin; an error message when it fails.
std::optional<std::string> load_one(Engine& engine, const PluginEntry& entry, const std::string& node_id,
                                    std::string& resolved) {
  resolved = explicit_path(entry.path);
  std::error_code error;
  const auto status = std::filesystem::status(resolved, error);
  if (!std::filesystem::exists(status))
    return "no such file (relative paths are relative to the current directory, " +
           std::filesystem::current_path(error).string() + ")";
  if (!std::filesystem::is_regular_file(status)) return std::string("not a file; expected a shared library");

  dlerror();  // clear
  // RTLD_LOCAL: two plugins may use the same names for their own functions.
  void* handle = dlopen(resolved.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) return "cannot load: " + dl_error();

  const auto abi_version =
      reinterpret_cast<actorflow_plugin_abi_version_fn>(dlsym(handle, ACTORFLOW_PLUGIN_ABI_VERSION_SYMBOL));
  const auto register_fn =
      reinterpret_cast<actorflow_plugin_register_fn>(dlsym(handle, ACTORFLOW_PLUGIN_REGISTER_SYMBOL));
  if (!abi_version || !register_fn) {
    dlclose(handle);
    return std::string("no actorflow plugin: it exports no ") +
           (!abi_version ? ACTORFLOW_PLUGIN_ABI_VERSION_SYMBOL : ACTORFLOW_PLUGIN_REGISTER_SYMBOL) +
           " function (define it with ACTORFLOW_PLUGIN from actorflow/plugin.hpp)";
  }
  const int version = abi_version();
  if (version != kPluginAbiVersion) {
    dlclose(handle);
    return "built for plugin ABI version " + std::to_string(version) + ", this node has version " +
           std::to_string(kPluginAbiVersion) + "; rebuild the plugin against this node's headers";
  }
  // From here on the handle stays open: handlers the plugin registered point into it.
  try {
    register_fn(engine, PluginContext{entry.path, node_id});
  } catch (const std::exception& e) {
    return std::string("register failed: ") + e.what();
  } catch (...) {
    return std::string("register failed: an exception that is no std::exception");
  }
  return std::nullopt;
}

}  // namespace

PluginLoadResult load_plugins(Engine& engine, const std::vector<PluginEntry>& plugins, const std::string& node_id) {
  PluginLoadResult result;
  for (size_t i = 0; i < plugins.size(); ++i) {
    const PluginEntry& entry = plugins[i];
    std::string resolved;
    if (const auto problem = load_one(engine, entry, node_id, resolved)) {
      const std::string where = entry.location.empty() ? "" : entry.location + ": ";
      result.problems.push_back(where + "node.plugins[" + std::to_string(i) + "]: plugin '" + entry.path + "': " +
                                *problem);
    } else {
      result.loaded.push_back(LoadedPlugin{entry.path, resolved});
    }
  }
  return result;
}

}  // namespace actorflow::node
