#include "node_client.hpp"

#include "duration.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <thread>

namespace actorflow::cli {

namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '~' || c == '-';
}

std::optional<int> parse_port(std::string_view text) {
  int port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535)
    return std::nullopt;
  return port;
}

std::string describe(httplib::Error error, std::chrono::milliseconds timeout) {
  switch (error) {
    case httplib::Error::Connection: return "connection refused or host unreachable";
    case httplib::Error::ConnectionTimeout: return "no connection within " + format_duration(timeout);
    case httplib::Error::Read: return "no reply within " + format_duration(timeout) + " (or the connection broke)";
    case httplib::Error::Write: return "sending the request failed";
    case httplib::Error::SSLConnection: return "TLS handshake failed";
    case httplib::Error::SSLLoadingCerts: return "cannot load the CA certificates";
    case httplib::Error::SSLServerVerification: return "the server's TLS certificate did not verify";
    default: return "HTTP client error " + httplib::to_string(error);
  }
}

}  // namespace

std::string NodeUrl::to_string() const {
  std::string host_part = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return scheme + "://" + host_part + ":" + std::to_string(port) + path_prefix;
}

std::optional<NodeUrl> parse_node_url(std::string_view text, std::string& error) {
  auto fail = [&](std::string why) -> std::optional<NodeUrl> {
    error = "bad node URL '" + std::string(text) + "': " + std::move(why);
    return std::nullopt;
  };
  if (text.empty()) return fail("it is empty (expected e.g. http://127.0.0.1:8080)");
  NodeUrl url;
  std::string_view rest = text;
  if (auto sep = rest.find("://"); sep != std::string_view::npos) {
    url.scheme = std::string(rest.substr(0, sep));
    for (auto& c : url.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    rest.remove_prefix(sep + 3);
  } else {
    url.scheme = "http";
  }
  if (url.scheme != "http" && url.scheme != "https") return fail("scheme '" + url.scheme + "' is not http or https");
  if (rest.find_first_of("?#") != std::string_view::npos) return fail("a query or fragment is not allowed");
  if (rest.find('@') != std::string_view::npos) return fail("user info is not allowed");

  std::string_view authority = rest.substr(0, rest.find('/'));
  std::string_view path = rest.substr(authority.size());
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("'[' of an IPv6 address is not closed");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after ']'");
      port_text = after.substr(1);
      if (port_text.empty()) return fail("the port after ':' is empty");
    }
  } else {
    auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return fail("the port after ':' is empty");
    }
  }
  if (url.host.empty()) return fail("the host is empty");
  if (port_text.empty()) {
    url.port = url.scheme == "https" ? 443 : 80;
  } else if (auto port = parse_port(port_text)) {
    url.port = *port;
  } else {
    return fail("port '" + std::string(port_text) + "' is not a number in 1..65535");
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  url.path_prefix = std::string(path);
  return url;
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

std::string query_string(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (value.empty()) continue;
    out += out.empty() ? '?' : '&';
    out += percent_encode(key) + "=" + percent_encode(value);
  }
  return out;
}

struct NodeClient::Connection {
  std::unique_ptr<httplib::Client> client;
  std::chrono::milliseconds timeout;
};

NodeClient::NodeClient(NodeUrl url, std::chrono::milliseconds timeout, ClientCredentials credentials)
    : url_(std::move(url)), has_token_(!credentials.token.empty()), connection_(std::make_unique<Connection>()) {
  connection_->timeout = timeout;
  if (url_.scheme == "https") {
    std::string host_part = url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host;
    connection_->client = std::make_unique<httplib::Client>("https://" + host_part + ":" + std::to_string(url_.port));
  } else {
    connection_->client = std::make_unique<httplib::Client>(url_.host, url_.port);
  }
  auto& client = *connection_->client;
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  client.set_keep_alive(true);
  client.set_url_encode(false);  // paths arrive encoded (percent_encode)
  if (!credentials.token.empty()) client.set_bearer_token_auth(credentials.token);
  if (!credentials.ca_file.empty()) client.set_ca_cert_path(credentials.ca_file);
}

