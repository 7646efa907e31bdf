#include "node_process.hpp"

#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace actorflow::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStartLimit = std::chrono::seconds(20);
constexpr auto kPoll = std::chrono::milliseconds(10);

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Starts `program` with `args`, stdout and stderr going to `log_path`, in `cwd` (empty: here).
pid_t spawn_logged(const std::string& program, const std::vector<std::string>& args, const std::string& log_path,
                   const std::string& cwd) {
  std::vector<std::string> owned{program};
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : owned) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  pid_t pid = -1;
  const int error = posix_spawn(&pid, owned[0].c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw std::runtime_error("cannot start " + owned[0]);
  return pid;
}

bool exited(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == pid;
}

// The port of the log's node_listening line ({"address":"127.0.0.1:<port>",...,"event":"node_listening"}).
std::optional<int> listening_port(const std::string& log) {
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(R"("event":"node_listening")") == std::string::npos) continue;
    const auto brace = line.find('{');
    if (brace == std::string::npos) continue;
    const Json fields = Json::parse(line.substr(brace), nullptr, false);
    if (!fields.is_object() || !fields.contains("address")) continue;
    const std::string address = fields["address"].get<std::string>();
    return std::stoi(address.substr(address.rfind(':') + 1));
  }
  return std::nullopt;
}

HttpAnswer answer_of(const httplib::Result& result) {
  HttpAnswer answer;
  if (!result) return answer;
  answer.status = result->status;
  answer.content_type = result->get_header_value("Content-Type");
  answer.body = Json::parse(result->body, nullptr, false);
  if (answer.body.is_discarded()) answer.body = result->body;
  return answer;
}

