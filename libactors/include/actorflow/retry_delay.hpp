#pragma once
// The delays a RetryPolicy makes: apart from the policy, so that what only names a policy does not
// pay for <random>.
#include <actorflow/export.hpp>
#include <actorflow/clock.hpp>
#include <actorflow/retry_policy.hpp>

#include <random>

namespace ACTORFLOW_API actorflow {

// Delay before retry number `retry` (1 = the first retry) of `policy`, jittered with `rng`.
Millis retry_delay(const RetryPolicy& policy, int retry, std::mt19937_64& rng);

}  // namespace actorflow
