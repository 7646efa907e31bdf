#include <actorflow/shard.hpp>

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace actorflow {
namespace {

uint64_t fnv1a(std::string_view text, uint64_t hash = 14695981039346656037ull) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

// A member's rank for a shard: higher ranks first. Mixed once more (splitmix64's finaliser) so
// that ids differing in their last character do not rank in lockstep.
uint64_t rank(const std::string& member, int shard) {
  uint64_t x = fnv1a(member, fnv1a(std::to_string(shard)));
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

}  // namespace

int shard_of(std::string_view workflow_id, int shards) {
  return shards <= 1 ? 0 : static_cast<int>(fnv1a(workflow_id) % static_cast<uint64_t>(shards));
}

std::vector<std::string> assign_shards(int shards, std::vector<std::string> members) {
  std::vector<std::string> owners(static_cast<size_t>(std::max(shards, 0)));
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  if (members.empty() || shards <= 0) return owners;
  const size_t count = members.size();
  const size_t base = static_cast<size_t>(shards) / count;  // everyone gets this many...
  size_t extra = static_cast<size_t>(shards) % count;       // ...and this many members one more
  std::vector<size_t> load(count, 0);
  std::vector<size_t> order(count);
  for (int shard = 0; shard < shards; ++shard) {
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      const uint64_t ra = rank(members[a], shard), rb = rank(members[b], shard);
      return ra != rb ? ra > rb : members[a] < members[b];
    });
    for (size_t m : order) {
      if (load[m] < base || (load[m] == base && extra > 0)) {
        if (load[m] == base) --extra;
        ++load[m];
        owners[static_cast<size_t>(shard)] = members[m];
        break;
      }
    }
  }
  return owners;
}

}  // namespace actorflow