std::string encode_segment(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789ABCDEF";
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string node_program() { return ACTORFLOW_NODE_PROGRAM; }
std::string example_plugin() { return ACTORFLOW_EXAMPLE_PLUGIN; }
std::string example_workflows_dir() { return ACTORFLOW_EXAMPLE_WORKFLOWS_DIR; }

std::string NodeSetup::to_yaml() const {
  std::ostringstream yaml;
  yaml << "node:\n"
       << "  id: " << node_id << "\n"
       << "  workflows_dir: '" << workflows_dir << "'\n"
       << "  drain_timeout: " << drain_timeout << "\n"
       << "  plugins:";
  if (plugins.empty() && plugins_yaml.empty()) yaml << " []";
  yaml << "\n";
  for (const auto& p : plugins) yaml << "    - '" << p << "'\n";
  yaml << plugins_yaml;
  yaml << "http:\n  listen: " << http_listen << "\n" << http_yaml;
  if (!cluster_yaml.empty()) yaml << "cluster:\n" << cluster_yaml;
  if (store_yaml.empty()) yaml << "store: '" << store << "'\n";
  else yaml << "store:\n  spec: '" << store << "'\n" << store_yaml;
  yaml << "defaults:\n" << defaults_yaml
       << "engine:\n  step_workers: " << step_workers << "\n  wake_poll_interval: 100ms\n"
       << "log:\n  level: info\n  format: json\n"
       << extra_yaml;
  return yaml.str();
}

NodeDir::NodeDir() {
  std::string pattern = "/tmp/actorflow-node-test-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = pattern;
  std::filesystem::create_directory(workflows_dir());
  for (const auto& entry : std::filesystem::directory_iterator(example_workflows_dir()))
    if (entry.path().extension() == ".yaml")
      std::filesystem::copy_file(entry.path(), std::filesystem::path(workflows_dir()) / entry.path().filename());
}

NodeDir::~NodeDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

NodeSetup NodeDir::setup() const {
  NodeSetup setup;
  setup.workflows_dir = workflows_dir();
  setup.store = "sqlite:" + store_path();
  return setup;
}

std::string NodeDir::write(const std::string& name, const std::string& text) const {
  const std::string path = file(name);
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::shared_ptr<Store> NodeDir::open_store() const { return make_sqlite_store(store_path()); }

ProgramRun run_node_program(const std::vector<std::string>& args, const std::string& cwd,
                            std::chrono::milliseconds limit) {
  return run_program(node_program(), args, cwd, limit);
}

ProgramRun run_program(const std::string& program, const std::vector<std::string>& args, const std::string& cwd,
                       std::chrono::milliseconds limit) {
  char log_pattern[] = "/tmp/actorflow-node-run-XXXXXX";
  const int fd = mkstemp(log_pattern);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  ProgramRun run;
  const pid_t pid = spawn_logged(program, args, log_pattern, cwd);
  run.exit_code = testing::wait_exit(pid, limit);
  run.output = read_file(log_pattern);
  std::filesystem::remove(log_pattern);
  return run;
}

NodeProcess::NodeProcess(const NodeDir& dir, const NodeSetup& setup, const std::string& config_name)
    : client_ca_file_(setup.client_ca_file),
      client_token_(setup.client_token),
      client_cert_file_(setup.client_cert_file),
      client_key_file_(setup.client_key_file) {
  const std::string config = dir.write(config_name, setup.to_yaml());
  log_path_ = config + ".log";
  std::filesystem::remove(log_path_);
  pid_ = spawn_logged(setup.program.empty() ? node_program() : setup.program, {"--config", config}, log_path_, "");
  const auto deadline = Clock::now() + kStartLimit;
  while (Clock::now() < deadline) {
    if (const auto port = listening_port(log())) {
      port_ = *port;
      break;
    }
    if (exited(pid_)) {
      pid_ = -1;
      throw std::runtime_error("actorflow-node exited at start:\n" + log());
    }
    std::this_thread::sleep_for(kPoll);
  }
  while (port_ != 0 && Clock::now() < deadline) {
    if (http_get(*this, "/healthz").status == 200) return;
    std::this_thread::sleep_for(kPoll);
  }
  throw std::runtime_error("actorflow-node did not answer /healthz in time:\n" + log());
}

NodeProcess::~NodeProcess() {
  if (pid_ > 0) testing::kill9(pid_);
}

std::unique_ptr<httplib::Client> NodeProcess::client(const std::string& token) const {
  const std::string scheme = client_ca_file_.empty() ? "http://" : "https://";
  const std::string address = scheme + "127.0.0.1:" + std::to_string(port_);
  auto client = client_cert_file_.empty()
                    ? std::make_unique<httplib::Client>(address)
                    : std::make_unique<httplib::Client>(address, client_cert_file_, client_key_file_);
  if (!client_ca_file_.empty()) client->set_ca_cert_path(client_ca_file_.c_str());
  const std::string& bearer = token.empty() ? client_token_ : token;
  if (!bearer.empty()) client->set_bearer_token_auth(bearer.c_str());
  client->set_connection_timeout(std::chrono::seconds(5));
  client->set_read_timeout(std::chrono::seconds(30));
  return client;
}

std::string NodeProcess::log() const { return read_file(log_path_); }

bool NodeProcess::wait_for_event(const std::string& event, std::chrono::milliseconds limit) const {
  const std::string needle = "\"event\":\"" + event + "\"";
  const auto deadline = Clock::now() + limit;
  while (true) {
    if (log().find(needle) != std::string::npos) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPoll);
  }
}

bool NodeProcess::has_exited() {
  if (pid_ <= 0) return true;
  if (!exited(pid_)) return false;
  pid_ = -1;
  return true;
}

void NodeProcess::signal_stop(bool interrupt) const {
  if (pid_ > 0) kill(pid_, interrupt ? SIGINT : SIGTERM);
}

int NodeProcess::wait_exit(std::chrono::milliseconds limit) {
  if (pid_ <= 0) return -1;
  const int code = testing::wait_exit(pid_, limit);
  pid_ = -1;
  return code;
}

int NodeProcess::stop(std::chrono::milliseconds limit) {
  signal_stop();
  return wait_exit(limit);
}

void NodeProcess::kill9() {
  if (pid_ > 0) testing::kill9(pid_);
  pid_ = -1;
}

void NodeProcess::pause() const {
  if (pid_ > 0) kill(pid_, SIGSTOP);
}

void NodeProcess::resume() const {
  if (pid_ > 0) kill(pid_, SIGCONT);
}

HttpAnswer http_get(const NodeProcess& node, const std::string& path) { return answer_of(node.client()->Get(path)); }

HttpAnswer http_post(const NodeProcess& node, const std::string& path, const std::string& body,
                     const std::string& content_type) {
  return answer_of(node.client()->Post(path, body, content_type));
}

HttpAnswer http_request(const NodeProcess& node, const std::string& method, const std::string& path,
                        const std::string& body) {
  auto client = node.client();
  if (method == "GET") return answer_of(client->Get(path));
  if (method == "POST") return answer_of(client->Post(path, body, "application/json"));
  if (method == "PUT") return answer_of(client->Put(path, body, "application/json"));
  if (method == "DELETE") return answer_of(client->Delete(path));
  if (method == "PATCH") return answer_of(client->Patch(path, body, "application/json"));
  throw std::invalid_argument("http_request: method " + method);
}

HttpAnswer start_workflow(const NodeProcess& node, const std::string& definition, const std::string& id,
                          const Json& input) {
  return http_post(node, "/v1/workflows", Json{{"definition", definition}, {"id", id}, {"input", input}}.dump());
}

Json wait_for_status(const NodeProcess& node, const std::string& id, const std::vector<std::string>& statuses,
                     std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  Json last;
  while (true) {
    const HttpAnswer answer = http_get(node, "/v1/workflows/" + encode_segment(id));
    last = answer.body;
    if (answer.status == 200 && last.is_object()) {
      const std::string status = last.value("status", "");
      for (const auto& s : statuses)
        if (status == s) return last;
    }
    if (Clock::now() >= deadline) return last;
    std::this_thread::sleep_for(kPoll);
  }
}

std::vector<Json> history(const NodeProcess& node, const std::string& id) {
  const HttpAnswer answer = http_get(node, "/v1/workflows/" + encode_segment(id) + "/history");
  if (answer.status != 200 || !answer.body.contains("events")) return {};
  return answer.body["events"].get<std::vector<Json>>();
}

bool wait_for_history_event(const NodeProcess& node, const std::string& id, const std::string& type,
                            std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    for (const auto& e : history(node, id))
      if (e.value("type", "") == type) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

RecordedEffects recorded_effects(Store& store, const std::string& workflow_id) {
  RecordedEffects recorded;
  recorded.results = Json::object();
  const std::string scope = workflow_id.empty() ? "" : workflow_id + "/";
  for (const auto& [key, value] : store.ledger_scan("effect/" + scope)) {
    const Json record = Json::parse(value);
    const std::string idempotency_key = key.substr(std::string("effect/").size());
    recorded.effects[idempotency_key] = record.at("handler").get<std::string>();
    recorded.results[idempotency_key] = record.at("result");
  }
  for (const auto& [key, value] : store.ledger_scan("run/" + scope)) {
    const std::string rest = key.substr(std::string("run/").size());
    ++recorded.runs[rest.substr(0, rest.rfind('/'))];
  }
  for (const auto& [key, value] : store.ledger_scan("attempt/" + scope)) {
    const std::string rest = key.substr(std::string("attempt/").size());
    ++recorded.attempts[rest.substr(0, rest.rfind('/'))];
  }
  return recorded;
}

}  // namespace actorflow::testing
