// Mutual TLS between cluster nodes (cluster.tls), with three real actorflow-node processes on a
// real redis-server and certificates made at test time by config/cluster/make-certs.sh: the
// cluster forms and fails over with TLS on; a peer with a certificate of another CA (or none, or
// plaintext) is dropped before anything it sends is read, and does not grow the nodes' memory; a
// BASP header announcing 4 GiB is refused on the TLS and the plaintext port alike; a plaintext
// gateway beyond loopback is refused at start.
#include "eventually.hpp"
#include "local_cluster.hpp"
#include "peer_probe.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/manager.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace actorflow::testing {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kThree{"node-1", "node-2", "node-3"};
constexpr int64_t kMiB = 1 << 20;
// What an outsider may make a node allocate: a few MiB (allocator noise and logging included).
constexpr int64_t kGrowthAllowed = 4 * kMiB;
constexpr uint32_t kFourGiB = 0xFFFFFFF0u;

// Certificates made with the project's script into `dir`: one CA and a certificate per id.
struct CertDir {
  std::string dir;
  CertDir(const std::string& path, const std::vector<std::string>& ids) : dir(path) {
    std::vector<std::string> args{ACTORFLOW_MAKE_CERTS_SCRIPT, dir};
    args.insert(args.end(), ids.begin(), ids.end());
    const ProgramRun made = run_program("/bin/bash", args);
    if (made.exit_code != 0) throw std::runtime_error("make-certs.sh failed: " + made.output);
  }
  std::string cert(const std::string& id) const { return dir + "/" + id + ".crt"; }
  std::string key(const std::string& id) const { return dir + "/" + id + ".key"; }
  std::string ca() const { return dir + "/ca.crt"; }
  // The lines of a node's cluster: section that turn mutual TLS on.
  std::string tls_yaml(const std::string& id) const {
    return "  tls:\n    cert_file: '" + cert(id) + "'\n    key_file: '" + key(id) + "'\n    ca_file: '" + ca() + "'\n";
  }
};

// The port the node's gateway listens on (its node_started log line).
uint16_t cluster_port(const NodeProcess& node) {
  std::istringstream lines(node.log());
  std::string line;
  while (std::getline(lines, line)) {
    const Json event = Json::parse(line, nullptr, false);
    if (event.is_object() && event.value("event", "") == "node_started" && event.contains("cluster_port"))
      return event["cluster_port"].get<uint16_t>();
  }
  throw std::runtime_error("no node_started line with cluster_port in: " + node.log());
}

Json slow_order(int step_ms) {
  Json slow = Json::object();
  for (const char* handler : {"inventory.reserve", "payment.charge", "shipping.create", "notify.confirmation"})
    slow[handler] = step_ms;
  return Json{{"sku", "A"}, {"amount", 10}, {"slow_ms", slow}};
}

// Starts `count` orders through `via` and waits until each completed; the ids that did not.
std::vector<std::string> run_orders(const NodeProcess& via, const NodeProcess& reader, const std::string& prefix,
                                    int count, int step_ms) {
  for (int i = 0; i < count; ++i) {
    const HttpAnswer started = start_workflow(via, "order_saga", prefix + std::to_string(i), slow_order(step_ms));
    if (started.status != 201) return {prefix + std::to_string(i) + " not started: " + started.body.dump()};
  }
  std::vector<std::string> unfinished;
  for (int i = 0; i < count; ++i) {
    const Json info = wait_for_status(reader, prefix + std::to_string(i), {"completed", "failed", "compensated"}, 40s);
    if (info.value("status", "") != "completed") unfinished.push_back(prefix + std::to_string(i) + " " + info.dump());
  }
  return unfinished;
}

class ClusterTls : public ::testing::Test {
 protected:
  LocalCluster cluster;
  CertDir certs{cluster.dir().file("certs"), kThree};

  void start_three() {
    for (const auto& id : kThree) cluster.start(id, certs.tls_yaml(id));
    ASSERT_TRUE(cluster.wait_balanced(kThree, 30s)) << Json(cluster.owners()).dump();
  }
};

