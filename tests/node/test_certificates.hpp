#pragma once
// Certificates made at test time with the `openssl` command, in a test's temp dir: a private CA and
// certificates it signs (for 127.0.0.1 and localhost). Nothing is committed.
#include <string>

namespace actorflow::testing {

struct CertificateFiles {
  std::string cert;  // PEM certificate
  std::string key;   // PEM private key (unencrypted)
};

// A self-signed CA named `name` in <dir>/<name>.pem and <dir>/<name>.key. Throws with openssl's
// output when a command fails.
CertificateFiles make_ca(const std::string& dir, const std::string& name);
// A certificate `name` signed by `ca`: a server certificate for 127.0.0.1/localhost, or a client one.
CertificateFiles make_certificate(const std::string& dir, const std::string& name, const CertificateFiles& ca,
                                  bool client = false);

// The openssl program (from PATH).
std::string openssl_program();

}  // namespace actorflow::testing
