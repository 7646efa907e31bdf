#pragma once
// The handlers config/workflows needs, registered with a node's engine:
//  - order_saga.yaml: inventory.reserve/release, payment.charge/refund (behind the "payments"
//    circuit breaker), shipping.create/cancel, notify.confirmation/cancellation;
//  - approval_chain.yaml (purchase_order): hold_budget/release_budget, tell_director, place_order.
// A forward handler records an effect named after the workflow ("payment-<workflow id>"); an undo
// handler undoes what its step recorded and says so ({"undone": true, "undid": {...}}), or says
// there was nothing to undo. Every effect goes through the EffectRecorder, so faults can be
// injected through the workflow input (fault_injection.hpp).
#include "effect_recorder.hpp"

#include <actorflow/engine.hpp>

#include <memory>

namespace order_saga_plugin {

inline constexpr const char* kPaymentsBreaker = "payments";

void register_order_saga_handlers(actorflow::Engine& engine, std::shared_ptr<EffectRecorder> effects);
void register_purchase_order_handlers(actorflow::Engine& engine, std::shared_ptr<EffectRecorder> effects);

}  // namespace order_saga_plugin
