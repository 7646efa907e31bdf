#pragma once
// The CLI's side of the node's HTTP/JSON API (nodes/http_api.hpp): where the node is, how a path
// is encoded, one call and what came back.
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace httplib {
class Result;
}

namespace actorflow::cli {

using Json = nlohmann::json;

inline constexpr int kUnavailableRetriesMax = 5;  // a 503 is asked again this many times
inline constexpr int kRetryAfterMaxSeconds = 5;   // the longest Retry-After the CLI waits

// Where the node listens: "http://host:port[/prefix]".
struct NodeUrl {
  std::string scheme;       // "http" or "https"
  std::string host;         // an IPv6 address without its brackets
  int port = 0;
  std::string path_prefix;  // "" or "/something" (a node behind a reverse proxy), no trailing '/'

  std::string to_string() const;
};

// Parses "http://host:port", "https://host", "host:port" (http) with an optional path prefix.
// The port defaults to 80 (http) or 443 (https). On failure returns nullopt and says why in
// `error`.
std::optional<NodeUrl> parse_node_url(std::string_view text, std::string& error);

// Percent-encodes every byte outside [A-Za-z0-9._~-] ("%2F" for '/'): for one path segment or
// one query value.
std::string percent_encode(std::string_view text);

// "?a=1&b=x" from the pairs whose value is not empty (values percent-encoded); "" when none.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& params);

// What one call brought back.
struct Reply {
  bool reached = false;          // false: no HTTP response at all (see connection_error)
  std::string connection_error;  // why, when not reached
  int status = 0;
  std::string body;
  std::optional<Json> json;      // the body parsed, when it is JSON

  bool ok() const { return reached && status >= 200 && status < 300; }
};

// How the CLI proves who it is to a node with API tokens (README "Security").
struct ClientCredentials {
  std::string token;    // sent as "Authorization: Bearer <token>" (empty: none)
  std::string ca_file;  // https: trust this CA (PEM) instead of the system's (empty: the system's)
};

class NodeClient {
 public:
  // `timeout` bounds connecting, each read and each write of one call.
  NodeClient(NodeUrl url, std::chrono::milliseconds timeout, ClientCredentials credentials = {});
  ~NodeClient();
  NodeClient(const NodeClient&) = delete;
  NodeClient& operator=(const NodeClient&) = delete;

  // `path` is already encoded (see percent_encode), e.g. "/v1/workflows/a%2Fb".
  Reply get(const std::string& path);
  Reply post(const std::string& path, const Json& body);
  // Sends `body` as it is, e.g. a YAML definition ("application/yaml").
  Reply post_text(const std::string& path, const std::string& body, const std::string& content_type);
  Reply del(const std::string& path);

  const NodeUrl& url() const { return url_; }

  // One line for a failed reply: "cannot reach node at URL: reason" when there was no response,
  // else the API's error text (or the raw body) and the HTTP status; for 401 and 403 also the role
  // the call needs and how to pass a token.
  std::string describe_failure(const Reply& reply) const;

 private:
  Reply call(const std::function<httplib::Result()>& send);
  struct Connection;
  NodeUrl url_;
  bool has_token_ = false;
  std::unique_ptr<Connection> connection_;
};

}  // namespace actorflow::cli
