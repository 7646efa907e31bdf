#include "http_tls.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>

namespace actorflow::node::auth {

struct HttpTls::Loaded {
  X509* cert = nullptr;
  STACK_OF(X509)* chain = nullptr;
  EVP_PKEY* key = nullptr;
  X509_STORE* client_ca = nullptr;
  STACK_OF(X509_NAME)* client_ca_names = nullptr;

  Loaded() = default;
  Loaded(const Loaded&) = delete;
  Loaded& operator=(const Loaded&) = delete;
  ~Loaded() {
    X509_free(cert);
    sk_X509_pop_free(chain, X509_free);
    EVP_PKEY_free(key);
    X509_STORE_free(client_ca);
    sk_X509_NAME_pop_free(client_ca_names, X509_NAME_free);
  }
};

namespace {

// OpenSSL's queued errors as one text (and the queue emptied).
std::string openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "no details" : text;
}

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

Status read_certificates(const std::string& path, HttpTls::Loaded& out) {
  File file(std::fopen(path.c_str(), "r"));
  if (!file) return Status::error("http.tls.cert_file: cannot read " + path);
  out.cert = PEM_read_X509(file.get(), nullptr, nullptr, nullptr);
  if (!out.cert) return Status::error("http.tls.cert_file: " + path + " holds no PEM certificate (" + openssl_errors() + ")");
  out.chain = sk_X509_new_null();
  while (X509* next = PEM_read_X509(file.get(), nullptr, nullptr, nullptr)) sk_X509_push(out.chain, next);
  ERR_clear_error();  // the end of the file reads as an error
  return Status::ok();
}

Status read_key(const std::string& path, HttpTls::Loaded& out) {
  File file(std::fopen(path.c_str(), "r"));
  if (!file) return Status::error("http.tls.key_file: cannot read " + path);
  out.key = PEM_read_PrivateKey(file.get(), nullptr, nullptr, nullptr);
  if (!out.key)
    return Status::error("http.tls.key_file: " + path + " holds no unencrypted PEM private key (" + openssl_errors() + ")");
  if (X509_check_private_key(out.cert, out.key) != 1)
    return Status::error("http.tls.key_file: " + path + " is not the key of the certificate in http.tls.cert_file (" +
                         openssl_errors() + ")");
  return Status::ok();
}

Status read_client_ca(const std::string& path, HttpTls::Loaded& out) {
  out.client_ca = X509_STORE_new();
  if (X509_STORE_load_file(out.client_ca, path.c_str()) != 1)
    return Status::error("http.tls.client_ca_file: cannot load CA certificates from " + path + " (" + openssl_errors() +
                         ")");
  out.client_ca_names = SSL_load_client_CA_file(path.c_str());
  if (!out.client_ca_names)
    return Status::error("http.tls.client_ca_file: " + path + " holds no PEM certificate (" + openssl_errors() + ")");
  return Status::ok();
}

// Gives one handshake the certificates loaded last.
int select_certificates(SSL* ssl, void* arg) {
  auto* tls = static_cast<HttpTls*>(arg);
  return tls->configure_handshake(ssl) ? 1 : 0;
}

}  // namespace

HttpTls::HttpTls(HttpTlsFiles files) : files_(std::move(files)) {}
HttpTls::~HttpTls() = default;

Status HttpTls::reload() {
  auto loaded = std::make_shared<Loaded>();
  if (Status s = read_certificates(files_.cert_file, *loaded); !s) return s;
  if (Status s = read_key(files_.key_file, *loaded); !s) return s;
  if (!files_.client_ca_file.empty())
    if (Status s = read_client_ca(files_.client_ca_file, *loaded); !s) return s;
  std::lock_guard lock(mutex_);
  loaded_ = std::move(loaded);
  return Status::ok();
}

std::shared_ptr<const HttpTls::Loaded> HttpTls::current() const {
  std::lock_guard lock(mutex_);
  return loaded_;
}

bool HttpTls::configure(SSL_CTX& ctx) {
  if (!current()) return false;
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_cert_cb(&ctx, select_certificates, this);
  return true;
}

bool HttpTls::configure_handshake(SSL* ssl) const {
  const auto loaded = current();
  if (!loaded) return false;
  if (SSL_use_cert_and_key(ssl, loaded->cert, loaded->key, loaded->chain, 1) != 1) return false;
  if (loaded->client_ca) {
    SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    if (SSL_set1_verify_cert_store(ssl, loaded->client_ca) != 1) return false;
    STACK_OF(X509_NAME)* names = SSL_dup_CA_list(loaded->client_ca_names);
    if (!names) return false;
    SSL_set_client_CA_list(ssl, names);  // takes ownership
  }
  return true;
}

}  // namespace actorflow::node::auth
