#include "effect_recorder.hpp"

#include "fault_injection.hpp"

#include <unistd.h>

namespace order_saga_plugin {

using actorflow::Json;

EffectRecorder::EffectRecorder(actorflow::Store& store, std::string node_id)
    : store_(store), run_prefix_(std::move(node_id) + "." + std::to_string(::getpid()) + ".") {}

Json EffectRecorder::apply(const actorflow::StepContext& step, const std::string& handler,
                           const std::function<Json()>& effect) {
  inject_faults(step, handler);
  const std::string key = step.idempotency_key();
  const Json record = step.once(kEffectPrefix + key, [&] {
    Json result = effect();
    // Noted when the effect is applied, so a run that dies before this point leaves no trace.
    store_.ledger_put(kRunPrefix + key + "/" + run_prefix_ + std::to_string(++runs_), Json{{"handler", handler}}.dump());
    return Json{{"handler", handler},
                {"workflow_id", step.workflow_id()},
                {"step", step.step_path()},
                {"result", std::move(result)}};
  });
  return record.at("result");
}

std::optional<Json> EffectRecorder::forward_effect(const actorflow::StepContext& compensation) const {
  const auto recorded = store_.ledger_get(kEffectPrefix + compensation.workflow_id() + "/" + compensation.step_path());
  if (!recorded) return std::nullopt;
  return Json::parse(*recorded);
}

}  // namespace order_saga_plugin
