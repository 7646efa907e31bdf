// A store outage about as long as the leases, on three real actorflow-node processes and a real
// redis-server killed with SIGKILL: the leases and member records expire with it, but the nodes
// remember who was there, so when Redis is back each owner renews its own shards and none moves.
#include "eventually.hpp"
#include "local_cluster.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace actorflow::testing {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kThree{"node-1", "node-2", "node-3"};

// The owners as the store says now; empty when Redis does not answer.
std::vector<std::string> owners_now(const LocalCluster& cluster) {
  try {
    return cluster.owners();
  } catch (const std::exception&) {
    return {};
  }
}

TEST(StoreOutage, AnOutageShorterThanLeaseTtlPlusGraceMovesNoShard) {
  LocalCluster cluster(12);  // lease_ttl 2s, heartbeat_interval 200ms
  for (const auto& id : kThree) cluster.start(id, "  outage_grace: 3s\n");
  ASSERT_TRUE(cluster.wait_balanced(kThree, 30s));
  const std::vector<std::string> before = cluster.owners();

  cluster.redis().kill9();
  std::this_thread::sleep_for(2600ms);  // the outage's length: past lease_ttl, every lease and member record expires
  cluster.redis().restart();

  // Watched for 15 heartbeats after Redis answers again: a shard is free for a moment until its
  // owner renews, but never anyone else's.
  std::vector<std::string> moved;
  const auto watch_until = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < watch_until) {
    const auto now = owners_now(cluster);
    for (size_t shard = 0; shard < now.size(); ++shard)
      if (!now[shard].empty() && now[shard] != before[shard])
        moved.push_back("shard " + std::to_string(shard) + ": " + before[shard] + " -> " + now[shard]);
    std::this_thread::sleep_for(20ms);
  }
  std::string shard_events;  // what the nodes say they did, for a failure's message
  if (!moved.empty())
    for (const auto& id : kThree) {
      std::istringstream log(cluster.node(id).log());
      for (std::string line; std::getline(log, line);)
        if (line.find("\"shard_") != std::string::npos || line.find("cluster_store") != std::string::npos)
          shard_events += id + ": " + line + "\n";
    }
  EXPECT_TRUE(moved.empty()) << moved.size() << " moves, the first: " << moved.front() << "\n" << shard_events;
  EXPECT_TRUE(eventually([&] { return owners_now(cluster) == before; }, 10s)) << "every owner renews its shards";
}

}  // namespace
}  // namespace actorflow::testing
