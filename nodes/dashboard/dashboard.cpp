#include "dashboard.hpp"

#include "web_assets.hpp"

#include <httplib.h>

namespace actorflow::node {

namespace {

// The page loads only its own script and style and talks only to its own origin; whatever a
// workflow id or error holds, no inline script can run.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void redirect_to_page(const httplib::Request&, httplib::Response& res) {
  res.status = 302;
  res.set_header("Location", "/ui/");
}

}  // namespace

const std::vector<DashboardAsset>& dashboard_assets() {
  static const std::vector<DashboardAsset> assets{
      {"/ui/", "text/html; charset=utf-8", web::index_html()},
      {"/ui/index.html", "text/html; charset=utf-8", web::index_html()},
      {"/ui/app.js", "text/javascript; charset=utf-8", web::app_js()},
      {"/ui/style.css", "text/css; charset=utf-8", web::style_css()},
  };
  return assets;
}

std::optional<HttpReply> dashboard_reply(const std::string& method, const std::string& target) {
  if (method != "GET") return std::nullopt;
  const std::string path = target.substr(0, target.find('?'));
  if (path == "/" || path == "/ui") {
    HttpReply reply{302, "text/plain; charset=utf-8", ""};
    reply.headers.emplace_back("Location", "/ui/");
    return reply;
  }
  for (const DashboardAsset& asset : dashboard_assets()) {
    if (asset.path != path) continue;
    HttpReply reply{200, asset.content_type, std::string(asset.body)};
    reply.headers = {{"Cache-Control", "no-cache"},
                     {"X-Content-Type-Options", "nosniff"},
                     {"Content-Security-Policy", kContentSecurityPolicy}};
    return reply;
  }
  return std::nullopt;
}

void bind_dashboard(httplib::Server& server) {
  server.Get("/", redirect_to_page);
  server.Get("/ui", redirect_to_page);
  for (const DashboardAsset& asset : dashboard_assets()) {
    // Patterns are regular expressions: escape the one special character the paths hold.
    std::string pattern;
    for (char c : asset.path) pattern += c == '.' ? std::string("\\.") : std::string(1, c);
    server.Get(pattern, [&asset](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-cache");
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("Content-Security-Policy", kContentSecurityPolicy);
      res.set_content(asset.body.data(), asset.body.size(), asset.content_type.c_str());
    });
  }
}

}  // namespace actorflow::node
