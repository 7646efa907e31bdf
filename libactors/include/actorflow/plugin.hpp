#pragma once
// Handler plugins: shared libraries the node program (actorflow-node) loads at start, named in its
// config (node.plugins). A plugin registers step handlers and circuit breakers with the node's
// Engine; workflow definitions (YAML) then name them. A plugin is written as
//
//   #include <actorflow/plugin.hpp>
//
//   ACTORFLOW_PLUGIN(engine, context) {
//     engine.register_breaker("payments", actorflow::BreakerOptions{});
//     engine.register_handler("payment.charge", [](const actorflow::StepContext& step) { ... });
//   }
//
// and built as a CMake MODULE library linking actorflow_plugin_api (headers only), NOT
// actorflow_actors: the node exports the engine's symbols, and the plugin's calls
// (Engine::register_handler, StepContext::once, ...) resolve to the node's copy. Linking the
// engine into the plugin would give it a second engine runtime with its own statics.
// examples/order_saga_plugin is one.
//
// The contract between node and plugin is C++: both must be built with the same compiler and the
// same actorflow headers. kPluginAbiVersion changes whenever a header a plugin sees changes in a
// way that breaks plugins built before; the node refuses a plugin built for another version.
//
// The register function runs once, on the node's main thread, before any workflow is registered
// or recovered. It may throw: the node then refuses to start and names the plugin and the error.
// Handlers run on step-worker threads, so what they share must be thread-safe. A plugin stays
// loaded until the process exits (the engine holds its handlers).
#include <actorflow/export.hpp>
#include <actorflow/circuit_breaker.hpp>
#include <actorflow/engine.hpp>
#include <actorflow/json.hpp>
#include <actorflow/step_handler.hpp>

#include <string>

namespace ACTORFLOW_API actorflow {

inline constexpr int kPluginAbiVersion = 2;

// What the node tells a plugin about where it runs.
struct PluginContext {
  std::string plugin_path;  // as node.plugins names it
  std::string node_id;      // node.id
};

}  // namespace actorflow

// The two functions a plugin exports, by these names (see ACTORFLOW_PLUGIN).
#define ACTORFLOW_PLUGIN_ABI_VERSION_SYMBOL "actorflow_plugin_abi_version"
#define ACTORFLOW_PLUGIN_REGISTER_SYMBOL "actorflow_plugin_register"

extern "C" {
using actorflow_plugin_abi_version_fn = int (*)();
using actorflow_plugin_register_fn = void (*)(actorflow::Engine& engine, const actorflow::PluginContext& context);
}

// Defines the plugin's exported functions; the block that follows is the register function, with
// `engine` (actorflow::Engine&) and `context` (const actorflow::PluginContext&) named as given.
// Use it once per plugin.
#define ACTORFLOW_PLUGIN(engine, context)                                                             \
  static void actorflow_plugin_register_body(actorflow::Engine& engine,                             \
                                             const actorflow::PluginContext& context);              \
  extern "C" __attribute__((visibility("default"))) int actorflow_plugin_abi_version() {            \
    return actorflow::kPluginAbiVersion;                                                             \
  }                                                                                                  \
  extern "C" __attribute__((visibility("default"))) void actorflow_plugin_register(                 \
      actorflow::Engine& engine, const actorflow::PluginContext& context) {                         \
    actorflow_plugin_register_body(engine, context);                                                 \
  }                                                                                                  \
  static void actorflow_plugin_register_body([[maybe_unused]] actorflow::Engine& engine,            \
                                             [[maybe_unused]] const actorflow::PluginContext& context)
