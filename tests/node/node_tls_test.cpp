// HTTPS on a real node (http.tls.*, issue 18): the handshake with the node's CA succeeds, with
// another CA it fails, plain HTTP to the TLS port gets no answer, TLS below 1.2 is refused, client
// certificates are required when client_ca_file is set, and SIGHUP makes new handshakes use the
// certificate now in the files. Certificates are made by `openssl` in the test's temp dir.
#include "node_process.hpp"
#include "test_certificates.hpp"

#include <gtest/gtest.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <thread>

using namespace actorflow;
using namespace actorflow::testing;
using namespace std::chrono_literals;

namespace {

// A TLS write to a connection the node has closed (a refused client certificate) raises SIGPIPE
// (OpenSSL writes with write(2)): the test process must see an error return instead.
[[maybe_unused]] const bool kSigpipeIgnored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string tls_yaml(const CertificateFiles& server, const std::string& client_ca = "") {
  std::string yaml = "  tls:\n    cert_file: '" + server.cert + "'\n    key_file: '" + server.key + "'\n";
  if (!client_ca.empty()) yaml += "    client_ca_file: '" + client_ca + "'\n";
  return yaml;
}

// GET /healthz over HTTPS trusting `ca`; the status, 0 when there is no answer (the handshake failed).
int https_status(int port, const std::string& ca, const CertificateFiles* client_cert = nullptr) {
  const std::string address = "https://127.0.0.1:" + std::to_string(port);
  auto client = client_cert ? std::make_unique<httplib::Client>(address, client_cert->cert, client_cert->key)
                            : std::make_unique<httplib::Client>(address);
  client->set_ca_cert_path(ca);
  client->set_connection_timeout(5s);
  client->set_read_timeout(5s);
  auto result = client->Get("/healthz");
  return result ? result->status : 0;
}

// A raw TLS handshake with the node, offering at most `max_version`; true when it completes.
bool handshake(int port, const std::string& ca, int max_version) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
  SSL_CTX_set_max_proto_version(ctx, max_version);
  SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");  // let the client offer old versions at all
  SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  bool done = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) == 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    done = SSL_connect(ssl) == 1;
    SSL_shutdown(ssl);
    SSL_free(ssl);
  }
  ERR_clear_error();
  close(fd);
  SSL_CTX_free(ctx);
  return done;
}

int count_of(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

bool wait_for_count(const NodeProcess& node, const std::string& event, int times) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (count_of(node.log(), "\"event\":\"" + event + "\"") >= times) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

}  // namespace

TEST(NodeTls, TheRightCaSucceedsAndAWrongCaOrPlainHttpFails) {
  NodeDir dir;
  const CertificateFiles ca = make_ca(dir.path(), "ca");
  const CertificateFiles other_ca = make_ca(dir.path(), "other-ca");
  const CertificateFiles server = make_certificate(dir.path(), "server", ca);
  NodeSetup setup = dir.setup();
  setup.http_yaml = tls_yaml(server);
  setup.client_ca_file = ca.cert;
  NodeProcess node(dir, setup);  // it waits for /healthz over HTTPS
  EXPECT_TRUE(contains(node.log(), "\"tls\":true")) << node.log();

  EXPECT_EQ(https_status(node.port(), ca.cert), 200);
  EXPECT_EQ(http_get(node, "/v1/stats").status, 200);
  EXPECT_EQ(https_status(node.port(), other_ca.cert), 0);
  httplib::Client plain("127.0.0.1", node.port());
  plain.set_read_timeout(5s);
  auto result = plain.Get("/healthz");
  EXPECT_FALSE(result) << "plain HTTP to the TLS port got " << result->status;

  EXPECT_TRUE(handshake(node.port(), ca.cert, TLS1_3_VERSION));
  EXPECT_TRUE(handshake(node.port(), ca.cert, TLS1_2_VERSION));
  EXPECT_FALSE(handshake(node.port(), ca.cert, TLS1_1_VERSION));
  EXPECT_EQ(https_status(node.port(), ca.cert), 200);  // still serving after the refused handshakes
  EXPECT_EQ(node.stop(), 0) << node.log();
}

// HTTPS and tokens together, as a node beyond loopback runs: the token is checked over TLS.
TEST(NodeTls, TokensAreCheckedOnTheHttpsListenerToo) {
  NodeDir dir;
  const CertificateFiles ca = make_ca(dir.path(), "ca");
  const CertificateFiles server = make_certificate(dir.path(), "server", ca);
  const std::string read_token(64, 'a');
  const std::string operate_token(64, 'b');
  NodeSetup setup = dir.setup();
  setup.http_yaml = tls_yaml(server);
  setup.client_ca_file = ca.cert;
  setup.client_token = operate_token;
  setup.extra_yaml = "auth:\n  tokens_file: '" +
                     dir.write("tokens", "read viewer " + read_token + "\noperate ops " + operate_token + "\n") + "'\n";
  NodeProcess node(dir, setup);

  auto status_of = [&](const std::string& token, const std::string& method, const std::string& path) {
    auto client = std::make_unique<httplib::Client>("https://127.0.0.1:" + std::to_string(node.port()));
    client->set_ca_cert_path(ca.cert);
    client->set_read_timeout(5s);
    if (!token.empty()) client->set_bearer_token_auth(token);
    const std::string body = Json{{"definition", "order_saga"}, {"id", "tls-1"}}.dump();
    auto result = method == "GET" ? client->Get(path) : client->Post(path, body, "application/json");
    return result ? result->status : 0;
  };
  EXPECT_EQ(status_of("", "GET", "/v1/stats"), 401);
  EXPECT_EQ(status_of(std::string(64, 'c'), "GET", "/v1/stats"), 401);
  EXPECT_EQ(status_of(read_token, "GET", "/v1/stats"), 200);
  EXPECT_EQ(status_of(read_token, "POST", "/v1/workflows"), 403);
  EXPECT_EQ(status_of(operate_token, "POST", "/v1/workflows"), 201);
  EXPECT_TRUE(contains(node.log(), "\"event\":\"api_call\"")) << "the start over HTTPS was audited";
  EXPECT_EQ(node.stop(), 0) << node.log();
}

