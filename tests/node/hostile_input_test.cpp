// Hostile requests to a real node (issue 17): each is refused with the status and the limit it
// breaks named, and after each the node is healthy and every workflow stored before it is still
// there in the state it had. Deep JSON and YAML, names outside the grammar, a definition name
// that climbs out of node.workflows_dir, ambiguous framing, a huge header, bodies of the wrong
// type, cross-site requests, idle and slow connections, and more connections than allowed.
#include "eventually.hpp"
#include "node_process.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

using namespace actorflow;
using namespace actorflow::testing;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string deep_json(size_t depth) {
  std::string text;
  text.reserve(depth * 6 + 2);
  for (size_t i = 0; i < depth; ++i) text += "{\"a\":";
  text += "{}";
  text.append(depth, '}');
  return text;
}

// A socket connected to the node, or -1.
int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  timeval timeout{20, 0};  // bounds every read: a node that never answers fails the test, not hangs it
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return fd;
}

bool send_all(int fd, const std::string& bytes) {
  for (size_t sent = 0; sent < bytes.size();) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// Reads until the node closes the connection (or the read times out).
std::string read_to_end(int fd) {
  std::string out;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return out;
    out.append(buffer, static_cast<size_t>(n));
  }
}

struct RawAnswer {
  int status = 0;     // 0: no status line came
  std::string bytes;  // all of it
};

RawAnswer parse_raw(const std::string& bytes) {
  RawAnswer answer;
  answer.bytes = bytes;
  if (bytes.compare(0, 9, "HTTP/1.1 ") == 0 && bytes.size() >= 12) answer.status = std::stoi(bytes.substr(9, 3));
  return answer;
}

// Reads one reply (head and Content-Length body) from a connection that stays open.
RawAnswer read_one_reply(int fd) {
  std::string in;
  char buffer[4096];
  while (true) {
    const size_t head_end = in.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      const size_t at = in.find("Content-Length: ");
      const size_t length = at == std::string::npos ? 0 : std::stoul(in.substr(at + 16));
      if (in.size() >= head_end + 4 + length) return parse_raw(in);
    }
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return parse_raw(in);
    in.append(buffer, static_cast<size_t>(n));
  }
}

// Sends `bytes` as they are on a new connection; what came back until the node closed it.
RawAnswer raw_exchange(int port, const std::string& bytes) {
  const int fd = connect_to(port);
  if (fd < 0) return {};
  send_all(fd, bytes);  // the node may refuse and close before it has read everything
  RawAnswer answer = parse_raw(read_to_end(fd));
  ::close(fd);
  return answer;
}

// A request with a JSON body and the given extra header lines (each ending in \r\n).
std::string raw_post(const std::string& path, const std::string& body, const std::string& headers,
                     const std::string& content_type = "application/json") {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: " + content_type +
         "\r\n" + headers + "\r\n" + body;
}

void raise_open_file_limit(rlim_t wanted) {
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur >= wanted) return;
  limit.rlim_cur = std::min(wanted, limit.rlim_max);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
}

class HostileInput : public ::testing::Test {
 protected:
  void SetUp() override { start_node(dir.setup()); }

