// The shared libraries (cmake/SharedLibraries.cmake, issue 19): libactorflow_actors.so exports the
// public API and nothing of src/, and a program built from the public headers alone links it and
// runs a workflow (examples/external_app's program, compiled here against this build's .so).
#include "node_process.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace actorflow;
using namespace actorflow::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The demangled names of the library's exported (dynamic, defined) symbols, one per line.
std::string exported_symbols(const std::string& library) {
  const ProgramRun run = run_program("/bin/sh", {"-c", "nm -D --defined-only -C '" + library + "'"}, "", 60s);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  return run.output;
}

// Names a header under `root` declares as `class X` / `struct X` at namespace level.
std::set<std::string> declared_types(const fs::path& root) {
  static const std::regex declaration(R"(^(?:class|struct)\s+(?:ACTORFLOW_\w+\s+)?(\w+)\b)");
  std::set<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".hpp") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      std::smatch match;
      if (std::regex_search(line, match, declaration)) names.insert(match[1]);
    }
  }
  return names;
}

TEST(SharedLibrary, ExportsThePublicApiAndNothingOfItsInternals) {
  const std::string symbols = exported_symbols(ACTORFLOW_SHARED_LIBRARY);
  for (const char* api : {"actorflow::Engine::start(", "actorflow::Engine::recover()", "actorflow::StepContext::once(",
                          "actorflow::make_sqlite_store(", "actorflow::open_store(", "actorflow::version()"})
    EXPECT_TRUE(contains(symbols, api)) << api << " is not exported";

  const std::set<std::string> public_types = declared_types(fs::path(ACTORFLOW_SOURCE_DIR) / "libactors/include");
  std::set<std::string> internal_types = declared_types(fs::path(ACTORFLOW_SOURCE_DIR) / "libactors/src");
  for (const std::string& name : public_types) internal_types.erase(name);
  ASSERT_GT(internal_types.size(), 20u) << "the scan of libactors/src found too few types to mean anything";
  ASSERT_TRUE(internal_types.count("WorkflowRunner")) << "the scan missed the instance's runner";

  std::istringstream lines(symbols);
  std::vector<std::string> leaked;
  for (std::string line; std::getline(lines, line);) {
    for (const std::string& name : internal_types)
      if (contains(line, "actorflow::" + name + "::") || contains(line, "actorflow::" + name + "(") ||
          contains(line, "<actorflow::" + name))
        leaked.push_back(line);
    if (contains(line, "actorflow::pb::") || contains(line, "actorflow::Engine::Core")) leaked.push_back(line);
  }
  EXPECT_TRUE(leaked.empty()) << leaked.size() << " internal symbols exported, e.g. " << leaked.front();
}

TEST(SharedLibrary, AProgramOfThePublicHeadersLinksItAndRunsAWorkflow) {
  TempDir temp;
  const fs::path program = temp.path() / "greeting_app";
  const fs::path library_dir = fs::path(ACTORFLOW_SHARED_LIBRARY).parent_path();
  const fs::path app = ACTORFLOW_EXTERNAL_APP_DIR;
  const std::string compile = std::string(ACTORFLOW_CXX_COMPILER) + " -std=c++20 -O1 -pthread" +
                              " -I" ACTORFLOW_SOURCE_DIR "/libactors/include -I" ACTORFLOW_GENERATED_INCLUDE_DIR +
                              " '" + (app / "main.cpp").string() + "' '" + (app / "greeting.cpp").string() + "'" +
                              " -o '" + program.string() + "' -L'" + library_dir.string() + "' -lactorflow_actors" +
                              " -Wl,-rpath,'" + library_dir.string() + "'";
  const ProgramRun built = run_program("/bin/sh", {"-c", compile}, "", 300s);
  ASSERT_EQ(built.exit_code, 0) << compile << "\n" << built.output;

  const ProgramRun linked = run_program("/bin/sh", {"-c", "ldd '" + program.string() + "'"}, "", 30s);
  EXPECT_TRUE(contains(linked.output, "libactorflow_actors.so")) << linked.output;

  const ProgramRun ran = run_program(program.string(), {"sqlite:" + (temp.path() / "greeting.db").string()}, "", 60s);
  EXPECT_EQ(ran.exit_code, 0) << ran.output;
  EXPECT_TRUE(contains(ran.output, "greeting-1 completed: Hello, outside!")) << ran.output;
}

}  // namespace