TEST_F(ClusterTls, TheClusterFormsRoutesAndFailsOverWithMutualTls) {
  start_three();
  for (const auto& id : kThree) {
    EXPECT_NE(cluster.node(id).log().find(R"("transport":"mutual-tls")"), std::string::npos) << cluster.node(id).log();
    // Each node reached the other two through TLS.
    EXPECT_TRUE(eventually([&] {
      const std::string log = cluster.node(id).log();
      size_t peers = 0;
      for (size_t at = log.find(R"("event":"peer_connected")"); at != std::string::npos;
           at = log.find(R"("event":"peer_connected")", at + 1))
        ++peers;
      return peers >= 2;
    }, 10s)) << cluster.node(id).log();
  }
  // Every start goes through node-1: two thirds of them are forwarded to their owners over TLS.
  constexpr int kOrders = 24;
  const std::string prefix = "tls-order-";
  for (int i = 0; i < kOrders; ++i) {
    const HttpAnswer started = start_workflow(cluster.node("node-1"), "order_saga", prefix + std::to_string(i), slow_order(300));
    ASSERT_EQ(started.status, 201) << started.body.dump();
  }
  const auto owners = cluster.owners();
  ASSERT_TRUE(eventually([&] {
    for (int i = 0; i < kOrders; ++i)
      if (owners[static_cast<size_t>(cluster.shard_of(prefix + std::to_string(i)))] == "node-2" &&
          !history(cluster.node("node-1"), prefix + std::to_string(i)).empty())
        return true;
    return false;
  }, 10s));
  cluster.kill9("node-2");
  ASSERT_TRUE(cluster.wait_balanced({"node-1", "node-3"}, 30s)) << Json(cluster.owners()).dump();
  int moved = 0;
  for (int i = 0; i < kOrders; ++i) {
    const std::string id = prefix + std::to_string(i);
    EXPECT_EQ(wait_for_status(cluster.node("node-3"), id, {"completed", "failed", "compensated"}, 40s).value("status", ""),
              "completed") << id;
    if (owners[static_cast<size_t>(cluster.shard_of(id))] == "node-2") ++moved;
  }
  EXPECT_GT(moved, 0) << "some workflows ran on the killed node and were finished by the others";
}

TEST_F(ClusterTls, APeerWithACertificateOfAnotherCaCannotConnectOrSendAnything) {
  start_three();
  const CertDir foreign(cluster.dir().file("foreign-certs"), {"intruder"});
  std::vector<int64_t> before;
  for (const auto& id : kThree) before.push_back(resident_bytes_of(cluster.node(id).pid()));

  for (const auto& id : kThree) {
    const uint16_t port = cluster_port(cluster.node(id));
    // A certificate of another CA (trusting the cluster's CA, so it would accept the node): the
    // node refuses it, answers nothing and closes; the 4 GiB header it sends is never read.
    const ProbeResult intruder = probe_tls(port, {foreign.cert("intruder"), foreign.key("intruder"), certs.ca()},
                                           basp_header_announcing(kFourGiB), 10s);
    EXPECT_TRUE(intruder.connected) << intruder.detail;
    EXPECT_EQ(intruder.bytes_received, 0u) << id;
    EXPECT_TRUE(intruder.closed_by_node) << id << ": " << intruder.detail;
    // No certificate at all.
    const ProbeResult anonymous = probe_tls(port, {"", "", certs.ca()}, basp_header_announcing(kFourGiB), 10s);
    EXPECT_EQ(anonymous.bytes_received, 0u) << id;
    EXPECT_TRUE(anonymous.closed_by_node) << id << ": " << anonymous.detail;
    // A CAF node with the other CA's certificate: its connect fails.
    caf::actor_system_config config;
    config.load<caf::io::middleman>();
    config.load<caf::openssl::manager>();
    config.openssl_certificate = foreign.cert("intruder");
    config.openssl_key = foreign.key("intruder");
    config.openssl_cafile = foreign.ca();
    caf::actor_system system{config};
    caf::scoped_actor self{system};
    bool joined = false;
    std::string refusal;
    self->request(system.openssl_manager().actor_handle(), std::chrono::seconds(10), caf::connect_atom::value,
                  std::string("127.0.0.1"), port)
        .receive([&](const caf::node_id&, caf::strong_actor_ptr& remote, const std::set<std::string>&) { joined = remote != nullptr; },
                 [&](caf::error& e) { refusal = system.render(e); });
    EXPECT_FALSE(joined) << id;
    EXPECT_FALSE(refusal.empty()) << id;
  }
  for (size_t i = 0; i < kThree.size(); ++i) {
    const NodeProcess& node = cluster.node(kThree[i]);
    EXPECT_TRUE(node.wait_for_event("cluster_connection_refused", 5s)) << node.log();
    EXPECT_NE(node.log().find("certificate"), std::string::npos) << "the refusal names the certificate: " << node.log();
    const int64_t growth = resident_bytes_of(node.pid()) - before[i];
    std::cout << "[ measured ] " << kThree[i] << " resident memory grew by " << growth / 1024
              << " KiB while refusing 3 peers with a foreign or no certificate\n";
    EXPECT_LT(growth, kGrowthAllowed) << kThree[i];
  }
  // The cluster still works between its members.
  EXPECT_TRUE(run_orders(cluster.node("node-2"), cluster.node("node-3"), "after-intruder-", 9, 0).empty());
  EXPECT_EQ(cluster.running_nodes().size(), 3u);
}

