#include "test_certificates.hpp"

#include "node_process.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace actorflow::testing {
namespace {

void run_openssl(const std::vector<std::string>& args) {
  const ProgramRun run = run_program(openssl_program(), args);
  if (run.exit_code != 0) {
    std::string command = "openssl";
    for (const auto& a : args) command += " " + a;
    throw std::runtime_error(command + " failed (" + std::to_string(run.exit_code) + "):\n" + run.output);
  }
}

std::string random_serial() {
  std::random_device random;
  std::ostringstream serial;
  serial << "0x" << std::hex << random() << random();
  return serial.str();
}

}  // namespace

std::string openssl_program() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = dir + "/openssl";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  throw std::runtime_error("no openssl program in PATH (scripts/install-deps.sh installs it)");
}

CertificateFiles make_ca(const std::string& dir, const std::string& name) {
  CertificateFiles ca{dir + "/" + name + ".pem", dir + "/" + name + ".key"};
  run_openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", ca.key,
               "-out", ca.cert, "-days", "2", "-subj", "/CN=" + name, "-addext",
               "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
  return ca;
}

CertificateFiles make_certificate(const std::string& dir, const std::string& name, const CertificateFiles& ca,
                                  bool client) {
  CertificateFiles out{dir + "/" + name + ".pem", dir + "/" + name + ".key"};
  const std::string csr = dir + "/" + name + ".csr";
  const std::string extensions = dir + "/" + name + ".ext";
  std::ofstream(extensions) << "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                            << (client ? "extendedKeyUsage=clientAuth\n"
                                       : "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n");
  run_openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", out.key, "-out",
               csr, "-subj", "/CN=" + name});
  run_openssl({"x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-set_serial", random_serial(), "-out",
               out.cert, "-days", "2", "-extfile", extensions});
  return out;
}

}  // namespace actorflow::testing
