#include "effect_recorder.hpp"

#include "fault_injection.hpp"

#include <unistd.h>

namespace order_saga_plugin {

using actorflow::Json;

EffectRecorder::EffectRecorder(actorflow::Store& store, std::string node_id)
    : store_(store), run_prefix_(std::move(node_id) + "." + std::to_string(::getpid()) + ".") {}

Json EffectRecorder::apply(const actorflow::StepContext& step, const std::string& handler,
                           const std::function<Json()>& effect) {
  const std::string key = step.idempotency_key();
  const std::string run_id = run_prefix_ + std::to_string(++runs_);
  store_.ledger_put(kAttemptPrefix + key + "/" + run_id, Json{{"handler", handler}}.dump());
  inject_faults(step, handler);
  if (const auto recorded = store_.ledger_get(kEffectPrefix + key)) return Json::parse(*recorded).at("result");
  const Json record{{"handler", handler},
                    {"workflow_id", step.workflow_id()},
                    {"step", step.step_path()},
                    {"result", effect()}};
  if (store_.ledger_put(kEffectPrefix + key, record.dump())) {
    // This call applied it. Noted after, so a process that dies in between leaves no run (the
    // effect holds all the same).
    store_.ledger_put(kRunPrefix + key + "/" + run_id, Json{{"handler", handler}}.dump());
    return record.at("result");
  }
  // Another call applied it first (a node that was stopped resumed this one): that one holds.
  return Json::parse(store_.ledger_get(kEffectPrefix + key).value()).at("result");
}

std::optional<Json> EffectRecorder::void_or_forward_effect(const actorflow::StepContext& compensation) {
  const std::string key = kEffectPrefix + compensation.workflow_id() + "/" + compensation.step_path();
  const Json voided{{"handler", kVoidedHandler},
                    {"workflow_id", compensation.workflow_id()},
                    {"step", compensation.step_path()},
                    {"result", {{"voided", true}}}};
  if (store_.ledger_put(key, voided.dump())) return std::nullopt;
  Json recorded = Json::parse(store_.ledger_get(key).value());
  if (recorded.value("handler", "") == kVoidedHandler) return std::nullopt;  // voided by an earlier undo
  return recorded;
}

}  // namespace order_saga_plugin
