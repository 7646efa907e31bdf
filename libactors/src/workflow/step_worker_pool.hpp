#pragma once
// Step workers: detached actors (one thread each) that run sync handlers, so a blocking handler
// never blocks CAF's scheduler. Workers pull jobs from one dispatcher actor, so a slow handler
// delays only its own worker. The dispatcher queues at most `queue_max` jobs; beyond that a job
// fails at once (retryably) with a message naming the limit.
#include <caf/fwd.hpp>

namespace actorflow {

// Returns the dispatcher; it accepts (run_atom, StepJob). Exiting it stops the workers.
caf::actor spawn_step_worker_pool(caf::actor_system& system, int workers, int queue_max);

}  // namespace actorflow
