#pragma once
// The waker: brings back passivated workflows whose durable timer (a sleep, a wait's deadline, a
// retry) is due. Every poll interval it reads the store's wake-up index for the next interval and
// schedules each wake-up on the engine's clock at its exact time; the supervisor respawns the
// instance if it is not running. It holds nothing per waiting workflow beyond the next interval,
// and it is detached: the index is read on its own thread.
#include "workflow/engine_core.hpp"

#include <caf/fwd.hpp>

namespace actorflow {

caf::actor spawn_waker(caf::actor_system& system, Engine::Core& core);

}  // namespace actorflow