TEST(NodeTls, SighupMakesNewHandshakesUseTheNewCertificate) {
  NodeDir dir;
  const CertificateFiles ca = make_ca(dir.path(), "ca");
  const CertificateFiles next_ca = make_ca(dir.path(), "next-ca");
  const CertificateFiles server = make_certificate(dir.path(), "server", ca);
  NodeSetup setup = dir.setup();
  setup.http_yaml = tls_yaml(server);
  setup.client_ca_file = ca.cert;
  NodeProcess node(dir, setup);
  EXPECT_EQ(https_status(node.port(), ca.cert), 200);

  // The renewed certificate comes from another CA, so which one a handshake gets is visible.
  const CertificateFiles renewed = make_certificate(dir.path(), "renewed", next_ca);
  std::filesystem::copy_file(renewed.cert, server.cert, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(renewed.key, server.key, std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(https_status(node.port(), ca.cert), 200);  // nothing changes before SIGHUP
  kill(node.pid(), SIGHUP);
  ASSERT_TRUE(wait_for_count(node, "security_reloaded", 1)) << node.log();
  EXPECT_EQ(https_status(node.port(), next_ca.cert), 200);
  EXPECT_EQ(https_status(node.port(), ca.cert), 0);

  // A key that does not match the certificate: the reload fails and the last good pair stays.
  const CertificateFiles stray = make_certificate(dir.path(), "stray", next_ca);
  std::filesystem::copy_file(stray.key, server.key, std::filesystem::copy_options::overwrite_existing);
  kill(node.pid(), SIGHUP);
  ASSERT_TRUE(wait_for_count(node, "security_reload_failed", 1)) << node.log();
  EXPECT_TRUE(contains(node.log(), "http.tls.key_file")) << node.log();
  EXPECT_EQ(https_status(node.port(), next_ca.cert), 200);
  EXPECT_EQ(node.stop(), 0) << node.log();
}

TEST(NodeTls, AClientCaRequiresAClientCertificateItSigned) {
  NodeDir dir;
  const CertificateFiles ca = make_ca(dir.path(), "ca");
  const CertificateFiles clients_ca = make_ca(dir.path(), "clients-ca");
  const CertificateFiles other_ca = make_ca(dir.path(), "other-ca");
  const CertificateFiles server = make_certificate(dir.path(), "server", ca);
  const CertificateFiles client = make_certificate(dir.path(), "client", clients_ca, true);
  const CertificateFiles stranger = make_certificate(dir.path(), "stranger", other_ca, true);
  NodeSetup setup = dir.setup();
  setup.http_yaml = tls_yaml(server, clients_ca.cert);
  setup.client_ca_file = ca.cert;
  setup.client_cert_file = client.cert;
  setup.client_key_file = client.key;
  NodeProcess node(dir, setup);
  EXPECT_EQ(https_status(node.port(), ca.cert, &client), 200);
  EXPECT_EQ(https_status(node.port(), ca.cert), 0);
  EXPECT_EQ(https_status(node.port(), ca.cert, &stranger), 0);
  EXPECT_EQ(node.stop(), 0) << node.log();
}

TEST(NodeTls, BadCertificateFilesRefuseTheStartNamingTheKey) {
  NodeDir dir;
  const CertificateFiles ca = make_ca(dir.path(), "ca");
  const CertificateFiles server = make_certificate(dir.path(), "server", ca);
  const CertificateFiles other = make_certificate(dir.path(), "other", ca);
  NodeSetup setup = dir.setup();
  setup.http_yaml = tls_yaml(CertificateFiles{server.cert, other.key});
  ProgramRun run = run_node_program({"--config", dir.write("mismatch.yaml", setup.to_yaml())});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "http.tls.key_file: " + other.key + " is not the key of the certificate")) << run.output;

  setup.http_yaml = tls_yaml(CertificateFiles{dir.file("missing.pem"), server.key});
  run = run_node_program({"--config", dir.write("missing.yaml", setup.to_yaml())});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "http.tls.cert_file: cannot read " + dir.file("missing.pem"))) << run.output;

  setup.http_yaml = "  tls:\n    cert_file: '" + server.cert + "'\n";
  run = run_node_program({"--config", dir.write("half.yaml", setup.to_yaml())});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "http.tls: key_file missing")) << run.output;
}
