#pragma once
// Talking to a node's cluster port as an outsider would, for tests: plain TCP, or TLS with a
// certificate of one's choosing (OpenSSL, blocking), sending some bytes and watching whether the
// node answers and closes the connection; and what a process holds in memory (VmRSS).
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace actorflow::testing {

// VmRSS of /proc/<pid>/status, in bytes (-1 when it cannot be read).
int64_t resident_bytes_of(pid_t pid);

// The 32-byte header of a CAF BASP client handshake announcing `payload_bytes` to follow
// (big-endian, as CAF 0.17 writes it): what CAF allocates once it has read the header.
std::string basp_header_announcing(uint32_t payload_bytes);

struct ProbeResult {
  bool connected = false;           // TCP connected
  bool tls_handshake_done = false;  // SSL_connect returned 1 (TLS 1.3: before the server judged our certificate)
  size_t bytes_received = 0;        // application bytes the node sent (TLS: decrypted)
  bool closed_by_node = false;      // the node closed (EOF, reset or a TLS alert) within the limit
  std::string detail;               // what the client saw (OpenSSL's error, errno)
};

// Connects to 127.0.0.1:`port`, sends `bytes`, reads until the node closes the connection or
// `limit` passes.
ProbeResult probe_plain(uint16_t port, const std::string& bytes, std::chrono::milliseconds limit);

// The files a TLS probe presents and trusts; an empty cert_file: it presents no certificate.
struct TlsIdentity {
  std::string cert_file;
  std::string key_file;
  std::string ca_file;  // the server's certificate must verify against it
};

// As probe_plain, over TLS: handshake with `identity`, then `bytes` (if the handshake got that far).
ProbeResult probe_tls(uint16_t port, const TlsIdentity& identity, const std::string& bytes,
                      std::chrono::milliseconds limit);

}  // namespace actorflow::testing
