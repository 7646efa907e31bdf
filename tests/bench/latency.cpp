#include "latency.hpp"

#include <algorithm>
#include <cmath>

namespace bench {
namespace {

double ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

int64_t nearest_rank(std::vector<int64_t>& sorted, double fraction) {
  auto rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

LatencySummary summarise(std::vector<int64_t>& latencies_ns) {
  LatencySummary summary;
  summary.count = static_cast<int64_t>(latencies_ns.size());
  if (latencies_ns.empty()) return summary;
  std::sort(latencies_ns.begin(), latencies_ns.end());
  summary.p50_ms = ms(nearest_rank(latencies_ns, 0.50));
  summary.p99_ms = ms(nearest_rank(latencies_ns, 0.99));
  summary.max_ms = ms(latencies_ns.back());
  return summary;
}

}  // namespace bench
