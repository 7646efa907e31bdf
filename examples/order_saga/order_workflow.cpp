#include "order_saga/order_workflow.hpp"

#include <actorflow/step_handler.hpp>

#include <string>

namespace order_saga {
namespace {

using actorflow::Json;
using actorflow::StepContext;
using actorflow::StepSpec;

StepSpec saga_step(std::string_view name, Operation action, Operation undo) {
  return StepSpec(std::string(name), handler_name(action)).compensate_with(handler_name(undo));
}

}  // namespace

actorflow::WorkflowDefinition order_saga_definition() {
  return actorflow::WorkflowBuilder(std::string(kOrderSagaWorkflow))
      .step(saga_step(kReserveInventoryStep, Operation::inventory_reserve, Operation::inventory_release))
      .step(saga_step(kChargePaymentStep, Operation::payment_charge, Operation::payment_refund)
                .guarded_by(std::string(kPaymentsBreaker)))
      .step(saga_step(kCreateShipmentStep, Operation::shipping_create, Operation::shipping_cancel))
      // Never compensated while it is the last step (a saga whose steps all completed is not
      // undone), but it says how a confirmation would be taken back if steps are added after it.
      .step(saga_step(kSendConfirmationStep, Operation::notify_confirmation, Operation::notify_cancellation))
      .build();
}

actorflow::BreakerOptions payments_breaker_options() {
  actorflow::BreakerOptions options;
  options.failures_threshold = 5;
  options.window = actorflow::Millis(10'000);
  options.reset_timeout = actorflow::Millis(2'000);
  options.half_open_trials_max = 1;
  return options;
}

void register_order_handlers(actorflow::Engine& engine, OrderServices& services) {
  engine.register_breaker(std::string(kPaymentsBreaker), payments_breaker_options());

  auto on = [&engine](Operation operation, actorflow::SyncHandler handler) {
    engine.register_handler(handler_name(operation), std::move(handler));
  };
  on(Operation::inventory_reserve, [&services](const StepContext& ctx) {
    return services.inventory.reserve(ctx.idempotency_key(), order_from_json(ctx.input()));
  });
  on(Operation::inventory_release, [&services](const StepContext& ctx) {
    return services.inventory.release(ctx.idempotency_key(), order_id_from_json(ctx.input()));
  });
  on(Operation::payment_charge, [&services](const StepContext& ctx) {
    return services.payments.charge(ctx.idempotency_key(), order_from_json(ctx.input()));
  });
  on(Operation::payment_refund, [&services](const StepContext& ctx) {
    return services.payments.refund(ctx.idempotency_key(), order_id_from_json(ctx.input()));
  });
  on(Operation::shipping_create, [&services](const StepContext& ctx) {
    return services.shipments.create(ctx.idempotency_key(), order_from_json(ctx.input()));
  });
  on(Operation::shipping_cancel, [&services](const StepContext& ctx) {
    return services.shipments.cancel(ctx.idempotency_key(), order_id_from_json(ctx.input()));
  });
  on(Operation::notify_confirmation, [&services](const StepContext& ctx) {
    return services.notifications.send_confirmation(ctx.idempotency_key(), order_from_json(ctx.input()));
  });
  on(Operation::notify_cancellation, [&services](const StepContext& ctx) {
    return services.notifications.send_cancellation(ctx.idempotency_key(), order_id_from_json(ctx.input()));
  });
}

}  // namespace order_saga
