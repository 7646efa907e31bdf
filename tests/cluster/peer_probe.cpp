#include "peer_probe.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace actorflow::testing {
namespace {

std::string openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text;
}

// A blocking loopback connection whose reads give up after `limit`; -1 when it cannot connect.
int connect_loopback(uint16_t port, std::chrono::milliseconds limit) {
  std::signal(SIGPIPE, SIG_IGN);  // a write to a connection the node closed must not end the test
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  timeval timeout{};
  timeout.tv_sec = static_cast<time_t>(limit.count() / 1000);
  timeout.tv_usec = static_cast<suseconds_t>((limit.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  return fd;
}

}  // namespace

int64_t resident_bytes_of(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    int64_t kib = -1;
    fields >> kib;
    return kib < 0 ? -1 : kib * 1024;
  }
  return -1;
}

std::string basp_header_announcing(uint32_t payload_bytes) {
  std::string header(32, '\0');
  header[0] = 0x01;  // client_handshake: valid with a payload and no operation data
  for (int i = 0; i < 4; ++i) header[4 + static_cast<size_t>(i)] = static_cast<char>((payload_bytes >> (24 - 8 * i)) & 0xff);
  return header;
}

ProbeResult probe_plain(uint16_t port, const std::string& bytes, std::chrono::milliseconds limit) {
  ProbeResult result;
  const int fd = connect_loopback(port, limit);
  if (fd < 0) {
    result.detail = std::string("connect: ") + std::strerror(errno);
    return result;
  }
  result.connected = true;
  if (::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) < 0) result.detail = std::string("send: ") + std::strerror(errno);
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      result.bytes_received += static_cast<size_t>(n);
      continue;
    }
    if (n == 0 || errno == ECONNRESET) result.closed_by_node = true;
    else result.detail += std::string(" recv: ") + std::strerror(errno);
    break;
  }
  ::close(fd);
  return result;
}

ProbeResult probe_tls(uint16_t port, const TlsIdentity& identity, const std::string& bytes,
                      std::chrono::milliseconds limit) {
  ProbeResult result;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  if (!identity.cert_file.empty() &&
      (SSL_CTX_use_certificate_chain_file(ctx.get(), identity.cert_file.c_str()) != 1 ||
       SSL_CTX_use_PrivateKey_file(ctx.get(), identity.key_file.c_str(), SSL_FILETYPE_PEM) != 1)) {
    result.detail = "cannot load the probe's certificate: " + openssl_errors();
    return result;
  }
  if (SSL_CTX_load_verify_locations(ctx.get(), identity.ca_file.c_str(), nullptr) != 1) {
    result.detail = "cannot load the probe's CA: " + openssl_errors();
    return result;
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  const int fd = connect_loopback(port, limit);
  if (fd < 0) {
    result.detail = std::string("connect: ") + std::strerror(errno);
    return result;
  }
  result.connected = true;
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), fd);
  const auto failed = [&](int ret, const char* what) {
    const int error = SSL_get_error(ssl.get(), ret);
    const bool timed_out = error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK);
    result.closed_by_node = !timed_out;
    result.detail += std::string(what) + ": SSL error " + std::to_string(error) + " " + openssl_errors() +
                     (timed_out ? " (timed out)" : "");
  };
  const int connected = SSL_connect(ssl.get());
  if (connected != 1) {
    failed(connected, "handshake");
  } else {
    result.tls_handshake_done = true;
    const int written = bytes.empty() ? 1 : SSL_write(ssl.get(), bytes.data(), static_cast<int>(bytes.size()));
    if (written <= 0) {
      failed(written, "write");
    } else {
      char buffer[4096];
      for (;;) {
        const int n = SSL_read(ssl.get(), buffer, sizeof buffer);
        if (n > 0) {
          result.bytes_received += static_cast<size_t>(n);
          continue;
        }
        failed(n, "read");
        break;
      }
    }
  }
  ::close(fd);
  return result;
}

}  // namespace actorflow::testing
