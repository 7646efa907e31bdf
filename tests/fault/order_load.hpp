#pragma once
// A steady load of order sagas (config/workflows/order_saga.yaml, run by the example plugin) on
// a cluster: `starters` threads each start one order every starters/rate seconds (so a start that
// waits for a node coming back holds up only its thread), each through a random live node, retried
// on another node until one takes it (a start is idempotent on the workflow id, so a start whose answer was
// lost with a killed node is simply made again). Some orders ask the plugin to fail a step (every
// attempt: the saga compensates) or to fail a compensation too (it is dead-lettered): the step
// failures of the fault run. All randomness comes from the seed.
#include "live_nodes.hpp"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace actorflow::fault {

struct OrderLoadOptions {
  double orders_per_second = 20;
  uint64_t seed = 1;
  double step_failure_probability = 0.1;           // an order whose forward step fails for good
  double compensation_failure_probability = 0.02;  // ... whose compensation fails too
  int step_ms_max = 60;                            // each step takes 0..step_ms_max (slow_ms)
  std::string id_prefix = "run";
  int starters = 4;
  // Every this many-th workflow is a purchase order above the approval threshold
  // (config/workflows/approval_chain.yaml) instead, approved by a signal sent through a random
  // node right after its start; 0: none.
  int purchase_order_every = 5;
};

class OrderLoad {
 public:
  OrderLoad(const LiveNodes& nodes, OrderLoadOptions options);
  ~OrderLoad();  // stops

  void start();
  void stop();  // waits for the starter threads

  // The orders a node accepted (201 or 200), in order; and how many asked for failures.
  std::vector<std::string> started() const;
  // The purchase orders whose start and whose approval a node acknowledged (a 2xx each, or 409
  // for the approval: an earlier attempt whose answer was lost had decided it).
  std::vector<std::string> approved() const;
  uint64_t approvals_not_acknowledged() const { return approvals_given_up_.load(); }
  uint64_t step_failures_asked() const { return step_failures_.load(); }
  uint64_t compensation_failures_asked() const { return compensation_failures_.load(); }
  uint64_t start_retries() const { return start_retries_.load(); }  // a node refused or was gone

 private:
  void run(int starter);
  bool start_one(const std::string& id, const std::string& body, std::mt19937_64& rng);
  // POSTs `body` to `path` on random live nodes until one answers one of `accepted`.
  bool post_until(const std::string& path, const std::string& body, std::initializer_list<int> accepted,
                  std::mt19937_64& rng);
  bool start_purchase_order(const std::string& id, std::mt19937_64& rng);

  const LiveNodes& nodes_;
  const OrderLoadOptions options_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;
  std::vector<std::string> started_;
  std::vector<std::string> approved_;
  std::atomic<uint64_t> approvals_given_up_{0};
  std::atomic<uint64_t> step_failures_{0};
  std::atomic<uint64_t> compensation_failures_{0};
  std::atomic<uint64_t> start_retries_{0};
};

}  // namespace actorflow::fault
