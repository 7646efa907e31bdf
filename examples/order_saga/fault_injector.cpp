#include "order_saga/fault_injector.hpp"

#include <actorflow/step_handler.hpp>

#include <algorithm>

namespace order_saga {
namespace {

size_t index_of(Operation operation) { return static_cast<size_t>(operation); }

double clamp_probability(double p) { return std::clamp(p, 0.0, 1.0); }

[[noreturn]] void fail(Operation operation, const std::string& order_id, FailureKind kind, const char* why) {
  const std::string message = std::string(to_string(operation)) + " failed for order '" + order_id + "' (" + why + ")";
  if (kind == FailureKind::non_retryable) throw actorflow::NonRetryableError(message);
  throw ServiceUnavailable(message);
}

}  // namespace

FaultInjector::FaultInjector(uint64_t seed) : rng_(seed) {}

void FaultInjector::set_failure_rate(double probability, double non_retryable_share) {
  std::lock_guard lock(mutex_);
  failure_rate_.fill(clamp_probability(probability));
  non_retryable_share_ = clamp_probability(non_retryable_share);
}

void FaultInjector::set_failure_rate(Operation operation, double probability) {
  std::lock_guard lock(mutex_);
  failure_rate_[index_of(operation)] = clamp_probability(probability);
}

void FaultInjector::force(ForcedFailure failure) {
  std::lock_guard lock(mutex_);
  forced_.push_back(std::move(failure));
}

void FaultInjector::clear() {
  std::lock_guard lock(mutex_);
  forced_.clear();
  failure_rate_.fill(0.0);
  non_retryable_share_ = 0.0;
}

void FaultInjector::on_call(Operation operation, const std::string& order_id) {
  std::lock_guard lock(mutex_);
  for (auto& forced : forced_) {
    if (forced.operation != operation || forced.calls_to_fail == 0) continue;
    if (!forced.order_id.empty() && forced.order_id != order_id) continue;
    if (forced.calls_to_fail > 0) --forced.calls_to_fail;
    ++failures_injected_;
    fail(operation, order_id, forced.kind, "forced");
  }
  const double rate = failure_rate_[index_of(operation)];
  if (rate <= 0.0) return;
  std::uniform_real_distribution<double> draw(0.0, 1.0);
  if (draw(rng_) >= rate) return;
  const bool non_retryable = !is_compensation(operation) && draw(rng_) < non_retryable_share_;
  ++failures_injected_;
  fail(operation, order_id, non_retryable ? FailureKind::non_retryable : FailureKind::retryable, "injected at random");
}

int FaultInjector::failures_injected() const {
  std::lock_guard lock(mutex_);
  return failures_injected_;
}

}  // namespace order_saga
