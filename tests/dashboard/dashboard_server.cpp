#include "dashboard_server.hpp"

#include "dashboard.hpp"

#include <chrono>
#include <stdexcept>

namespace actorflow::testing {

namespace {

node::HttpApiOptions options_with(node::auth::Authorizer* authorizer) {
  node::HttpApiOptions options;
  options.authorizer = authorizer;
  return options;
}

}  // namespace

DashboardServer::DashboardServer(Engine& engine, node::auth::Authorizer* authorizer)
    : api_(engine, options_with(authorizer)) {
  api_.bind(server_);
  node::bind_dashboard(server_);
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("the dashboard server could not bind a loopback port");
  serving_ = std::thread([this] { server_.listen_after_bind(); });
  // stop() before the accept loop runs would be lost (httplib 0.11 has no wait_until_ready).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  if (!server_.is_running()) {
    server_.stop();
    serving_.join();
    throw std::runtime_error("the dashboard server did not start listening within 10 s");
  }
}

DashboardServer::~DashboardServer() {
  server_.stop();
  if (serving_.joinable()) serving_.join();
}

std::string DashboardServer::url(const std::string& path_and_fragment) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path_and_fragment;
}

}  // namespace actorflow::testing
