#pragma once
// The types of step handlers (actorflow/step_handler.hpp defines what they receive and return),
// for headers that only register or pass handlers around.
#include <actorflow/export.hpp>
#include <actorflow/json_fwd.hpp>

#include <functional>

namespace ACTORFLOW_API actorflow {

class StepContext;
struct StepOutcome;

// Runs on a step worker thread and returns the step's output; a throw fails the attempt
// (NonRetryableError: for good).
using SyncHandler = std::function<Json(const StepContext&)>;
// Called once with the outcome of an async handler, from any thread.
using CompleteFn = std::function<void(StepOutcome)>;
// Starts the work and returns; the work calls `complete` once, later, from any thread.
using AsyncHandler = std::function<void(const StepContext&, CompleteFn complete)>;

}  // namespace actorflow
