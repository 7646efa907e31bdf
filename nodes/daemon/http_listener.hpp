#pragma once
// The node's HTTP server: binds its address first (so a port in use stops the node before it
// recovers any workflow), then serves until stopped.
//
// One thread waits on every connection (epoll) and reads each request's head and body there,
// within the limits of HttpServerOptions (actorflow/limits.hpp): an idle, slow or silent
// connection costs a buffer, never a thread, so ordinary clients are served while thousands are
// held open. Only complete requests go to the worker threads, which call the handler; the
// replies are written back by the waiting thread.
//   - the head must arrive within header_timeout of its first byte, the body within
//     body_timeout of the head (else 408 and the connection is closed);
//   - an idle connection is closed after keep_alive_timeout, and after keep_alive_requests_max
//     requests (the last reply says Connection: close);
//   - beyond connections_max open connections a new one gets 503 and is closed;
//   - beyond queue_max complete requests waiting for a worker a request gets 503;
//   - framing and size refusals (400, 413, 431, 505) come from HttpRequestReader.
// Every reply the server makes itself is JSON {"error": "..."} naming the limit.
#include "http_api.hpp"

#include <actorflow/clock.hpp>
#include <actorflow/limits.hpp>
#include <actorflow/status.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace actorflow::node {

struct HttpServerOptions {
  size_t header_bytes_max = limits::kHeaderBytesMax;             // http.header_bytes_max
  size_t body_bytes_max = limits::kBodyBytesMax;                 // http.body_bytes_max
  size_t connections_max = limits::kConnectionsMax;              // http.connections_max
  Millis header_timeout = limits::kHeaderTimeout;                // http.header_timeout
  Millis body_timeout = limits::kBodyTimeout;                    // http.body_timeout
  Millis keep_alive_timeout = limits::kKeepAliveTimeout;         // http.keep_alive_timeout
  size_t keep_alive_requests_max = limits::kKeepAliveRequestsMax;  // http.keep_alive_requests_max
  size_t workers = limits::kHttpWorkers;                         // http.workers
  size_t queue_max = limits::kHttpQueueMax;                      // http.queue_max
};

// Answers one complete request; called on a worker thread, concurrently. An exception becomes 500.
using HttpHandler = std::function<HttpReply(const HttpRequest&)>;

class HttpListener {
 public:
  HttpListener(HttpServerOptions options, HttpHandler handler);
  ~HttpListener();  // stops serving
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Binds `address` (host:port as http.listen takes it; port 0: any free port). Error: the
  // address does not parse or cannot be bound (in use, not local, no permission).
  Status bind(const std::string& address);
  // The bound address, host:port with the actual port (after bind()).
  const std::string& bound_address() const { return bound_address_; }

  // Serves on threads of its own; returns once it accepts connections. Raises the process's
  // open-file limit (soft, up to the hard one) to hold connections_max connections.
  void start();
  // False once serving ended (stop(), or the listening socket failed).
  bool serving() const { return serving_.load(); }
  // Stops accepting, closes idle connections, lets requests in progress finish (a few seconds at
  // most), joins the threads. Idempotent.
  void stop();

  struct Loop;  // the epoll loop and the workers (http_listener.cpp)

 private:
  HttpServerOptions options_;
  HttpHandler handler_;
  int listen_fd_ = -1;
  std::string bound_address_;
  std::unique_ptr<Loop> loop_;
  std::thread thread_;
  std::atomic<bool> serving_{false};
};

// The bytes of a reply: status line, Content-Type, Content-Length, its headers, body.
std::string render_reply(const HttpReply& reply, bool keep_alive);

}  // namespace actorflow::node
