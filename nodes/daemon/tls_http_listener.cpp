#include "tls_http_listener.hpp"
#include "listen_address.hpp"

#include "auth/http_tls.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace actorflow::node {
namespace {

constexpr time_t kKeepAliveSeconds = 2;  // an idle client connection delays stop() at most this long


std::unique_ptr<httplib::Server> make_server(auth::HttpTls* tls) {
  if (!tls) return std::make_unique<httplib::Server>();
  return std::make_unique<httplib::SSLServer>([tls](SSL_CTX& ctx) { return tls->configure(ctx); });
}

}  // namespace

TlsHttpListener::TlsHttpListener(auth::HttpTls* tls) : server_(make_server(tls)) {
  server_->set_keep_alive_timeout(kKeepAliveSeconds);
  // httplib's default sets SO_REUSEPORT, which lets a second node bind a port in use and take half
  // its connections. SO_REUSEADDR alone still allows a restart while old connections linger.
  // TCP_NODELAY (inherited by accepted connections): a reply is sent as two writes, head and body,
  // and Nagle's algorithm would hold the body until the client's delayed ACK, 40 ms on every
  // request of a kept-alive connection.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  });
}

TlsHttpListener::~TlsHttpListener() { stop(); }

Status TlsHttpListener::bind(const std::string& address) {
  const HostPort parsed = parse_address(address);
  if (parsed.port < 0) return Status::error("cannot listen on '" + address + "': expected host:port");
  if (!server_->is_valid()) return Status::error("cannot serve TLS on " + address + ": the TLS context could not be set up");
  errno = 0;
  int port = parsed.port;
  const bool bound = port == 0 ? (port = server_->bind_to_any_port(parsed.host)) > 0
                               : server_->bind_to_port(parsed.host, port);
  if (!bound) {
    const int error = errno;
    return Status::error("cannot listen on " + address + ": " +
                         (error != 0 ? std::strerror(error) : "the address cannot be bound"));
  }
  bound_address_ = parsed.shown + ":" + std::to_string(port);
  return Status::ok();
}

void TlsHttpListener::start() {
  serving_ = true;
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    serving_ = false;
  });
  // httplib's stop() does nothing before the accept loop runs: wait for it (it starts at once).
  while (serving_ && !server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void TlsHttpListener::stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

}  // namespace actorflow::node
