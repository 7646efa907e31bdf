#include "purchase_order.hpp"

namespace approval_chain {

using actorflow::Json;
using actorflow::Sequence;
using actorflow::StepContext;
using actorflow::StepSpec;
using actorflow::WaitSpec;

void Ledger::note(const std::string& idempotency_key, const std::string& order_id, const std::string& what) {
  std::lock_guard lock(mutex_);
  if (keys_.insert(idempotency_key).second) notes_[order_id].push_back(what);
}

std::map<std::string, std::vector<std::string>> Ledger::notes() const {
  std::lock_guard lock(mutex_);
  return notes_;
}

actorflow::WorkflowDefinition purchase_order_definition() {
  auto above_threshold = [](const Json& data) { return data.at("amount_cents").get<int>() > kApprovalThresholdCents; };
  return actorflow::WorkflowBuilder(kWorkflow)
      .step(StepSpec("hold_budget", "hold_budget").compensate_with("release_budget"))
      .choice("approval_gate",
              {actorflow::when("amount > 100.00", above_threshold,
                               Sequence().approval(
                                   WaitSpec("manager_approval", kApprovalSignal)
                                       .timeout_after(kManagerTimeout)
                                       .on_timeout_escalate(Sequence().step("tell_director", "tell_director"),
                                                            kDirectorTimeout)))})
      .step("place_order", "place_order")
      .build();
}

void register_purchase_order_handlers(actorflow::Engine& engine, Ledger& ledger) {
  auto noting = [&ledger](std::string what) {
    return [&ledger, what](const StepContext& ctx) {
      ledger.note(ctx.idempotency_key(), ctx.input().at("order_id").get<std::string>(), what);
      return Json{{"done", what}};
    };
  };
  engine.register_handler("hold_budget", noting("budget held"));
  engine.register_handler("release_budget", noting("budget released"));
  engine.register_handler("tell_director", noting("director asked (manager silent for 48 h)"));
  engine.register_handler("place_order", noting("order placed"));
}

}  // namespace approval_chain
