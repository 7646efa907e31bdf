#include "node_runtime.hpp"

#include "auth/authorizer.hpp"
#include "auth/http_tls.hpp"
#include "dashboard.hpp"
#include "http_api.hpp"
#include "http_listener.hpp"
#include "tls_http_listener.hpp"
#include "node_config.hpp"
#include "node_logging.hpp"
#include "plugin_loader.hpp"
#include "shutdown_signals.hpp"
#include "workflow_registration.hpp"

#include <actorflow/bounded_parse.hpp>
#include <actorflow/actorflow.hpp>
#include <actorflow/logging.hpp>
#include <actorflow/store.hpp>
#include <actorflow/version.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace actorflow::node {
namespace {

constexpr Millis kSignalPoll{250};  // how often the waiting thread checks that the server still serves

int refuse(const std::vector<std::string>& problems, const std::string& what) {
  for (const auto& p : problems) std::cerr << p << "\n";
  std::cerr << "actorflow-node: " << problems.size() << (problems.size() == 1 ? " problem" : " problems") << " in "
            << what << "; not started\n";
  return kExitInvalid;
}

int fail(const std::string& message) {
  std::cerr << "actorflow-node: " << message << "\n";
  log_json(spdlog::level::err, {{"event", "node_failed"}, {"error", message}});
  return kExitFailure;
}

Json plugin_paths(const std::vector<LoadedPlugin>& plugins) {
  Json paths = Json::array();
  for (const auto& p : plugins) paths.push_back(p.path);
  return paths;
}

HttpServerOptions http_server_options(const NodeConfig& config) {
  HttpServerOptions options;
  options.header_bytes_max = static_cast<size_t>(config.http_header_bytes_max);
  options.body_bytes_max = static_cast<size_t>(config.http_body_bytes_max);
  options.connections_max = static_cast<size_t>(config.http_connections_max);
  options.header_timeout = config.http_header_timeout;
  options.body_timeout = config.http_body_timeout;
  options.keep_alive_timeout = config.http_keep_alive_timeout;
  options.keep_alive_requests_max = static_cast<size_t>(config.http_keep_alive_requests_max);
  options.workers = static_cast<size_t>(config.http_workers);
  options.queue_max = static_cast<size_t>(config.http_queue_max);
  return options;
}

const char* signal_name(int signal) { return signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal"; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

// The API tokens and the TLS certificates: read at start, read again on SIGHUP.
struct Security {
  explicit Security(const NodeConfig& config)
      : authorizer(auth::AuthSettings{config.auth_tokens_file, config.auth_open_routes, config.auth_failed_attempts_max,
                                      config.auth_failed_attempts_window}) {
    if (!config.http_tls_cert_file.empty())
      tls = std::make_unique<auth::HttpTls>(
          auth::HttpTlsFiles{config.http_tls_cert_file, config.http_tls_key_file, config.http_tls_client_ca_file});
  }

  // Reads the files; the problems (empty: all read).
  std::vector<std::string> load() {
    std::vector<std::string> problems, warnings;
    if (const Status read = authorizer.load(&warnings); !read)
      for (auto& line : lines_of(read.message())) problems.push_back("auth.tokens_file: " + line);
    for (const auto& w : warnings) log_json(spdlog::level::warn, {{"event", "tokens_file_exposed"}, {"problem", w}});
    if (tls)
      if (const Status read = tls->reload(); !read) problems.push_back(read.message());
    return problems;
  }

  // SIGHUP: what can be read replaces what was in force; what cannot keeps the old.
  void reload() {
    const std::vector<std::string> problems = load();
    Json line{{"event", problems.empty() ? "security_reloaded" : "security_reload_failed"},
              {"tokens", authorizer.token_count()},
              {"tls", tls != nullptr}};
    if (!problems.empty()) line["problems"] = problems;
    log_json(problems.empty() ? spdlog::level::info : spdlog::level::err, line);
  }

  auth::Authorizer authorizer;
  std::unique_ptr<auth::HttpTls> tls;
};

// The engine and what was loaded into it, or the exit code of a refused start.
struct Loaded {
  std::unique_ptr<Engine> engine;
  std::vector<LoadedPlugin> plugins;
  std::vector<std::string> definitions;
  // The step workers of plugins with isolation: process; declared after the engine, so they are
  // stopped and reaped before it goes (its handlers hold only weak pointers to them).
  std::shared_ptr<isolation::IsolatedPlugins> isolated = std::make_shared<isolation::IsolatedPlugins>();
};

// Engine, plugins, workflows: everything --check checks. `store` decides where workflows live.
std::optional<int> load(const NodeConfig& config, std::shared_ptr<Store> store, Loaded& out) {
  EngineOptions options = engine_options(config, store);
  // A step that outlives its timeout: the isolated plugin whose worker runs it kills that worker.
  options.on_step_timed_out = [weak = std::weak_ptr<isolation::IsolatedPlugins>(out.isolated)](
                                  const std::string& workflow_id, const std::string& step_path, int attempt,
                                  bool compensation) {
    if (auto isolated = weak.lock()) isolated->step_timed_out(workflow_id, step_path, attempt, compensation);
  };
  out.engine = std::make_unique<Engine>(std::move(options));
  IsolationSettings isolation_settings{store,
                              {"--node-id", config.node_id, "--log-level", config.log_level, "--json-depth-max",
                               std::to_string(config.json_depth_max)},
                              out.isolated.get()};
  PluginLoadResult plugins = load_plugins(*out.engine, config.plugins, config.node_id, isolation_settings);
  if (!plugins.problems.empty()) return refuse(plugins.problems, "node.plugins");
  out.plugins = std::move(plugins.loaded);
  WorkflowRegistration workflows = register_workflow_dir(*out.engine, config.workflows_dir);
  if (!workflows.problems.empty()) return refuse(workflows.problems, "the workflow definitions");
  out.definitions = std::move(workflows.registered);
  return std::nullopt;
}

// Serves until SIGTERM/SIGINT (or until the server fails); then drains and stops.
template <class Listener>
int serve(const NodeConfig& config, Loaded& loaded, Listener& listener, Security& security) {
  Engine& engine = *loaded.engine;
  engine.set_http_address(listener.bound_address());
  const int recovered = engine.recover();
  listener.start();
  Json started{{"event", "node_started"},
               {"node_id", config.node_id},
               {"version", version()},
               {"git_revision", git_revision()},
               {"store", config.store},
               {"listen", listener.bound_address()},
               {"plugins", plugin_paths(loaded.plugins)},
               {"definitions", loaded.definitions},
               {"workflows_recovered", recovered},
               {"auth", security.authorizer.enabled()},
               {"tls", security.tls != nullptr}};
  if (config.cluster_enabled) {
    const ClusterStatus cluster = engine.cluster_status();
    started["cluster_port"] = engine.cluster_port();
    started["shards_owned"] = cluster.owned;
    started["members"] = cluster.members.size();
  }
  log_json(spdlog::level::info, started);

  std::optional<int> signal;
  while (!signal && listener.serving()) {
    signal = wait_shutdown_signal(kSignalPoll);
    if (signal == SIGHUP) {
      security.reload();
      signal.reset();
    }
  }
  const bool server_failed = !signal;
  if (server_failed) log_json(spdlog::level::err, {{"event", "http_server_failed"}, {"listen", listener.bound_address()}});
  else log_json(spdlog::level::info, {{"event", "node_stopping"}, {"signal", signal_name(*signal)}});

  // The API stays up while the engine drains: reads are answered, writes get 503.
  const Engine::DrainReport drained = engine.drain(config.drain_timeout);
  log_json(spdlog::level::info, {{"event", "node_drained"},
                                 {"complete", drained.complete},
                                 {"steps_abandoned", drained.steps_abandoned},
                                 {"waited_ms", drained.waited_ms},
                                 {"drain_timeout_ms", config.drain_timeout.count()}});
  listener.stop();
  loaded.isolated->stop();  // the step workers of isolated plugins: stopped and reaped
  if (drained.steps_abandoned > 0) {
    // Destroying the engine would wait for the handlers still running (a thread cannot be
    // interrupted), past the deadline. Leave them: the next recover() dispatches their steps again
    // with the same idempotency keys, as after a crash.
    log_json(spdlog::level::warn, {{"event", "node_stopped"},
                                   {"node_id", config.node_id},
                                   {"steps_abandoned", drained.steps_abandoned}});
    std::fflush(nullptr);
    std::_Exit(server_failed ? kExitFailure : kExitOk);
  }
  loaded.engine.reset();
  log_json(spdlog::level::info, {{"event", "node_stopped"}, {"node_id", config.node_id}});
  return server_failed ? kExitFailure : kExitOk;
}

// Binds the listener's address (a port in use stops the node before it serves), then serves.
template <class Listener>
int listen_and_serve(const NodeConfig& config, Loaded& loaded, Listener& listener, Security& security) {
  if (const Status bound = listener.bind(config.http_listen); !bound) return fail(bound.message());
  log_json(spdlog::level::info, {{"event", "node_listening"}, {"address", listener.bound_address()},
                                 {"tls", security.tls != nullptr}});
  if (!security.authorizer.enabled() && config.http_allow_unauthenticated)
    log_json(spdlog::level::warn, {{"event", "http_unauthenticated"},
                                   {"listen", listener.bound_address()},
                                   {"warning", "http.allow_unauthenticated: anyone who reaches this address may call "
                                               "every route of the API; set auth.tokens_file"}});
  return serve(config, loaded, listener, security);
}

int run(const NodeArgs& args) {
  const NodeConfigResult read = load_node_config_file(args.config_path);
  if (!read.config) return refuse(read.problems, args.config_path);
  const NodeConfig& config = *read.config;
  if (const auto tls = cluster_tls_problems(config); !tls.empty()) return refuse(tls, args.config_path);
  configure_logging(config);
  set_json_depth_max(static_cast<size_t>(config.json_depth_max));  // before any JSON is read

  Security security(config);
  if (const auto problems = security.load(); !problems.empty()) return refuse(problems, args.config_path);

  if (args.check_only) {
    Loaded loaded;
    if (const auto refused = load(config, make_memory_store(), loaded)) return *refused;
    std::cout << args.config_path << ": ok: " << loaded.plugins.size() << " plugin(s), "
              << loaded.definitions.size() << " workflow definition(s)\n";
    return kExitOk;
  }

  std::shared_ptr<Store> store;
  try {
    store = open_store(config.store, store_settings(config));
  } catch (const std::exception& e) {
    return fail("cannot open the store '" + config.store + "': " + e.what());
  }
  Loaded loaded;
  if (const auto refused = load(config, store, loaded)) return *refused;
  HttpApiOptions api_options;
  api_options.node_id = config.node_id;
  api_options.definitions_dir = config.workflows_dir;  // deployed definitions load again at restart
  api_options.authorizer = &security.authorizer;
  api_options.body_bytes_max = static_cast<size_t>(config.http_body_bytes_max);
  const HttpApi api(*loaded.engine, api_options);
  // Declared last: the listener stops serving before the API and the engine go. HTTPS is served
  // by cpp-httplib's SSLServer (certificates swapped on SIGHUP); plain HTTP by the epoll server,
  // which holds thousands of idle or slow connections without a thread each.
  if (security.tls) {
    TlsHttpListener listener(security.tls.get());
    api.bind(listener.server());
    bind_dashboard(listener.server());
    return listen_and_serve(config, loaded, listener, security);
  }
  HttpListener listener(http_server_options(config), [&api](const HttpRequest& request) {
    if (auto page = dashboard_reply(request.method, request.target)) return *page;
    return api.handle(request);
  });
  return listen_and_serve(config, loaded, listener, security);
}


}  // namespace

int run_node(const NodeArgs& args) {
  try {
    return run(args);
  } catch (const StoreUnavailable& e) {
    return fail(std::string("the store is unavailable: ") + e.what());
  } catch (const std::exception& e) {
    return fail(std::string("stopped by an unexpected error: ") + e.what());
  }
}

}  // namespace actorflow::node
