#pragma once
// The node's HTTPS server (cpp-httplib SSLServer; the plain-HTTP server is http_listener.hpp): binds its address first (so a port in use stops the node before it
// recovers any workflow), then serves on a thread of its own until stopped. With TLS
// (auth/http_tls.hpp) it serves HTTPS only; a plain-HTTP request fails its handshake.
#include <actorflow/status.hpp>

#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace actorflow::node {
namespace auth {
class HttpTls;
}

class TlsHttpListener {
 public:
  // `tls` (null: plain HTTP) must outlive the listener.
  explicit TlsHttpListener(auth::HttpTls* tls = nullptr);
  ~TlsHttpListener();  // stops serving
  TlsHttpListener(const TlsHttpListener&) = delete;
  TlsHttpListener& operator=(const TlsHttpListener&) = delete;

  // Routes are added here before start().
  httplib::Server& server() { return *server_; }

  // Binds `address` (host:port as http.listen takes it; port 0: any free port). Error: the
  // address does not parse or cannot be bound (in use, not local, no permission).
  Status bind(const std::string& address);
  // The bound address, host:port with the actual port (after bind()).
  const std::string& bound_address() const { return bound_address_; }

  // Serves on a thread of its own; returns once it accepts connections.
  void start();
  // False once serving ended (stop(), or the listening socket failed).
  bool serving() const { return serving_.load(); }
  // Stops accepting, lets requests in progress finish, joins the thread. Idempotent.
  void stop();

 private:
  std::unique_ptr<httplib::Server> server_;
  std::string bound_address_;
  std::thread thread_;
  std::atomic<bool> serving_{false};
};

}  // namespace actorflow::node