NodeClient::~NodeClient() = default;

namespace {

Reply to_reply(const httplib::Result& result, std::chrono::milliseconds timeout) {
  Reply reply;
  if (!result) {
    reply.connection_error = describe(result.error(), timeout);
    return reply;
  }
  reply.reached = true;
  reply.status = result->status;
  reply.body = result->body;
  try {
    reply.json = Json::parse(reply.body);
  } catch (const Json::parse_error&) {
  }
  return reply;
}

}  // namespace

// A 503 is passing trouble (the store restarts, the node drains, a shard moves): the call is made
// again after the node's Retry-After, up to kUnavailableRetriesMax times, saying so on stderr.
Reply NodeClient::call(const std::function<httplib::Result()>& send) {
  for (int retry = 1;; ++retry) {
    httplib::Result result = send();
    if (!result || result->status != 503 || retry > kUnavailableRetriesMax) return to_reply(result, connection_->timeout);
    int wait_s = 1;
    if (result->has_header("Retry-After")) {
      const std::string value = result->get_header_value("Retry-After");
      std::from_chars(value.data(), value.data() + value.size(), wait_s);
    }
    wait_s = std::clamp(wait_s, 1, kRetryAfterMaxSeconds);
    Reply reply = to_reply(result, connection_->timeout);
    std::fprintf(stderr, "%s: retrying in %d s (%d of %d)\n", describe_failure(reply).c_str(), wait_s, retry,
                 kUnavailableRetriesMax);
    std::this_thread::sleep_for(std::chrono::seconds(wait_s));
  }
}

Reply NodeClient::get(const std::string& path) {
  return call([&] { return connection_->client->Get(url_.path_prefix + path); });
}

Reply NodeClient::post(const std::string& path, const Json& body) {
  return call([&] { return connection_->client->Post(url_.path_prefix + path, body.dump(), "application/json"); });
}

Reply NodeClient::post_text(const std::string& path, const std::string& body, const std::string& content_type) {
  return call([&] { return connection_->client->Post(url_.path_prefix + path, body, content_type); });
}

Reply NodeClient::del(const std::string& path) {
  return call([&] { return connection_->client->Delete(url_.path_prefix + path); });
}

std::string NodeClient::describe_failure(const Reply& reply) const {
  if (!reply.reached) return "cannot reach node at " + url_.to_string() + ": " + reply.connection_error;
  std::string what;
  if (reply.json && reply.json->is_object() && reply.json->contains("error") && (*reply.json)["error"].is_string()) {
    what = (*reply.json)["error"].get<std::string>();
  } else if (reply.body.empty()) {
    what = "empty reply";
  } else {
    constexpr size_t shown_max = 200;
    what = reply.body.size() > shown_max ? reply.body.substr(0, shown_max) + "..." : reply.body;
    while (!what.empty() && (what.back() == '\n' || what.back() == '\r')) what.pop_back();
  }
  what += " (HTTP " + std::to_string(reply.status) + ")";
  if (reply.status != 401 && reply.status != 403) return what;
  std::string needed;
  if (reply.json && reply.json->is_object() && reply.json->contains("required_role") &&
      (*reply.json)["required_role"].is_string())
    needed = (*reply.json)["required_role"].get<std::string>();
  const std::string role = needed.empty() ? "a token" : "a token of role '" + needed + "' or higher";
  if (reply.status == 403)
    return what + "; this call needs " + role + ": pass another with --token-file, --token or ACTORFLOW_TOKEN";
  return what + "; this call needs " + role +
         (has_token_ ? ": the token given was not accepted (check it, or ask for a new one)"
                     : ": pass one with --token-file FILE, --token TOKEN or the ACTORFLOW_TOKEN environment variable");
}

}  // namespace actorflow::cli
