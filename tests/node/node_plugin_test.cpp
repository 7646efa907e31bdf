// Handler plugins on a real node: a plugin that is missing, is no plugin, was built for another
// ABI or throws while registering stops the node at start (exit 2) with an error naming the
// config line and the plugin's path; good plugins load side by side and see their context.
#include "node_process.hpp"

#include <actorflow/plugin.hpp>

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <filesystem>
#include <string>

using namespace actorflow;
using namespace actorflow::testing;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Runs `actorflow-node --config <dir>/node.yaml [--check]` with `plugins` configured.
ProgramRun run_with_plugins(const NodeDir& dir, const std::vector<std::string>& plugins, bool check,
                            const std::string& cwd = "") {
  NodeSetup setup = dir.setup();
  setup.plugins = plugins;
  const std::string config = dir.write("node.yaml", setup.to_yaml());
  std::vector<std::string> args{"--config", config};
  if (check) args.push_back("--check");
  return run_node_program(args, cwd);
}

// "<config>:<line>:7: node.plugins[<i>]: plugin '<path>': " (to_yaml writes them from line 6).
std::string plugin_problem(const NodeDir& dir, int i, const std::string& path) {
  return dir.file("node.yaml") + ":" + std::to_string(6 + i) + ":7: node.plugins[" + std::to_string(i) +
         "]: plugin '" + path + "': ";
}

}  // namespace

TEST(NodePlugins, TheExamplePluginUsesTheNodesEngineInsteadOfACopy) {
  // This test program has an engine linked in but does not export it: the plugin cannot load
  // here, because its engine calls are left for the node to resolve.
  void* handle = dlopen(example_plugin().c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle) dlclose(handle);
  ASSERT_EQ(handle, nullptr);
  const std::string error = dlerror();
  EXPECT_TRUE(contains(error, "undefined symbol: _ZN9actorflow")) << error;

  // actorflow-node exports it: the plugin loads and registers what the example workflows need.
  NodeDir dir;
  const ProgramRun run = run_with_plugins(dir, {example_plugin()}, /*check=*/true);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, ": ok: 1 plugin(s), 2 workflow definition(s)")) << run.output;
  // --check does not touch the configured store.
  EXPECT_FALSE(std::filesystem::exists(dir.store_path()));
}

TEST(NodePlugins, MissingPluginFileIsRefusedWithItsConfigLine) {
  NodeDir dir;
  const ProgramRun run = run_with_plugins(dir, {"/nonexistent/libhandlers.so"}, /*check=*/false);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, plugin_problem(dir, 0, "/nonexistent/libhandlers.so") + "no such file")) << run.output;
  EXPECT_FALSE(contains(run.output, "node_listening")) << run.output;
}

TEST(NodePlugins, ALibraryThatIsNoPluginIsRefused) {
  NodeDir dir;
  const ProgramRun run = run_with_plugins(dir, {NOT_A_PLUGIN}, /*check=*/true);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, plugin_problem(dir, 0, NOT_A_PLUGIN) +
                                       "no actorflow plugin: it exports no actorflow_plugin_abi_version function"))
      << run.output;
}

TEST(NodePlugins, APluginBuiltForAnotherAbiIsRefused) {
  NodeDir dir;
  const ProgramRun run = run_with_plugins(dir, {ABI_MISMATCH_PLUGIN}, /*check=*/true);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, plugin_problem(dir, 0, ABI_MISMATCH_PLUGIN) +
                                       "built for plugin ABI version " + std::to_string(actorflow::kPluginAbiVersion + 1) +
                                       ", this node has version " + std::to_string(actorflow::kPluginAbiVersion)))
      << run.output;
}

TEST(NodePlugins, APluginWhoseRegisterThrowsIsRefusedWithTheError) {
  NodeDir dir;
  const ProgramRun run = run_with_plugins(dir, {THROWING_PLUGIN}, /*check=*/false);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, plugin_problem(dir, 0, THROWING_PLUGIN) +
                                       "register failed: cannot reach the payment gateway's config for node test-node"))
      << run.output;
}

TEST(NodePlugins, EveryBrokenPluginIsNamedAtOnce) {
  NodeDir dir;
  const ProgramRun run = run_with_plugins(
      dir, {example_plugin(), "/nonexistent/liba.so", NOT_A_PLUGIN, ABI_MISMATCH_PLUGIN, THROWING_PLUGIN}, true);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, plugin_problem(dir, 1, "/nonexistent/liba.so"))) << run.output;
  EXPECT_TRUE(contains(run.output, plugin_problem(dir, 2, NOT_A_PLUGIN))) << run.output;
  EXPECT_TRUE(contains(run.output, plugin_problem(dir, 3, ABI_MISMATCH_PLUGIN))) << run.output;
  EXPECT_TRUE(contains(run.output, plugin_problem(dir, 4, THROWING_PLUGIN))) << run.output;
  EXPECT_FALSE(contains(run.output, "node.plugins[0]")) << run.output;
  EXPECT_TRUE(contains(run.output, "4 problems in node.plugins; not started")) << run.output;
}

TEST(NodePlugins, RelativePluginPathsAreRelativeToTheCurrentDirectory) {
  NodeDir dir;
  const auto plugin = std::filesystem::path(example_plugin());
  const ProgramRun here = run_with_plugins(dir, {plugin.filename().string()}, true, plugin.parent_path().string());
  EXPECT_EQ(here.exit_code, 0) << here.output;
  // Not searched for on the library path, nor next to the config.
  const ProgramRun elsewhere = run_with_plugins(dir, {plugin.filename().string()}, true, dir.path());
  EXPECT_EQ(elsewhere.exit_code, 2) << elsewhere.output;
  EXPECT_TRUE(contains(elsewhere.output, "no such file (relative paths are relative to the current directory, " +
                                             std::filesystem::canonical(dir.path()).string() + ")"))
      << elsewhere.output;
}

TEST(NodePlugins, TwoPluginsLoadSideBySideAndSeeTheirContext) {
  NodeDir dir;
  dir.write("workflows/echo.yaml",
            "name: echo\nversion: 1\nsteps:\n  - step: context\n    handler: context.echo\n"
            "  - step: reserve\n    handler: inventory.reserve\n");
  NodeSetup setup = dir.setup();
  setup.plugins = {example_plugin(), CONTEXT_PLUGIN};
  NodeProcess node(dir, setup);
  ASSERT_EQ(start_workflow(node, "echo", "echo-1").status, 201);
  const Json done = wait_for_status(node, "echo-1", {"completed", "failed", "compensated", "dead-lettered"});
  ASSERT_EQ(done.value("status", ""), "completed") << done.dump();
  EXPECT_EQ(done["data"]["context"], (Json{{"plugin_path", CONTEXT_PLUGIN}, {"node_id", "test-node"}}));
  EXPECT_EQ(done["data"]["reserve"]["reservation_id"], "reservation-echo-1");
  EXPECT_NE(node.log().find(CONTEXT_PLUGIN), std::string::npos);  // node_started names the plugins
  EXPECT_EQ(node.stop(), 0) << node.log();
}
