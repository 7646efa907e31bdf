#pragma once
// The per-step settings shared by steps, child workflows and a definition's defaults: retry
// policies, error strategies and input mappings.
#include "yaml/source.hpp"

#include <actorflow/error_strategy.hpp>
#include <actorflow/retry_policy.hpp>
#include <actorflow/workflow_definition.hpp>

#include <optional>

namespace actorflow::yaml {

// {max, initial, multiplier, max_interval, jitter}; keys left out keep `base`'s values. Nothing,
// with every problem reported, when malformed or when the policy makes no sense.
std::optional<RetryPolicy> read_retry(MapFields& fields, std::string_view key, const RetryPolicy& base);
// retry | compensate | dead-letter | retry-then-compensate (underscores work too).
std::optional<ErrorStrategy> read_strategy(MapFields& fields, std::string_view key);
// A JSON pointer (the step gets that part of the data), or a map field: pointer. False when
// malformed (reported).
bool read_input(MapFields& fields, std::string_view key, StepSpec& spec);

}  // namespace actorflow::yaml
