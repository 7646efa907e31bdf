#include <actorflow/retry_delay.hpp>
#include <actorflow/retry_policy.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace actorflow {

Millis retry_delay(const RetryPolicy& policy, int retry, std::mt19937_64& rng) {
  // In double: multiplier^(retry-1) overflows integers long before the cap applies.
  const double grown_ms =
      static_cast<double>(policy.interval_initial.count()) *
      std::pow(policy.multiplier, std::max(0, retry - 1));
  const int64_t capped_ms =
      std::llround(std::min(grown_ms, static_cast<double>(policy.interval_max.count())));
  if (policy.jitter <= 0.0) return Millis(capped_ms);
  const double high_ms = static_cast<double>(capped_ms);
  const double low_ms = high_ms * (1.0 - policy.jitter);
  std::uniform_real_distribution<double> draw(low_ms, high_ms);
  // Rounding must not leave the documented range [d*(1-policy.jitter), d].
  const double drawn_ms = std::clamp(std::round(draw(rng)), std::ceil(low_ms), high_ms);
  return Millis(static_cast<int64_t>(drawn_ms));
}

std::optional<std::string> RetryPolicy::problem() const {
  std::ostringstream out;
  if (retries_max < 0) {
    out << "retries_max must be >= 0, got " << retries_max;
  } else if (interval_initial.count() <= 0) {
    out << "interval_initial must be > 0 ms, got " << interval_initial.count() << " ms";
  } else if (!(multiplier >= 1.0)) {  // negated so that NaN is caught too
    out << "multiplier must be >= 1, got " << multiplier;
  } else if (interval_max < interval_initial) {
    out << "interval_max must be >= interval_initial (" << interval_initial.count() << " ms), got "
        << interval_max.count() << " ms";
  } else if (!(jitter >= 0.0 && jitter < 1.0)) {
    out << "jitter must be in [0, 1), got " << jitter;
  } else {
    return std::nullopt;
  }
  return out.str();
}

}  // namespace actorflow
