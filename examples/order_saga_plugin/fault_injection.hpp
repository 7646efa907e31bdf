#pragma once
// Faults a workflow asks for through its input, so that tests of a real node can drive failures,
// compensation, dead letters and slow steps from outside:
//   "fail": "<handler>" or ["<handler>", ...]     that handler fails non-retryably
//   "fail_retryable": "<handler>" or [...]        that handler fails retryably (every attempt)
//   "fail_while_missing": {"<handler>": "<path>"} that handler fails non-retryably while the file
//                                                 <path> does not exist (create it to fix the cause)
//   "slow_ms": {"<handler>": <ms>}                that handler takes <ms> (at most 60000) first
// Compensation handlers see the same fields (their input is the workflow's data).
#include <actorflow/step_handler.hpp>

#include <string>

namespace order_saga_plugin {

// Throws (actorflow::NonRetryableError or std::runtime_error) or sleeps as the step's input asks
// for `handler`; does nothing when it asks for nothing.
void inject_faults(const actorflow::StepContext& step, const std::string& handler);

}  // namespace order_saga_plugin
