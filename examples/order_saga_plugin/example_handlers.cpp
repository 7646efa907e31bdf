#include "example_handlers.hpp"

#include <actorflow/circuit_breaker.hpp>
#include <actorflow/json.hpp>
#include <actorflow/step_handler.hpp>

#include <string>

namespace order_saga_plugin {
namespace {

using actorflow::Json;
using actorflow::StepContext;

// A handler that applies an effect: {"<id_field>": "<id_prefix>-<workflow id>"}.
actorflow::SyncHandler forward(std::shared_ptr<EffectRecorder> effects, std::string handler, std::string id_field,
                               std::string id_prefix) {
  return [effects, handler, id_field, id_prefix](const StepContext& step) {
    return effects->apply(step, handler, [&] { return Json{{id_field, id_prefix + "-" + step.workflow_id()}}; });
  };
}

// A handler that undoes what its step recorded, if anything (a step that timed out may have).
actorflow::SyncHandler undo(std::shared_ptr<EffectRecorder> effects, std::string handler) {
  return [effects, handler](const StepContext& step) {
    return effects->apply(step, handler, [&] {
      const auto forward_effect = effects->void_or_forward_effect(step);
      if (!forward_effect) return Json{{"undone", false}, {"reason", "the step took no effect (its key is voided)"}};
      return Json{{"undone", true}, {"undid", forward_effect->at("result")}};
    });
  };
}

}  // namespace

void register_order_saga_handlers(actorflow::Engine& engine, std::shared_ptr<EffectRecorder> effects) {
  actorflow::BreakerOptions payments;
  payments.failures_threshold = 5;
  payments.window = actorflow::Millis(60'000);
  payments.reset_timeout = actorflow::Millis(10'000);
  engine.register_breaker(kPaymentsBreaker, payments);

  engine.register_handler("inventory.reserve", forward(effects, "inventory.reserve", "reservation_id", "reservation"));
  engine.register_handler("inventory.release", undo(effects, "inventory.release"));
  engine.register_handler("payment.charge", forward(effects, "payment.charge", "payment_id", "payment"));
  engine.register_handler("payment.refund", undo(effects, "payment.refund"));
  engine.register_handler("shipping.create", forward(effects, "shipping.create", "shipment_id", "shipment"));
  engine.register_handler("shipping.cancel", undo(effects, "shipping.cancel"));
  engine.register_handler("notify.confirmation",
                          forward(effects, "notify.confirmation", "notification_id", "confirmation"));
  engine.register_handler("notify.cancellation", undo(effects, "notify.cancellation"));
}

void register_purchase_order_handlers(actorflow::Engine& engine, std::shared_ptr<EffectRecorder> effects) {
  engine.register_handler("hold_budget", forward(effects, "hold_budget", "hold_id", "hold"));
  engine.register_handler("release_budget", undo(effects, "release_budget"));
  engine.register_handler("tell_director", forward(effects, "tell_director", "notice_id", "director-notice"));
  engine.register_handler("place_order", forward(effects, "place_order", "purchase_id", "purchase"));
}

}  // namespace order_saga_plugin
