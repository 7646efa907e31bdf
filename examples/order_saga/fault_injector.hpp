#pragma once
// Decides which service calls fail, before the call reaches the service (so a failed call never
// has a side effect). Two sources of failure:
//  - random: each call of an operation fails with a probability (seeded, so runs are repeatable
//    up to thread interleaving);
//  - forced (for tests): calls of one operation fail always, or only the first N times, for one
//    order or for every order.
// A failure is thrown as ServiceUnavailable (retryable; what a circuit breaker counts) or as
// actorflow::NonRetryableError (the service refused for good). Thread-safe.
#include "order_saga/operation.hpp"

#include <array>
#include <cstdint>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace order_saga {

// The service could not be reached or answered with an error: trying again may work.
class ServiceUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class FailureKind { retryable, non_retryable };

struct ForcedFailure {
  Operation operation = Operation::inventory_reserve;
  std::string order_id;                      // empty: every order
  FailureKind kind = FailureKind::retryable;
  int calls_to_fail = -1;                    // fail only this many matching calls; -1: always
};

class FaultInjector {
 public:
  explicit FaultInjector(uint64_t seed = 1);

  // Every call of every operation fails with `probability` in [0, 1]. A `non_retryable_share`
  // of those failures is non-retryable, for forward operations only: a compensation that fails
  // at random always fails retryably, as an undo should be retried rather than given up.
  void set_failure_rate(double probability, double non_retryable_share = 0.0);
  void set_failure_rate(Operation operation, double probability);

  void force(ForcedFailure failure);
  // Removes every forced failure and sets every failure rate to 0.
  void clear();

  // Called by a service before it acts; throws when this call is to fail.
  void on_call(Operation operation, const std::string& order_id);

  // Failures thrown so far.
  int failures_injected() const;

 private:
  mutable std::mutex mutex_;
  std::mt19937_64 rng_;
  std::array<double, kAllOperations.size()> failure_rate_{};
  double non_retryable_share_ = 0.0;
  std::vector<ForcedFailure> forced_;
  int failures_injected_ = 0;
};

}  // namespace order_saga
