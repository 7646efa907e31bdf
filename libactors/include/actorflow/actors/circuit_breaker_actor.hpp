#pragma once
// The actor that guards one external service with a CircuitBreaker (actorflow/circuit_breaker.hpp):
// steps ask it for a permit and tell it their outcome. For programs that build on CAF themselves;
// the engine spawns one per registered breaker.
#include <actorflow/export.hpp>
#include <actorflow/circuit_breaker.hpp>
#include <actorflow/clock.hpp>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include <memory>
#include <string>

namespace ACTORFLOW_API actorflow {

// Spawns the breaker actor for `service`. It answers:
//   (acquire_atom)             -> BreakerPermit
//   (record_atom, bool success)
//   (state_atom)               -> BreakerState
// and logs every state change.
caf::actor spawn_circuit_breaker(caf::actor_system& system, std::string service,
                                 BreakerOptions options, std::shared_ptr<Clock> clock);

}  // namespace actorflow

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actorflow::BreakerPermit)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actorflow::BreakerState)
