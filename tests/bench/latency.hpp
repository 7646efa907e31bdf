#pragma once
// Percentiles of measured latencies.
#include <cstdint>
#include <vector>

namespace bench {

struct LatencySummary {
  int64_t count = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// Nearest-rank percentiles of `latencies_ns` (reordered in place).
LatencySummary summarise(std::vector<int64_t>& latencies_ns);

}  // namespace bench
