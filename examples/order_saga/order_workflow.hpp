#pragma once
// The order saga: reserve stock, charge, ship, confirm; on a failure that retries cannot fix the
// completed steps are undone newest first (release, refund, cancel the shipment).
#include "order_saga/order_services.hpp"

#include <actorflow/circuit_breaker.hpp>
#include <actorflow/actorflow.hpp>
#include <actorflow/workflow_definition.hpp>

#include <string_view>

namespace order_saga {

inline constexpr std::string_view kOrderSagaWorkflow = "order_saga";
inline constexpr std::string_view kPaymentsBreaker = "payments";

// Step names (also their paths, as the saga is one flat sequence), in order.
inline constexpr std::string_view kReserveInventoryStep = "reserve_inventory";
inline constexpr std::string_view kChargePaymentStep = "charge_payment";
inline constexpr std::string_view kCreateShipmentStep = "create_shipment";
inline constexpr std::string_view kSendConfirmationStep = "send_confirmation";

actorflow::WorkflowDefinition order_saga_definition();

// 5 failures within 10 s open it; after 2 s one trial call may pass.
actorflow::BreakerOptions payments_breaker_options();

// Registers the "payments" breaker and a sync handler per Operation; each reads the order from
// the step input (the workflow data). `services` must outlive `engine`. Call it before
// Engine::register_workflow(order_saga_definition()): the definition names these handlers.
void register_order_handlers(actorflow::Engine& engine, OrderServices& services);

}  // namespace order_saga
