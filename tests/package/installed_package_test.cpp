// An installed Actorflow, used from outside as a user would (issue 19): this build installed into
// a temporary prefix, examples/external_app copied away from the source tree, configured with
// CMAKE_PREFIX_PATH=<prefix> only and built; its program runs a workflow on its own engine, and
// the installed actorflow-node loads its plugin and runs a workflow of it over HTTP. Then the
// same program built with the flags of `pkg-config actorflow`.
#include "node_process.hpp"
#include "temp_dir.hpp"

#include <actorflow/version.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace actorflow;
using namespace actorflow::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr auto kInstallLimit = 180s;
constexpr auto kBuildLimit = 600s;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

ProgramRun cmake(const std::vector<std::string>& args, std::chrono::milliseconds limit) {
  return run_program(ACTORFLOW_CMAKE, args, "", limit);
}

// A shell command line (for pkg-config's environment and output).
ProgramRun shell(const std::string& command, std::chrono::milliseconds limit) {
  return run_program("/bin/sh", {"-c", command}, "", limit);
}

class InstalledPackage : public ::testing::Test {
 protected:
  fs::path prefix() const { return temp.path() / "prefix"; }
  fs::path app_source() const { return temp.path() / "external_app"; }
  fs::path app_build() const { return temp.path() / "external_app-build"; }

  // The components a user's prefix gets (the service's, for packages, write to /etc).
  void install() {
    for (const char* component : {"runtime", "development"}) {
      const ProgramRun run = cmake({"--install", ACTORFLOW_BUILD_DIR, "--prefix", prefix().string(), "--component",
                                    component},
                                   kInstallLimit);
      ASSERT_EQ(run.exit_code, 0) << component << ": " << run.output;
    }
  }

  // examples/external_app, copied out of the source tree, configured against the prefix and built.
  void build_external_app() {
    fs::copy(ACTORFLOW_EXTERNAL_APP_DIR, app_source(), fs::copy_options::recursive);
    std::vector<std::string> configure{"-S", app_source().string(), "-B", app_build().string(),
                                       "-DCMAKE_PREFIX_PATH=" + prefix().string(),
                                       "-DCMAKE_CXX_COMPILER=" ACTORFLOW_CXX_COMPILER,
                                       "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
                                       // Nothing but the prefix: no package registry of this machine's builds.
                                       "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"};
    if (std::string(ACTORFLOW_CXX_LAUNCHER) != "")
      configure.push_back("-DCMAKE_CXX_COMPILER_LAUNCHER=" ACTORFLOW_CXX_LAUNCHER);
    const ProgramRun configured = cmake(configure, 120s);
    ASSERT_EQ(configured.exit_code, 0) << configured.output;
    const ProgramRun built = cmake({"--build", app_build().string(), "-j2"}, kBuildLimit);
    ASSERT_EQ(built.exit_code, 0) << built.output;
  }

  TempDir temp;
};

