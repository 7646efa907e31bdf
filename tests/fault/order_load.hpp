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
};

class OrderLoad {
 public:
  OrderLoad(const LiveNodes& nodes, OrderLoadOptions options);
  ~OrderLoad();  // stops

  void start();
  void stop();  // waits for the starter threads

  // The workflows a node accepted (201 or 200), in order; and how many asked for failures.
  std::vector<std::string> started() const;
  uint64_t step_failures_asked() const { return step_failures_.load(); }
  uint64_t compensation_failures_asked() const { return compensation_failures_.load(); }
  uint64_t start_retries() const { return start_retries_.load(); }  // a node refused or was gone

 private:
  void run(int starter);
  bool start_one(const std::string& id, const std::string& body, std::mt19937_64& rng);

  const LiveNodes& nodes_;
  const OrderLoadOptions options_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;
  std::vector<std::string> started_;
  std::atomic<uint64_t> step_failures_{0};
  std::atomic<uint64_t> compensation_failures_{0};
  std::atomic<uint64_t> start_retries_{0};
};

}  // namespace actorflow::fault
