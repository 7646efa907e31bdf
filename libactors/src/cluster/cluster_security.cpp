#include <actorflow/cluster_security.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>

namespace actorflow {
namespace {

std::string openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "no detail from OpenSSL" : text;
}

std::optional<std::string> unreadable(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status)) return "cannot read '" + path + "': no such file";
  if (!std::filesystem::is_regular_file(status)) return "'" + path + "' is not a file";
  return std::nullopt;
}

// Whether `cert` verifies against the CA store of `ctx` for `purpose` (X509_PURPOSE_SSL_*).
std::optional<std::string> verify_for(SSL_CTX* ctx, X509* cert, STACK_OF(X509) * chain, int purpose) {
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> verify(X509_STORE_CTX_new(), X509_STORE_CTX_free);
  if (!verify || X509_STORE_CTX_init(verify.get(), SSL_CTX_get_cert_store(ctx), cert, chain) != 1)
    return "cannot verify: " + openssl_errors();
  X509_STORE_CTX_set_purpose(verify.get(), purpose);
  if (X509_verify_cert(verify.get()) == 1) return std::nullopt;
  return std::string(X509_verify_cert_error_string(X509_STORE_CTX_get_error(verify.get())));
}

}  // namespace

std::optional<ClusterTlsProblem> check_cluster_tls(const ClusterTls& tls) {
  const std::pair<const char*, const std::string*> files[]{
      {"cert_file", &tls.cert_file}, {"key_file", &tls.key_file}, {"ca_file", &tls.ca_file}};
  for (const auto& [field, path] : files) {
    if (path->empty())
      return ClusterTlsProblem{field, "missing; expected cert_file, key_file and ca_file together (PEM files)"};
    if (auto problem = unreadable(*path)) return ClusterTlsProblem{field, *problem};
  }
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_method()), SSL_CTX_free);
  if (!ctx) return ClusterTlsProblem{"cert_file", "cannot create an OpenSSL context: " + openssl_errors()};
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), tls.cert_file.c_str()) != 1)
    return ClusterTlsProblem{"cert_file", "'" + tls.cert_file + "' is no PEM certificate (chain): " + openssl_errors()};
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return ClusterTlsProblem{"key_file", "'" + tls.key_file + "' is no unencrypted PEM private key: " + openssl_errors()};
  if (SSL_CTX_check_private_key(ctx.get()) != 1)
    return ClusterTlsProblem{"key_file", "'" + tls.key_file + "' is not the key of the certificate in '" + tls.cert_file +
                                             "': " + openssl_errors()};
  if (SSL_CTX_load_verify_locations(ctx.get(), tls.ca_file.c_str(), nullptr) != 1)
    return ClusterTlsProblem{"ca_file", "'" + tls.ca_file + "' holds no PEM CA certificate: " + openssl_errors()};
  X509* own = SSL_CTX_get0_certificate(ctx.get());
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(ctx.get(), &chain);
  for (const auto& [purpose, use] : {std::pair{X509_PURPOSE_SSL_SERVER, "server"}, std::pair{X509_PURPOSE_SSL_CLIENT, "client"}}) {
    if (auto refused = verify_for(ctx.get(), own, chain, purpose))
      return ClusterTlsProblem{"cert_file", "the certificate in '" + tls.cert_file + "' does not verify against '" +
                                                tls.ca_file + "' for TLS " + use + " use: " + *refused};
  }
  return std::nullopt;
}

bool is_loopback_host(const std::string& host) {
  std::string text = host;
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (text == "localhost") return true;
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6) != 0;
  return false;
}

}  // namespace actorflow
