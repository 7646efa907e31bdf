#pragma once
// The example handlers' effects, kept in the engine store's idempotency ledger so that a test (or
// a person with sqlite3) can see what ran, once per idempotency key, and what was undone. The
// handlers act as services that take an idempotency key do: the first application under a key is
// the only one (its record is written with put-if-absent, atomically), and a repeat (a retry, a
// step dispatched again after a crash, a node that was stopped and resumes its handler after
// another node took the workflow over) gets the first one's result.
//   effect/<idempotency key>          {"handler", "workflow_id", "step", "result"}: the effect that
//                                     holds; handler "voided": an undo came first, nothing holds
//   run/<idempotency key>/<run id>    {"handler"}: the process that applied it (one entry: more than
//                                     one would mean it was applied twice)
//   attempt/<idempotency key>/<run id> {"handler"}: one entry each time a handler was called for the
//                                     key (more than one: the step ran again, at least once)
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
inline constexpr const char* kAttemptPrefix = "attempt/";
inline constexpr const char* kVoidedHandler = "voided";

class EffectRecorder {
 public:
  // `store` (the engine's) must outlive this object; `node_id` names the runs of this process.
  EffectRecorder(actorflow::Store& store, std::string node_id);

  // Applies the faults the workflow's input asks for (fault_injection.hpp), then `effect` once per
  // idempotency key of `step`; returns the effect's result (the recorded one when it ran before).
  actorflow::Json apply(const actorflow::StepContext& step, const std::string& handler,
                        const std::function<actorflow::Json()>& effect);

  // The effect record of the forward step a compensation undoes, if that step took effect. If it
  // did not, its key is voided first (a record of handler "voided"), as services that take
  // idempotency keys do for a cancel that comes before the call: a forward attempt still in
  // flight (it timed out, or its node was stopped) then finds the key used and applies nothing.
  std::optional<actorflow::Json> void_or_forward_effect(const actorflow::StepContext& compensation);

 private:
  actorflow::Store& store_;
  std::string run_prefix_;  // "<node id>.<pid>."
  std::atomic<uint64_t> runs_{0};
};

}  // namespace order_saga_plugin
