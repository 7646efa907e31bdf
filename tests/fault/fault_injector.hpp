#pragma once
// The faults of a fault run, on a seeded random schedule, one at a time: kill -9 of a node (then
// it is started again), SIGSTOP of a node past its lease (then SIGCONT), and a restart of Redis.
// Each is timed until the cluster has recovered from it:
//   kill_node:     until every shard is owned by a live node again (the dead node's leases
//                  expired and others took them)
//   stop_node:     until the stopped node owns no shard (the others took them over)
//   restart_redis: until a probe workflow started after the restart has completed (it queues
//                  behind the work that piled up during the outage)
//   kill_redis:    as restart_redis, but Redis dies by SIGKILL (no clean shutdown: only what its
//                  append-only file holds survives) and stays down 1-4 s, about the lease TTL,
//                  before it is started again on the same data
#include "live_nodes.hpp"
#include "local_cluster.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string_view>
#include <string>
#include <vector>

namespace actorflow::fault {

enum class FaultKind { kill_node, stop_node, restart_redis, kill_redis };
inline constexpr FaultKind kFaultKinds[] = {FaultKind::kill_node, FaultKind::stop_node, FaultKind::restart_redis,
                                            FaultKind::kill_redis};
const char* to_string(FaultKind kind);
std::optional<FaultKind> parse_fault_kind(std::string_view name);

struct FaultRecord {
  FaultKind kind;
  std::string target;          // the node, or "redis"
  int64_t recovery_ms = -1;    // -1: did not recover within the bound
};

class FaultInjector {
 public:
  // `kinds`: the faults the schedule draws from (empty: all).
  FaultInjector(testing::LocalCluster& cluster, LiveNodes& live, uint64_t seed, std::vector<FaultKind> kinds = {});

  // Injects one fault of `kind`, waits for the recovery, and puts the cluster back together
  // (restarts the node, resumes it). Logs one line per fault on stdout.
  FaultRecord inject(FaultKind kind);
  // The next fault kind of the schedule: the one injected least so far, ties by the seed.
  FaultKind next_kind();
  // A pause before the next fault, drawn from [min, max].
  std::chrono::milliseconds pause(std::chrono::milliseconds min, std::chrono::milliseconds max);

  const std::vector<FaultRecord>& records() const { return records_; }
  void refresh_live(const std::string& except = "");  // after nodes changed

 private:
  std::string pick_node();
  int64_t until(const std::function<bool()>& recovered, std::chrono::steady_clock::time_point since);
  bool probe_completes(const std::string& id);

  testing::LocalCluster& cluster_;
  LiveNodes& live_;
  std::mt19937_64 rng_;
  std::vector<FaultRecord> records_;
  std::map<FaultKind, int> counts_;
  std::vector<FaultKind> kinds_;
  int probes_ = 0;
};

}  // namespace actorflow::fault