TEST_F(InstalledPackage, AnOutsideProjectBuildsAgainstItAndItsPluginRunsInTheInstalledNode) {
  ASSERT_NO_FATAL_FAILURE(install());
  const std::string lib = (prefix() / ACTORFLOW_INSTALL_LIBDIR).string();
  for (const fs::path& file : {prefix() / "bin/actorflow-node", prefix() / "bin/actorflow",
                               prefix() / "include/actorflow/engine.hpp", prefix() / "include/actorflow/version.hpp",
                               prefix() / "include/actorflow/testing/failure_explorer.hpp",
                               fs::path(lib) / "libactorflow_actors.a", fs::path(lib) / "libactorflow_testing.a",
                               fs::path(lib) / "cmake/actorflow/actorflowConfig.cmake",
                               fs::path(lib) / "cmake/actorflow/actorflowConfigVersion.cmake",
                               fs::path(lib) / "pkgconfig/actorflow.pc"})
    EXPECT_TRUE(fs::exists(file)) << file;

  ASSERT_NO_FATAL_FAILURE(build_external_app());
  // It found the package in the prefix, and it compiled without the source or build tree.
  EXPECT_TRUE(contains(read_text(app_build() / "CMakeCache.txt"),
                       "actorflow_DIR:PATH=" + lib + "/cmake/actorflow"));
  const std::string commands = read_text(app_build() / "compile_commands.json");
  EXPECT_FALSE(contains(commands, ACTORFLOW_SOURCE_DIR "/")) << commands;
  EXPECT_FALSE(contains(commands, ACTORFLOW_BUILD_DIR "/")) << commands;

  const std::string expected = std::string("actorflow ") + ACTORFLOW_VERSION +
                               ": greeting-1 completed: Hello, outside! (12 letters)";
  const ProgramRun in_memory = run_program((app_build() / "greeting_app").string(), {});
  EXPECT_EQ(in_memory.exit_code, 0) << in_memory.output;
  EXPECT_TRUE(contains(in_memory.output, expected)) << in_memory.output;
  const ProgramRun on_sqlite = run_program((app_build() / "greeting_app").string(), {"sqlite:" + temp.file("app.db")});
  EXPECT_EQ(on_sqlite.exit_code, 0) << on_sqlite.output;
  EXPECT_TRUE(contains(on_sqlite.output, expected)) << on_sqlite.output;

  // The installed node, with the outside plugin and its workflow only.
  NodeDir dir;
  NodeSetup setup = dir.setup();
  setup.program = (prefix() / "bin/actorflow-node").string();
  setup.plugins = {(app_build() / "libgreeting_plugin.so").string()};
  setup.workflows_dir = dir.file("greeting-workflows");
  fs::create_directories(setup.workflows_dir);
  fs::copy_file(app_source() / "workflows/greeting.yaml", fs::path(setup.workflows_dir) / "greeting.yaml");
  NodeProcess node(dir, setup);
  const HttpAnswer started = start_workflow(node, "greeting", "greeting-http", Json{{"name", "node"}});
  ASSERT_EQ(started.status, 201) << started.body.dump();
  const Json done = wait_for_status(node, "greeting-http", {"completed", "failed", "compensated", "dead-lettered"});
  EXPECT_EQ(done["status"], "completed") << done.dump();
  EXPECT_EQ(done["data"]["compose"]["text"], "Hello, node!") << done.dump();
  EXPECT_EQ(done["data"]["count"]["letters"], 9) << done.dump();
  EXPECT_EQ(http_get(node, "/v1/version").body["version"], ACTORFLOW_VERSION);
  // The dashboard is compiled into the node: the installed one serves it with no file beside it.
  const HttpAnswer dashboard = http_get(node, "/ui/");
  EXPECT_EQ(dashboard.status, 200);
  EXPECT_TRUE(contains(dashboard.content_type, "text/html")) << dashboard.content_type;
  EXPECT_EQ(node.stop(), 0) << node.log();

  // pkg-config: the same program from the flags of actorflow.pc alone.
  const std::string pc_dir = lib + "/pkgconfig";
  const std::string program = temp.file("greeting_app_pc");
  const ProgramRun pc_build = shell("PKG_CONFIG_PATH='" + pc_dir + "' && export PKG_CONFIG_PATH && " +
                                        ACTORFLOW_CXX_COMPILER " -o '" + program + "' '" +
                                        (app_source() / "main.cpp").string() + "' '" +
                                        (app_source() / "greeting.cpp").string() +
                                        "' $(pkg-config --cflags --libs actorflow)",
                                    kBuildLimit);
  ASSERT_EQ(pc_build.exit_code, 0) << pc_build.output;
  const ProgramRun pc_run = run_program(program, {});
  EXPECT_EQ(pc_run.exit_code, 0) << pc_run.output;
  EXPECT_TRUE(contains(pc_run.output, expected)) << pc_run.output;
}

}  // namespace
