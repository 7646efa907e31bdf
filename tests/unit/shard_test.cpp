// Shards of workflow ids and the balanced assignment of shards to members.
#include <actorflow/shard.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace actorflow {
namespace {

std::map<std::string, int> loads(const std::vector<std::string>& owners) {
  std::map<std::string, int> count;
  for (const auto& owner : owners) ++count[owner];
  return count;
}

int moved(const std::vector<std::string>& before, const std::vector<std::string>& after) {
  int n = 0;
  for (size_t i = 0; i < before.size(); ++i) n += before[i] != after[i];
  return n;
}

TEST(ShardOf, IsStableAndInRange) {
  // Fixed values: every node, build and platform must agree on these forever.
  EXPECT_EQ(shard_of("order-1", 16), shard_of("order-1", 16));
  EXPECT_EQ(shard_of("anything", 1), 0);
  std::map<int, int> seen;
  for (int i = 0; i < 1600; ++i) {
    const int shard = shard_of("order-" + std::to_string(i), 16);
    ASSERT_GE(shard, 0);
    ASSERT_LT(shard, 16);
    ++seen[shard];
  }
  EXPECT_EQ(seen.size(), 16u);
  for (const auto& [shard, n] : seen) EXPECT_GT(n, 50) << "shard " << shard << " is starved";
}

TEST(ShardOf, KnownValues) {
  // FNV-1a 64 of the id modulo the shard count: changing this moves every stored workflow.
  EXPECT_EQ(shard_of("", 16), static_cast<int>(14695981039346656037ull % 16));
  EXPECT_EQ(shard_of("a", 1000), static_cast<int>(0xaf63dc4c8601ec8cull % 1000));
}

TEST(AssignShards, EveryMemberGetsAFairShare) {
  for (int members = 1; members <= 7; ++members) {
    std::vector<std::string> ids;
    for (int m = 0; m < members; ++m) ids.push_back("node-" + std::to_string(m));
    for (int shards : {1, 5, 16, 64, 100}) {
      const auto owners = assign_shards(shards, ids);
      ASSERT_EQ(owners.size(), static_cast<size_t>(shards));
      const auto count = loads(owners);
      const int low = shards / members, high = low + (shards % members != 0);
      for (const auto& id : ids) {
        const int got = count.count(id) ? count.at(id) : 0;
        EXPECT_GE(got, low) << id << " with " << members << " members and " << shards << " shards";
        EXPECT_LE(got, high) << id << " with " << members << " members and " << shards << " shards";
      }
    }
  }
}

TEST(AssignShards, DependsOnTheMembersNotTheirOrder) {
  EXPECT_EQ(assign_shards(16, {"a", "b", "c"}), assign_shards(16, {"c", "a", "b", "a"}));
}

TEST(AssignShards, NoMembersNoOwners) {
  const auto owners = assign_shards(4, {});
  ASSERT_EQ(owners.size(), 4u);
  for (const auto& owner : owners) EXPECT_TRUE(owner.empty());
}

TEST(AssignShards, AMemberJoiningTakesAboutItsShareAndLittleElseMoves) {
  const auto two = assign_shards(64, {"node-1", "node-2"});
  const auto three = assign_shards(64, {"node-1", "node-2", "node-3"});
  EXPECT_EQ(loads(three)["node-3"], 21);
  // Every shard node-3 got moved, plus a few between the others to even the loads out.
  EXPECT_LE(moved(two, three), 21 + 8);
}

TEST(AssignShards, AMemberLeavingMovesOnlyItsShardsAndAFew) {
  const auto three = assign_shards(64, {"node-1", "node-2", "node-3"});
  const auto two = assign_shards(64, {"node-1", "node-3"});
  int kept = 0;
  for (size_t i = 0; i < three.size(); ++i) kept += three[i] != "node-2" && three[i] == two[i];
  const int not_node_2 = 64 - loads(three)["node-2"];
  EXPECT_GE(kept, not_node_2 - 8);
}

}  // namespace
}  // namespace actorflow
