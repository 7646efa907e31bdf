#include "plugin_loader.hpp"

#include <actorflow/plugin.hpp>

#include <dlfcn.h>

#include <exception>
#include <filesystem>
#include <optional>
#include <system_error>
#include <variant>

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

// Whether `resolved` is a file to load; the problem when not.
std::optional<std::string> file_problem(const std::string& resolved) {
  std::error_code error;
  const auto status = std::filesystem::status(resolved, error);
  if (!std::filesystem::exists(status))
    return "no such file (relative paths are relative to the current directory, " +
           std::filesystem::current_path(error).string() + ")";
  if (!std::filesystem::is_regular_file(status)) return std::string("not a file; expected a shared library");
  return std::nullopt;
}

// Loads one plugin; an error message when it fails.
std::optional<std::string> load_one(Engine& engine, const std::string& path, const std::string& node_id,
                                    std::string& resolved) {
  resolved = explicit_path(path);
  if (auto problem = file_problem(resolved)) return problem;

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
    register_fn(engine, PluginContext{path, node_id});
  } catch (const std::exception& e) {
    return std::string("register failed: ") + e.what();
  } catch (...) {
    return std::string("register failed: an exception that is no std::exception");
  }
  return std::nullopt;
}

// Starts the step workers of an isolated plugin and registers what they report.
std::optional<std::string> load_isolated(Engine& engine, const PluginEntry& entry, size_t index,
                                         const IsolationSettings& settings, std::string& resolved) {
  resolved = explicit_path(entry.path);
  if (auto problem = file_problem(resolved)) return problem;
  isolation::WorkerPoolOptions options;
  options.plugin_path = entry.path;
  // The worker's current directory is the node's, but an absolute path survives a chdir.
  std::error_code error;
  const auto absolute = std::filesystem::absolute(resolved, error);
  options.resolved_path = error ? resolved : absolute.string();
  options.config_key = "node.plugins[" + std::to_string(index) + "]";
  options.workers = entry.workers;
  options.frame_bytes_max = entry.frame_bytes_max;
  options.queue_max = entry.queue_max;
  options.program = std::filesystem::read_symlink("/proc/self/exe", error).string();
  if (error) return "cannot find the node's own program for its step workers: " + error.message();
  options.extra_args = settings.worker_args;
  options.ledger = settings.ledger;
  auto started = isolation::WorkerPool::start(std::move(options));
  if (auto* problem = std::get_if<std::string>(&started)) return "isolation: process: " + *problem;
  auto pool = std::get<std::shared_ptr<isolation::WorkerPool>>(std::move(started));
  pool->register_with(engine);
  if (settings.isolated) settings.isolated->add(std::move(pool));
  return std::nullopt;
}

}  // namespace

std::optional<std::string> load_plugin_here(Engine& engine, const std::string& path, const std::string& node_id) {
  std::string resolved;
  return load_one(engine, path, node_id, resolved);
}

PluginLoadResult load_plugins(Engine& engine, const std::vector<PluginEntry>& plugins, const std::string& node_id,
                              const IsolationSettings& isolation) {
  PluginLoadResult result;
  for (size_t i = 0; i < plugins.size(); ++i) {
    const PluginEntry& entry = plugins[i];
    std::string resolved;
    const auto problem = entry.isolation == PluginIsolation::process
                             ? load_isolated(engine, entry, i, isolation, resolved)
                             : load_one(engine, entry.path, node_id, resolved);
    if (problem) {
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
