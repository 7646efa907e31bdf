#pragma once
// The example handlers' effects, kept in the engine store's idempotency ledger so that a test (or
// a person with sqlite3) can see what ran, once per idempotency key, and what was undone:
//   effect/<idempotency key>         {"handler", "workflow_id", "step", "result"}: the effect that
//                                    holds (StepContext::once: recorded once, the first record wins)
//   run/<idempotency key>/<run id>   {"handler"}: one entry each time an effect was applied; more
//                                    than one under a key means it ran twice
// The idempotency key is "<workflow id>/<step path>", plus "#compensate" for an undo. Thread-safe.
#include <actorflow/json.hpp>
#include <actorflow/step_handler.hpp>
#include <actorflow/store.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace order_saga_plugin {

inline constexpr const char* kEffectPrefix = "effect/";
inline constexpr const char* kRunPrefix = "run/";

class EffectRecorder {
 public:
  // `store` (the engine's) must outlive this object; `node_id` names the runs of this process.
  EffectRecorder(actorflow::Store& store, std::string node_id);

  // Applies the faults the workflow's input asks for (fault_injection.hpp), then `effect` once per
  // idempotency key of `step`; returns the effect's result (the recorded one when it ran before).
  actorflow::Json apply(const actorflow::StepContext& step, const std::string& handler,
                        const std::function<actorflow::Json()>& effect);

  // The effect record of the forward step a compensation undoes, if that step took effect.
  std::optional<actorflow::Json> forward_effect(const actorflow::StepContext& compensation) const;

 private:
  actorflow::Store& store_;
  std::string run_prefix_;  // "<node id>.<pid>."
  std::atomic<uint64_t> runs_{0};
};

}  // namespace order_saga_plugin