TEST_F(ClusterTls, PlaintextOnTheTlsPortIsDroppedAndTheNodeKeepsServing) {
  start_three();
  const NodeProcess& node = cluster.node("node-1");
  const uint16_t port = cluster_port(node);
  const int64_t before = resident_bytes_of(node.pid());
  const ProbeResult header = probe_plain(port, basp_header_announcing(kFourGiB), 10s);
  EXPECT_TRUE(header.closed_by_node) << header.detail;
  EXPECT_EQ(header.bytes_received, 0u) << "a TLS server sends nothing to a client that said no TLS hello";
  std::string garbage(64 * 1024, '\0');
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 131 + 7) & 0xff);
  const ProbeResult noise = probe_plain(port, garbage, 10s);
  EXPECT_TRUE(noise.closed_by_node) << noise.detail;
  const int64_t growth = resident_bytes_of(node.pid()) - before;
  std::cout << "[ measured ] resident memory of the node grew by " << growth / 1024
            << " KiB after a plaintext 4 GiB BASP header and 64 KiB of garbage on its TLS port\n";
  EXPECT_LT(growth, kGrowthAllowed);
  EXPECT_TRUE(node.wait_for_event("cluster_connection_refused", 5s)) << node.log();
  EXPECT_TRUE(run_orders(node, cluster.node("node-2"), "after-garbage-", 9, 0).empty());
}

TEST_F(ClusterTls, AMemberAnnouncingAMessageAboveTheLimitIsCutOffBeforeItIsBuffered) {
  start_three();
  const NodeProcess& node = cluster.node("node-1");
  const int64_t before = resident_bytes_of(node.pid());
  // A peer with a certificate of the cluster's CA: it gets the node's BASP handshake, then its
  // 4 GiB header closes the connection (cluster.max_message_bytes).
  const ProbeResult member = probe_tls(cluster_port(node), {certs.cert("node-3"), certs.key("node-3"), certs.ca()},
                                       basp_header_announcing(kFourGiB), 10s);
  EXPECT_TRUE(member.tls_handshake_done) << member.detail;
  EXPECT_GT(member.bytes_received, 0u) << "the node's BASP handshake";
  EXPECT_TRUE(member.closed_by_node) << member.detail;
  EXPECT_LT(resident_bytes_of(node.pid()) - before, kGrowthAllowed);
  EXPECT_NE(node.log().find("cluster.max_message_bytes"), std::string::npos) << node.log();
  const auto unfinished = run_orders(node, cluster.node("node-2"), "after-member-", 6, 0);
  EXPECT_TRUE(unfinished.empty()) << Json(unfinished).dump() << node.log();
}

// Plaintext (the default on loopback): no authentication, but a peer still cannot make the node
// allocate more than cluster.max_message_bytes. CAF 0.17 by itself buffers what a header announces.
TEST(ClusterPlaintext, AHeaderAnnouncingFourGibibytesClosesTheConnectionWithoutAllocating) {
  LocalCluster cluster;
  cluster.start("node-1");
  cluster.start("node-2");
  ASSERT_TRUE(cluster.wait_balanced({"node-1", "node-2"}, 30s));
  const NodeProcess& node = cluster.node("node-1");
  EXPECT_NE(node.log().find(R"("transport":"plaintext")"), std::string::npos);
  const int64_t before = resident_bytes_of(node.pid());
  const ProbeResult probe = probe_plain(cluster_port(node), basp_header_announcing(kFourGiB), 10s);
  EXPECT_GT(probe.bytes_received, 0u) << "the node's BASP handshake (plaintext: anyone gets it)";
  EXPECT_TRUE(probe.closed_by_node) << probe.detail;
  const int64_t growth = resident_bytes_of(node.pid()) - before;
  std::cout << "[ measured ] plaintext port: resident memory grew by " << growth / 1024
            << " KiB after a BASP header announcing 4 GiB\n";
  EXPECT_LT(growth, kGrowthAllowed);
  EXPECT_NE(node.log().find("cluster.max_message_bytes"), std::string::npos) << node.log();
  EXPECT_TRUE(run_orders(node, cluster.node("node-2"), "after-header-", 6, 0).empty());
}

