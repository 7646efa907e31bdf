#pragma once
// Step workers: detached actors (one thread each) that run sync handlers, so a blocking handler
// never blocks CAF's scheduler. Workers pull jobs from one dispatcher actor, so a slow handler
// delays only its own worker. The dispatcher queues at most `queue_max` jobs; beyond that a job
// fails at once (retryably) with a message naming the limit.
#include "workflow/activity_gauge.hpp"

#include <actorflow/step_handler.hpp>

#include <caf/fwd.hpp>

#include <memory>

namespace actorflow {

// Returns the dispatcher; it accepts (run_atom, StepJob), and (drain_atom): from then on it starts
// no job, keeping new ones queued (they are recorded as dispatched, so the next process runs
// them), and answers (ping_atom) once every job sent before is handed to a worker. Every job
// handed to a worker is held in `running` until its result is sent (an async one until it
// completes). Exiting the dispatcher stops the workers.
caf::actor spawn_step_worker_pool(caf::actor_system& system, int workers, int queue_max,
                                  std::shared_ptr<ActivityGauge> running);

// What a handler's exception means for its step: NonRetryableError fails it without retries,
// anything else retryably. Call it inside a catch block.
StepOutcome outcome_of_current_exception();

}  // namespace actorflow
