#pragma once
// Loads handler plugins (actorflow/plugin.hpp) into an Engine: dlopen, check the ABI version, call
// the register function. Plugins are never unloaded: the engine keeps their handlers. A plugin
// with isolation: process is loaded by its step workers instead (nodes/isolation/worker_pool.hpp),
// and the node registers the handlers they report.
#include "node_config.hpp"

#include "isolation/isolated_plugins.hpp"

#include <actorflow/actorflow.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace actorflow::node {

struct LoadedPlugin {
  std::string path;      // as configured
  std::string resolved;  // the file dlopen was given
};

struct PluginLoadResult {
  std::vector<LoadedPlugin> loaded;
  // One line per plugin that failed, naming where it is configured and its path:
  //   node.yaml:12:7: node.plugins[0]: plugin 'build/libx.so': cannot load: <dlerror>
  // A plugin whose register function threw may have registered part of its handlers.
  std::vector<std::string> problems;
};

// What the step workers of isolated plugins need from the node.
struct IsolationSettings {
  std::shared_ptr<Store> ledger;             // the node's store (StepContext::once)
  std::vector<std::string> worker_args;      // --node-id, --log-level, --json-depth-max
  isolation::IsolatedPlugins* isolated = nullptr;  // where the started worker pools go
};

// Loads `plugins` in order into `engine`; a plugin that fails does not stop the others from being
// tried, so every broken one is named. Relative paths are relative to the current directory (never
// searched for on the library path). Call it from one thread, before workflows are registered.
PluginLoadResult load_plugins(Engine& engine, const std::vector<PluginEntry>& plugins, const std::string& node_id,
                              const IsolationSettings& isolation);

// Loads one plugin into `engine` in this process (what a step worker does); the problem when it
// did not load.
std::optional<std::string> load_plugin_here(Engine& engine, const std::string& path, const std::string& node_id);

}  // namespace actorflow::node
