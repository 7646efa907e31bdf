#pragma once
// How often and how soon a failed step is tried again: exponential backoff with jitter
// (actorflow/retry_delay.hpp draws the delays).
#include <actorflow/export.hpp>
#include <actorflow/clock.hpp>

#include <optional>
#include <string>

namespace ACTORFLOW_API actorflow {

struct RetryPolicy {
  int retries_max = 3;                 // attempts after the first; 0 = never retry
  Millis interval_initial{1000};       // delay before the first retry
  double multiplier = 2.0;             // each further retry waits this much longer
  Millis interval_max{60'000};         // no delay grows beyond this
  double jitter = 0.2;                 // fraction in [0,1): delay drawn from [d*(1-jitter), d]

  // Nothing when the policy makes sense, else what is wrong with it.
  std::optional<std::string> problem() const;
};

}  // namespace actorflow
