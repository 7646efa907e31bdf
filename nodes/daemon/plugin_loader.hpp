#pragma once
// Loads handler plugins (actorflow/plugin.hpp) into an Engine: dlopen, check the ABI version, call
// the register function. Plugins are never unloaded: the engine keeps their handlers.
#include "node_config.hpp"

#include <actorflow/engine.hpp>

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

// Loads `plugins` in order into `engine`; a plugin that fails does not stop the others from being
// tried, so every broken one is named. Relative paths are relative to the current directory (never
// searched for on the library path). Call it from one thread, before workflows are registered.
PluginLoadResult load_plugins(Engine& engine, const std::vector<PluginEntry>& plugins, const std::string& node_id);

}  // namespace actorflow::node