  void start_node(NodeSetup setup) {
    node.reset();
    node = std::make_unique<NodeProcess>(dir, setup);
    // 201, or 200 when a node before this one on the same store started them.
    ASSERT_EQ(start_workflow(*node, "purchase_order", "waiting-1", {{"amount_cents", 50'000}}).status / 100, 2);
    ASSERT_EQ(start_workflow(*node, "order_saga", "done-1").status / 100, 2);
    ASSERT_EQ(wait_for_status(*node, "done-1", {"completed"}).value("status", ""), "completed");
    ASSERT_TRUE(wait_for_history_event(*node, "waiting-1", "approval_waiting"));
    before = stored_workflows();
    ASSERT_EQ(before.size(), 2u);
  }

  // id -> status of every stored workflow.
  std::map<std::string, std::string> stored_workflows() const {
    std::map<std::string, std::string> out;
    const HttpAnswer list = http_get(*node, "/v1/workflows?limit=1000");
    if (list.status != 200) return out;
    for (const auto& w : list.body["workflows"]) out[w.value("id", "")] = w.value("status", "");
    return out;
  }

  // After each hostile request: healthy, and nothing stored before changed.
  void expect_intact() const {
    const HttpAnswer health = http_get(*node, "/healthz");
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.body.value("status", ""), "ok");
    EXPECT_EQ(stored_workflows(), before);
  }

  static void expect_error(const HttpAnswer& answer, int status, const std::string& part) {
    EXPECT_EQ(answer.status, status) << answer.body.dump();
    EXPECT_TRUE(contains(answer.body.value("error", ""), part)) << answer.body.dump();
  }

  static void expect_raw(const RawAnswer& answer, int status, const std::string& part) {
    EXPECT_EQ(answer.status, status) << answer.bytes.substr(0, 400);
    EXPECT_TRUE(contains(answer.bytes, part)) << answer.bytes.substr(0, 400);
  }

  NodeDir dir;
  std::unique_ptr<NodeProcess> node;
  std::map<std::string, std::string> before;
};

}  // namespace

TEST_F(HostileInput, JsonNestedAHundredThousandDeepIsRefusedNamingTheLimit) {
  const std::string deep = deep_json(100'000);
  struct Case {
    std::string what, path, body;
  };
  const std::vector<Case> cases{
      {"start input", "/v1/workflows", R"({"definition":"order_saga","id":"deep-1","input":)" + deep + "}"},
      {"signal payload", "/v1/workflows/waiting-1/signals/manager_approval", deep},
      {"approval", "/v1/workflows/waiting-1/signals/manager_approval", R"({"decision":"approve","by":)" + deep + "}"},
      {"cancel body", "/v1/workflows/waiting-1/cancel", deep},
      {"retry body", "/v1/workflows/done-1/retry", deep},
      {"array nesting", "/v1/workflows", std::string(100'000, '[') + std::string(100'000, ']')},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    expect_error(http_post(*node, c.path, c.body), 400, "json_depth_max (64");
    expect_intact();
  }
  // Within the limit is fine.
  EXPECT_EQ(start_workflow(*node, "order_saga", "deep-ok", Json::parse(deep_json(60))).status, 201);
}

TEST_F(HostileInput, YamlNestedTooDeepIsRefusedBeforeItIsParsed) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"flow collections", "name: deep\nversion: 1\ndescription: " + std::string(100'000, '[') + std::string(100'000, ']') + "\n"},
      {"block sequences", "name: deep\nversion: 1\ndescription:\n" + [] {
         std::string text = "  ";
         for (int i = 0; i < 50'000; ++i) text += "- ";
         return text + "x\n";
       }()},
  };
  for (const auto& [what, yaml] : cases) {
    SCOPED_TRACE(what);
    const HttpAnswer answer = http_post(*node, "/v1/definitions", yaml, "application/yaml");
    EXPECT_EQ(answer.status, 400);
    EXPECT_TRUE(contains(answer.body.dump(), "yaml_nesting_max")) << answer.body.dump().substr(0, 400);
    expect_intact();
  }
}

TEST_F(HostileInput, NamesOutsideTheGrammarAreRefusedAndNothingIsWrittenOutsideTheWorkflowsDir) {
  const std::string step = "\nversion: 1\nsteps:\n  - step: a\n    handler: inventory.reserve\n";
  struct Case {
    std::string what, yaml, part;
  };
  const std::vector<Case> cases{
      {"a definition name climbing out", "name: ../escape" + step, "definition name '../escape'"},
      {"a definition name with a slash", "name: sub/dir" + step, "definition name 'sub/dir'"},
      {"a hidden file", "name: .hidden" + step, "starts with '.'"},
      {"a 10,000-character step name",
       "name: long_step\nversion: 1\nsteps:\n  - step: " + std::string(10'000, 's') + "\n    handler: inventory.reserve\n",
       "more than name_bytes_max"},
      {"a signal name with a space",
       "name: bad_signal\nversion: 1\nsteps:\n  - wait: w\n    signal: 'two words'\n", "signal name 'two words'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const HttpAnswer answer = http_post(*node, "/v1/definitions", c.yaml, "application/yaml");
    EXPECT_EQ(answer.status, 400) << answer.body.dump().substr(0, 400);
    EXPECT_TRUE(contains(answer.body.dump(), c.part)) << answer.body.dump().substr(0, 400);
    EXPECT_TRUE(contains(answer.body.dump(), "[A-Za-z0-9_.-]")) << answer.body.dump().substr(0, 400);
    expect_intact();
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("escape-v1.yaml")));
  EXPECT_FALSE(std::filesystem::exists(dir.workflows_dir() + "/.hidden-v1.yaml"));
  EXPECT_FALSE(std::filesystem::exists(dir.workflows_dir() + "/sub"));

  expect_error(start_workflow(*node, "order_saga", std::string(300, 'w')), 400, "workflow_id_bytes_max");
  expect_error(start_workflow(*node, "order_saga", std::string("nul\x01id")), 400, "control character");
  expect_error(http_post(*node, "/v1/workflows/waiting-1/signals/" + std::string(10'000, 'n'), "{}"), 400,
               "name_bytes_max");
  expect_intact();
}

TEST_F(HostileInput, AmbiguousFramingIsRefusedWith400) {
  const std::string body = R"({"definition":"order_saga","id":"smuggled-1"})";
  const std::string length = std::to_string(body.size());
  struct Case {
    std::string what, headers, body, part;
  };
  const std::vector<Case> cases{
      {"two different Content-Length headers", "Content-Length: " + length + "\r\nContent-Length: 5\r\n", body,
       "conflicting Content-Length"},
      {"Transfer-Encoding: xchunked", "Transfer-Encoding: xchunked\r\n", body, "Transfer-Encoding"},
      {"Content-Length and chunked", "Content-Length: " + length + "\r\nTransfer-Encoding: chunked\r\n",
       "5\r\n{\"a\":\r\n0\r\n\r\n", "both Content-Length and Transfer-Encoding"},
      {"whitespace before a header's colon", "Content-Length : " + length + "\r\n", body, "header name"},
      {"a folded header line", "Content-Length: " + length + "\r\nX-Note: a\r\n  folded\r\n", body, "folded"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    expect_raw(raw_exchange(node->port(), raw_post("/v1/workflows", c.body, c.headers)), 400, c.part);
    expect_intact();
  }
  // A well-framed chunked body is read.
  const RawAnswer ok = raw_exchange(
      node->port(), raw_post("/v1/workflows",
                             "10\r\n{\"definition\":\"o\r\n" + [&] {
                               const std::string rest = R"(rder_saga","id":"chunked-1"})";
                               char size[16];
                               std::snprintf(size, sizeof size, "%zx", rest.size());
                               return std::string(size) + "\r\n" + rest + "\r\n0\r\n\r\n";
                             }(),
                             "Transfer-Encoding: chunked\r\n"));
  EXPECT_EQ(ok.status, 201) << ok.bytes;
}

TEST_F(HostileInput, AMegabyteHeaderGets431NamingTheLimit) {
  const std::string header = "X-Big: " + std::string(1 << 20, 'h') + "\r\n";
  expect_raw(raw_exchange(node->port(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + header + "\r\n"), 431,
             "header_bytes_max");
  expect_intact();
}

TEST_F(HostileInput, BodiesOfTheWrongMediaTypeAreRefusedWith415) {
  const std::string body = R"({"definition":"order_saga","id":"plain-1"})";
  expect_error(http_post(*node, "/v1/workflows", body, "text/plain"), 415, "application/json");
  expect_error(http_post(*node, "/v1/workflows/waiting-1/cancel", "{}", "application/x-www-form-urlencoded"), 415,
               "application/json");
  expect_error(http_post(*node, "/v1/definitions", "name: x\n", "text/plain"), 415, "application/yaml");
  expect_intact();
  EXPECT_EQ(http_post(*node, "/v1/workflows", body, "application/json; charset=utf-8").status, 201);
}

TEST_F(HostileInput, CrossSiteStateChangesAreRefusedWith403) {
  const std::string body = R"({"definition":"order_saga","id":"cross-1"})";
  const std::string length = "Content-Length: " + std::to_string(body.size()) + "\r\n";
  expect_raw(raw_exchange(node->port(), raw_post("/v1/workflows", body, length + "Origin: http://evil.example\r\n")),
             403, "cross-site");
  expect_raw(raw_exchange(node->port(), raw_post("/v1/workflows", body, length + "Sec-Fetch-Site: cross-site\r\n")),
             403, "cross-site");
  expect_raw(raw_exchange(node->port(), raw_post("/v1/workflows/waiting-1/cancel", "{}",
                                                 "Content-Length: 2\r\nOrigin: null\r\n")),
             403, "cross-site");
  expect_intact();
  // The node's own page (same origin) may.
  const std::string own = "Origin: http://127.0.0.1\r\nSec-Fetch-Site: same-origin\r\n";
  EXPECT_EQ(raw_exchange(node->port(), raw_post("/v1/workflows", body, length + own)).status, 201);
}

TEST_F(HostileInput, AClientIsServedWhileAThousandIdleConnectionsAreHeld) {
  raise_open_file_limit(4096);
  std::vector<int> idle;
  for (int i = 0; i < 1'000; ++i) {
    const int fd = connect_to(node->port());
    ASSERT_GE(fd, 0) << "connection " << i;
    idle.push_back(fd);
  }
  // Half of them send part of a head and stop: slow clients.
  for (size_t i = 0; i < idle.size(); i += 2) send_all(idle[i], "POST /v1/workflows HTTP/1.1\r\nHost: x\r\n");
  for (int i = 0; i < 4; ++i) {
    const HttpAnswer started = start_workflow(*node, "order_saga", "amid-idle-" + std::to_string(i));
    EXPECT_EQ(started.status, 201) << started.body.dump();
  }
  for (int fd : idle) ::close(fd);
  EXPECT_EQ(http_get(*node, "/healthz").status, 200);
}

TEST_F(HostileInput, SlowHeadsAreCutOffAndConnectionsBeyondTheCapGet503) {
  NodeSetup setup = dir.setup();
  setup.http_yaml = "  header_timeout: 300ms\n  connections_max: 20\n";
  start_node(setup);
  // A head trickling in is answered 408 once header_timeout passed (the read is bounded by the
  // socket's timeout, far longer).
  const int slow = connect_to(node->port());
  ASSERT_GE(slow, 0);
  send_all(slow, "GET /healthz HTTP/1.1\r\nHost:");
  const RawAnswer cut = parse_raw(read_to_end(slow));
  ::close(slow);
  expect_raw(cut, 408, "header_timeout");

  // 20 connections, each answered once and kept alive: the node holds all 20.
  std::vector<int> held;
  for (int i = 0; i < 20; ++i) {
    held.push_back(connect_to(node->port()));
    ASSERT_GE(held.back(), 0);
    ASSERT_TRUE(send_all(held.back(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(read_one_reply(held.back()).status, 200);
  }
  expect_raw(raw_exchange(node->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), 503, "http.connections_max");
  for (int fd : held) ::close(fd);
  // The node frees a slot when it reads each close, after this thread made it.
  ASSERT_TRUE(eventually([&] { return http_get(*node, "/healthz").status == 200; }, std::chrono::seconds(10)))
      << "the closed connections were never released";
  expect_intact();
}
