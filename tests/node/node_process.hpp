#pragma once
// Tests of the real node program: writes a node config into a temp dir, starts `actorflow-node`
// on a free loopback port (http.listen 127.0.0.1:0, the bound port read from its node_listening
// log line), talks to it over HTTP and stops it with SIGTERM.
#include <actorflow/json.hpp>
#include <actorflow/store.hpp>

#include <httplib.h>

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace actorflow::testing {

// Paths the build gives the tests (compile definitions).
std::string node_program();    // actorflow-node
std::string example_plugin();  // liborder_saga_handlers.so
std::string example_workflows_dir();  // config/workflows of the source tree

// What a node's config says; to_yaml() writes it.
struct NodeSetup {
  std::string program;  // the node program to start; empty: node_program() (the build's)
  std::string node_id = "test-node";
  std::string workflows_dir;              // required
  std::string store;                      // required: e.g. "sqlite:/tmp/.../node.db"
  std::string store_yaml;                 // more lines of the store: map (indented), e.g. "  durability: process\n"
  std::vector<std::string> plugins = {example_plugin()};
  // More entries of node.plugins after `plugins`, as YAML lines (indented four), e.g. the map form
  // "    - {path: '/x/libp.so', isolation: process, workers: 2}\n".
  std::string plugins_yaml;
  std::string drain_timeout = "10s";
  int step_workers = 4;
  // Retries are quick, so that tests of failure do not wait for backoffs.
  std::string defaults_yaml = "  retries_max: 2\n  retry_backoff_initial: 10ms\n  retry_backoff_max: 50ms\n";
  std::string cluster_yaml;  // the lines of the cluster: section (indented), empty: none
  std::string http_yaml;     // more lines of the http: section (indented), e.g. "  header_timeout: 1s\n"
  std::string extra_yaml;    // more top-level lines, e.g. "chaos: '/tmp/x/chaos.yaml'\n"
  std::string http_listen = "127.0.0.1:0";  // http.listen (the test's client always connects to 127.0.0.1)
  // How the test's own client talks to the node (the helpers below and the start-up /healthz):
  std::string client_ca_file;  // set: HTTPS, trusting this CA (the node has http.tls)
  std::string client_token;    // set: sent as "Authorization: Bearer <token>"
  std::string client_cert_file;  // set (with client_key_file): HTTPS with this client certificate
  std::string client_key_file;

  std::string to_yaml() const;
};

// A temp dir holding a node's config, its SQLite store and its workflow definitions (a copy of
// config/workflows, to which tests add files).
class NodeDir {
 public:
  NodeDir();
  ~NodeDir();
  NodeDir(const NodeDir&) = delete;
  NodeDir& operator=(const NodeDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string workflows_dir() const { return file("workflows"); }
  std::string store_path() const { return file("node.db"); }
  // A setup using this dir's workflows and SQLite store.
  NodeSetup setup() const;
  // Writes `text` to `name` (relative to the dir); returns its path.
  std::string write(const std::string& name, const std::string& text) const;
  // Opens the node's SQLite store (for reading what the node left, after it stopped).
  std::shared_ptr<Store> open_store() const;

 private:
  std::string path_;
};

// What a program run to its end printed and returned.
struct ProgramRun {
  int exit_code = -1;  // -1: it did not end in time (it was killed)
  std::string output;  // stdout and stderr together
};

// Runs `program` with `args` in `cwd` (empty: the test's) until it exits (bounded).
ProgramRun run_program(const std::string& program, const std::vector<std::string>& args, const std::string& cwd = "",
                       std::chrono::milliseconds limit = std::chrono::seconds(30));
// run_program(node_program(), ...)
ProgramRun run_node_program(const std::vector<std::string>& args, const std::string& cwd = "",
                            std::chrono::milliseconds limit = std::chrono::seconds(30));

// One running node. The destructor kills it (SIGKILL) if a test left it running.
class NodeProcess {
 public:
  // Writes `setup` as <dir>/<config_name>, starts the node with its output in <dir>/<config_name>.log
  // and waits (bounded) until it listens and /healthz answers. Throws std::runtime_error with the
  // node's output when it exits or does not get there in time.
  NodeProcess(const NodeDir& dir, const NodeSetup& setup, const std::string& config_name = "node.yaml");
  ~NodeProcess();
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // A client as the setup says (HTTPS with client_ca_file, Bearer client_token); `token` overrides
  // client_token (empty: the setup's).
  std::unique_ptr<httplib::Client> client(const std::string& token = "") const;
  // The node's output so far.
  std::string log() const;
  // True when a log line has `"event":"<event>"` (waits at most `limit` for it).
  bool wait_for_event(const std::string& event, std::chrono::milliseconds limit) const;

  // Whether the process has ended by itself (reaped then); does not wait.
  bool has_exited();
  // Sends SIGTERM (SIGINT when `interrupt`) without waiting.
  void signal_stop(bool interrupt = false) const;
  // Waits (bounded) for the node to exit; its exit code, -1 when it did not exit in time.
  int wait_exit(std::chrono::milliseconds limit = std::chrono::seconds(30));
  // signal_stop() then wait_exit().
  int stop(std::chrono::milliseconds limit = std::chrono::seconds(30));
  // SIGKILL, reaped: the node is gone without a word.
  void kill9();
  // SIGSTOP / SIGCONT: the node hangs (its sockets stay open, nothing answers), then goes on.
  void pause() const;
  void resume() const;

 private:
  std::string log_path_;
  std::string client_ca_file_;
  std::string client_token_;
  std::string client_cert_file_;
  std::string client_key_file_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// ---- HTTP helpers over a running node ----

struct HttpAnswer {
  int status = 0;  // 0: no answer (connection failed)
  Json body;       // the parsed JSON body; a string holding the raw body when it is not JSON
  std::string content_type;
};

HttpAnswer http_get(const NodeProcess& node, const std::string& path);
HttpAnswer http_post(const NodeProcess& node, const std::string& path, const std::string& body,
                     const std::string& content_type = "application/json");
HttpAnswer http_request(const NodeProcess& node, const std::string& method, const std::string& path,
                        const std::string& body = "");

// POST /v1/workflows; the answer.
HttpAnswer start_workflow(const NodeProcess& node, const std::string& definition, const std::string& id,
                          const Json& input = Json::object());
// Polls GET /v1/workflows/{id} (bounded) until its status is one of `statuses`; the last answer's
// body (the test checks its status).
Json wait_for_status(const NodeProcess& node, const std::string& id, const std::vector<std::string>& statuses,
                     std::chrono::milliseconds limit = std::chrono::seconds(20));
// GET /v1/workflows/{id}/history: the events.
std::vector<Json> history(const NodeProcess& node, const std::string& id);
// Polls the history (bounded: there is no event to await across processes) until it holds an
// event of `type`.
bool wait_for_history_event(const NodeProcess& node, const std::string& id, const std::string& type,
                            std::chrono::milliseconds limit = std::chrono::seconds(20));

// ---- what the example plugin recorded (examples/order_saga_plugin/effect_recorder.hpp) ----

struct RecordedEffects {
  // handler by idempotency key ("<workflow>/<step>" or "<workflow>/<step>#compensate"); "voided":
  // an undo came before any attempt, and nothing holds
  std::map<std::string, std::string> effects;
  // how many times the effect under each idempotency key was applied
  std::map<std::string, int> runs;
  // how many times a handler was called for each idempotency key (more than once: the step ran
  // again after a failure, a crash or a move, and its service gave the first result)
  std::map<std::string, int> attempts;
  Json results;  // the "result" of each effect, by idempotency key
};
RecordedEffects recorded_effects(Store& store, const std::string& workflow_id = "");

}  // namespace actorflow::testing
