// The dashboard's files as a browser gets them: each embedded asset is served byte for byte with
// its content type, the page references nothing outside the node, and the script never turns data
// into markup. Over a real socket, with the HTTP API bound on the same server.
#include "dashboard.hpp"
#include "dashboard_server.hpp"

#include <actorflow/actorflow.hpp>

#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

using namespace actorflow;
using actorflow::testing::DashboardServer;

namespace {

std::string source_file(const std::string& name) {
  const std::string path = std::string(ACTORFLOW_DASHBOARD_WEB_DIR) + "/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

EngineOptions memory_engine() {
  EngineOptions options;
  options.store = make_memory_store();
  options.passivate_after = std::nullopt;
  return options;
}

class DashboardAssetsTest : public ::testing::Test {
 protected:
  DashboardAssetsTest() : engine(memory_engine()), server(engine), client("127.0.0.1", server.port()) {
    client.set_read_timeout(10, 0);
  }

  httplib::Result get(const std::string& path) {
    httplib::Result result = client.Get(path);
    EXPECT_TRUE(result) << "GET " << path << ": no response (" << httplib::to_string(result.error()) << ")";
    return result;
  }

  Engine engine;
  DashboardServer server;
  httplib::Client client;
};

TEST_F(DashboardAssetsTest, EachFileIsServedWithItsContentType) {
  const std::map<std::string, std::pair<std::string, std::string>> expected{
      {"/ui/", {"text/html; charset=utf-8", "index.html"}},
      {"/ui/index.html", {"text/html; charset=utf-8", "index.html"}},
      {"/ui/app.js", {"text/javascript; charset=utf-8", "app.js"}},
      {"/ui/style.css", {"text/css; charset=utf-8", "style.css"}},
  };
  for (const auto& [path, type_and_file] : expected) {
    SCOPED_TRACE(path);
    auto result = get(path);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(result->get_header_value("Content-Type"), type_and_file.first);
    EXPECT_EQ(result->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_NE(result->get_header_value("Content-Security-Policy").find("default-src 'none'"), std::string::npos);
    // Embedded byte for byte: the raw-string generation mangles nothing.
    const std::string source = source_file(type_and_file.second);
    EXPECT_GT(source.size(), 500u);
    EXPECT_EQ(result->body, source);
  }
}

TEST_F(DashboardAssetsTest, TheAssetListMatchesWhatIsServed) {
  std::set<std::string> paths;
  for (const auto& asset : node::dashboard_assets()) {
    paths.insert(asset.path);
    auto result = get(asset.path);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200) << asset.path;
    EXPECT_EQ(result->get_header_value("Content-Type"), asset.content_type) << asset.path;
    EXPECT_EQ(result->body, std::string(asset.body)) << asset.path;
  }
  EXPECT_EQ(paths, (std::set<std::string>{"/ui/", "/ui/index.html", "/ui/app.js", "/ui/style.css"}));
}

TEST_F(DashboardAssetsTest, RootAndUiRedirectToThePage) {
  for (const std::string path : {"/", "/ui"}) {
    auto result = get(path);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 302) << path;
    EXPECT_EQ(result->get_header_value("Location"), "/ui/") << path;
  }
}

TEST_F(DashboardAssetsTest, AnUnknownFileIs404AndTheApiStillAnswers) {
  auto missing = get("/ui/missing.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto dotted = get("/ui/appxjs");  // the '.' in the route is literal, not "any character"
  ASSERT_TRUE(dotted);
  EXPECT_EQ(dotted->status, 404);

  auto health = get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->get_header_value("Content-Type"), "application/json");
}

TEST_F(DashboardAssetsTest, ThePageReferencesOnlyItsOwnAssets) {
  auto page = get("/ui/");
  ASSERT_TRUE(page);
  const std::string& html = page->body;
  const std::regex reference(R"re(\b(src|href)\s*=\s*"([^"]*)")re");
  int local_files = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), reference); it != std::sregex_iterator(); ++it) {
    const std::string target = (*it)[2];
    SCOPED_TRACE(target);
    if (target.rfind('#', 0) == 0 || target == "data:,") continue;  // in-page links, the empty icon
    ASSERT_EQ(target.rfind("/ui/", 0), 0u) << "the page references something outside /ui/";
    auto asset = get(target);
    ASSERT_TRUE(asset);
    EXPECT_EQ(asset->status, 200);
    ++local_files;
  }
  EXPECT_EQ(local_files, 2);  // app.js and style.css
  for (const char* remote : {"http:", "https:", "//"}) {
    EXPECT_EQ(html.find(std::string("\"") + remote), std::string::npos) << remote;
    EXPECT_EQ(html.find(std::string("'") + remote), std::string::npos) << remote;
  }

  // Neither the script nor the style sheet pulls anything from elsewhere.
  const std::string script = get("/ui/app.js")->body;
  EXPECT_FALSE(std::regex_search(script, std::regex(R"re(['"`](https?:)?//)re"))) << "app.js names a remote URL";
  EXPECT_EQ(script.find("import "), std::string::npos);
  const std::string style = get("/ui/style.css")->body;
  EXPECT_EQ(style.find("@import"), std::string::npos);
  EXPECT_EQ(style.find("url("), std::string::npos);
}

TEST_F(DashboardAssetsTest, TheScriptNeverInsertsMarkup) {
  const std::string script = get("/ui/app.js")->body;
  for (const char* sink : {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"})
    EXPECT_EQ(script.find(sink), std::string::npos) << "app.js uses " << sink;
  // Ids are percent-encoded into API paths and links.
  EXPECT_NE(script.find("'/v1/workflows/' + encodeURIComponent(id)"), std::string::npos);
  EXPECT_NE(script.find("'#/workflows/' + encodeURIComponent(id)"), std::string::npos);
}

}  // namespace
