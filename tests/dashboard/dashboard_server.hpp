#pragma once
// The node's HTTP API and the dashboard on one httplib::Server over an engine, listening on a
// free loopback port from a thread of its own until this object goes away.
#include "http_api.hpp"

#include <httplib.h>

#include <string>
#include <thread>

namespace actorflow::testing {

class DashboardServer {
 public:
  // `engine` (and `authorizer`, when given: API tokens) must outlive this object. Throws
  // std::runtime_error when the server cannot listen.
  explicit DashboardServer(Engine& engine, node::auth::Authorizer* authorizer = nullptr);
  ~DashboardServer();
  DashboardServer(const DashboardServer&) = delete;
  DashboardServer& operator=(const DashboardServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port>" + path_and_fragment.
  std::string url(const std::string& path_and_fragment) const;

 private:
  node::HttpApi api_;
  httplib::Server server_;
  int port_ = 0;
  std::thread serving_;
};

}  // namespace actorflow::testing
