#pragma once
// TLS for the HTTP API (http.tls.*): the node's certificate and key (PEM; the certificate file may
// hold the chain after the leaf), optionally a CA whose certificates clients must present
// (client_ca_file). TLS 1.2 and newer only. The files are read at start (a problem refuses the
// start) and again by reload() (on SIGHUP): each new handshake takes what was loaded last, through
// a certificate callback on the server's SSL_CTX, so connections in progress are not disturbed and
// the listener keeps its port. A reload that fails keeps the previous certificates.
#include <actorflow/status.hpp>

#include <memory>
#include <mutex>
#include <string>

struct ssl_ctx_st;
struct ssl_st;

namespace actorflow::node::auth {

struct HttpTlsFiles {
  std::string cert_file;       // http.tls.cert_file
  std::string key_file;        // http.tls.key_file
  std::string client_ca_file;  // http.tls.client_ca_file; empty: no client certificates asked for
};

class HttpTls {
 public:
  explicit HttpTls(HttpTlsFiles files);
  ~HttpTls();
  HttpTls(const HttpTls&) = delete;
  HttpTls& operator=(const HttpTls&) = delete;

  // Reads the files; on a problem (naming the key and file) the certificates loaded before stay.
  Status reload();
  // Sets up a server SSL_CTX: TLS 1.2+, no compression or renegotiation, and the callback that
  // gives each handshake the current certificates. This object must outlive the context.
  bool configure(ssl_ctx_st& ctx);
  // Gives one handshake (`ssl`) the certificates loaded last; false when there are none.
  bool configure_handshake(ssl_st* ssl) const;

  struct Loaded;  // the certificate, its chain, the key and the client CA store (http_tls.cpp)

 private:
  std::shared_ptr<const Loaded> current() const;

  const HttpTlsFiles files_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Loaded> loaded_;
};

}  // namespace actorflow::node::auth