// What the RSS checks above rely on: CAF does allocate what a header announces once the bound lets
// it through (here 64 MiB under a 1 GiB cluster.max_message_bytes), and the growth shows in VmRSS.
TEST(ClusterPlaintext, UnderAHigherBoundTheAnnouncedPayloadIsAllocatedAndSeenInTheResidentMemory) {
  LocalCluster cluster;
  const NodeProcess& node = cluster.start("node-1", "  max_message_bytes: 1073741824\n");
  ASSERT_TRUE(node.wait_for_event("shard_acquired", 10s)) << node.log();
  const int64_t before = resident_bytes_of(node.pid());
  // The probe sends the header and waits (no payload follows); the node holds the buffer meanwhile.
  std::thread probe([&] { probe_plain(cluster_port(node), basp_header_announcing(64 * kMiB), 3s); });
  const bool grew = eventually([&] { return resident_bytes_of(node.pid()) - before > 48 * kMiB; }, 3s);
  probe.join();
  EXPECT_TRUE(grew) << "resident memory grew by " << (resident_bytes_of(node.pid()) - before) / 1024 << " KiB";
}

// ---- refused at start ----

ProgramRun check_config(const NodeDir& dir, const std::string& cluster_yaml) {
  NodeSetup setup = dir.setup();
  setup.store = "redis:127.0.0.1:1:af:";  // never opened: the config is refused first
  setup.cluster_yaml = "  enabled: true\n" + cluster_yaml;
  const std::string path = dir.write("node.yaml", setup.to_yaml());
  return run_node_program({"--config", path});
}

TEST(ClusterStartRefusals, APlaintextGatewayBeyondLoopbackIsRefusedNamingTheKey) {
  NodeDir dir;
  const ProgramRun run = check_config(dir, "  listen: 0.0.0.0:0\n");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("cluster.listen: 0.0.0.0:0 is not a loopback address"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("cluster.tls"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("cluster.allow_insecure"), std::string::npos) << run.output;
}

TEST(ClusterStartRefusals, AllowInsecureStartsWithAWarning) {
  LocalCluster cluster;
  NodeProcess& node = cluster.start("node-1", "  listen: 0.0.0.0:0\n  allow_insecure: true\n");
  ASSERT_TRUE(node.wait_for_event("cluster_insecure", 5s)) << node.log();
  const std::string log = node.log();
  const size_t at = log.find(R"("event":"cluster_insecure")");
  const std::string line = log.substr(log.rfind('\n', at) + 1, log.find('\n', at) - log.rfind('\n', at) - 1);
  EXPECT_NE(line.find(R"("level":"warning")"), std::string::npos) << line;
  EXPECT_NE(line.find("plaintext"), std::string::npos) << line;
}

TEST(ClusterStartRefusals, UnusableTlsFilesAreRefusedNamingTheKey) {
  NodeDir dir;
  const CertDir certs(dir.file("certs"), {"node-1", "node-2"});
  const CertDir other(dir.file("other"), {"node-1"});
  const auto tls = [](const std::string& cert, const std::string& key, const std::string& ca) {
    return "  listen: 0.0.0.0:0\n  tls:\n    cert_file: '" + cert + "'\n    key_file: '" + key + "'\n    ca_file: '" + ca + "'\n";
  };
  struct Case {
    std::string yaml;
    std::string expected;
  };
  const std::vector<Case> cases{
      {tls(dir.file("missing.crt"), certs.key("node-1"), certs.ca()), "cluster.tls.cert_file: cannot read"},
      {tls(certs.cert("node-1"), certs.key("node-2"), certs.ca()), "cluster.tls.key_file:"},
      {tls(certs.cert("node-1"), certs.key("node-1"), certs.key("node-1")), "cluster.tls.ca_file:"},
      {tls(other.cert("node-1"), other.key("node-1"), certs.ca()), "cluster.tls.cert_file: the certificate"},
      {"  tls:\n    cert_file: '" + certs.cert("node-1") + "'\n", "cluster.tls.key_file: missing"},
  };
  for (const auto& c : cases) {
    const ProgramRun run = check_config(dir, c.yaml);
    EXPECT_EQ(run.exit_code, 2) << c.yaml << run.output;
    EXPECT_NE(run.output.find(c.expected), std::string::npos) << c.yaml << run.output;
  }
}

}  // namespace
}  // namespace actorflow::testing
