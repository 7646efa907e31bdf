#pragma once
// The web dashboard the node serves: one page (HTML, JavaScript, CSS, compiled into the binary)
// that reads and drives the engine only through the HTTP/JSON API (http_api.hpp) of the same
// server. It fetches nothing from anywhere else.
//
//   GET /, GET /ui          -> 302 to /ui/
//   GET /ui/, /ui/index.html -> the page; /ui/app.js, /ui/style.css -> its script and style
//
// Views (the URL's fragment): #/ the overview (counts by status, workflows with filters and
// paging, breakers, dead letters with retry), #/workflows/<percent-encoded id> one workflow with
// its timeline. Both refresh every few seconds.
#include "http_api.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace httplib {
class Server;
}

namespace actorflow::node {

struct DashboardAsset {
  std::string path;          // e.g. "/ui/app.js"
  std::string content_type;  // with its charset
  std::string_view body;     // static: lives as long as the program
};

// Every file the dashboard serves, by path ("/ui/" and "/ui/index.html" are both the page).
const std::vector<DashboardAsset>& dashboard_assets();

// The dashboard's reply to a GET of one of its paths (the query part aside), or nothing for any
// other request.
std::optional<HttpReply> dashboard_reply(const std::string& method, const std::string& target);

// Registers the dashboard's GET routes on `server`. Bind the HttpApi on the same server for the
// page to have data; the two use disjoint paths.
void bind_dashboard(httplib::Server& server);

}  // namespace actorflow::node
