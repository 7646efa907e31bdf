#pragma once
// Step handlers: user code the engine calls by name.
//  - A sync handler returns the step's output or throws to fail; it runs on a step-worker thread,
//    so it may block. Throw NonRetryableError to fail without retries.
//  - A compensation handler undoes its step. It gets the step's input (the whole data, which holds
//    the step's output under the step's name, when the step maps none). It is retried per the
//    step's retry policy whatever it throws, and must tolerate having nothing to undo: a step that
//    timed out is compensated too, since it may have taken effect. So is a step that fails for
//    good after any of its attempts timed out or was running when its instance died (a late or
//    lost attempt may have taken effect): a compensation may even run before that attempt's
//    effect lands, so a service should refuse a call whose idempotency key was undone.
//  - An async handler must not block for long: it starts the work and calls `complete` exactly
//    once, from any thread, whenever the work ends. It is started on a step-worker thread; if it
//    throws while starting, the step fails as if a sync handler had thrown.
#include <actorflow/export.hpp>
#include <actorflow/handler_types.hpp>
#include <actorflow/json.hpp>

#include <functional>
#include <stdexcept>
#include <string>

namespace ACTORFLOW_API actorflow {

class Store;

class StepContext {
 public:
  StepContext(std::string workflow_id, std::string step_path, int attempt, bool compensation,
              Json input, Store* ledger = nullptr)
      : workflow_id_(std::move(workflow_id)), step_path_(std::move(step_path)), attempt_(attempt),
        compensation_(compensation), input_(std::move(input)), ledger_(ledger) {}

  const std::string& workflow_id() const { return workflow_id_; }
  // Where the step sits in the definition, e.g. "charge" or "fulfil/ship".
  const std::string& step_path() const { return step_path_; }
  // 1 for the first try; retries and re-dispatch after a restore count up.
  int attempt() const { return attempt_; }
  bool is_compensation() const { return compensation_; }
  // Stable across retries and re-dispatch: use it to make side effects happen once.
  std::string idempotency_key() const {
    return workflow_id_ + "/" + step_path_ + (compensation_ ? "#compensate" : "");
  }
  // The step's mapped input (the whole workflow data when the step maps none).
  const Json& input() const { return input_; }

  // The store-backed idempotency ledger: returns the result recorded under `key`, or runs `fn`,
  // records its result under `key` and returns it. When two runs race, the first record wins and
  // both return it. Without a ledger (a context made by hand) it just runs `fn`.
  Json once(const std::string& key, const std::function<Json()>& fn) const;
  // once() keyed by this step's idempotency key.
  Json once(const std::function<Json()>& fn) const { return once(idempotency_key(), fn); }

 private:
  std::string workflow_id_;
  std::string step_path_;
  int attempt_;
  bool compensation_;
  Json input_;
  Store* ledger_;
};

// Thrown by a handler (or passed to `complete`) to fail a step without further retries.
class NonRetryableError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct StepOutcome {
  bool ok = true;
  Json output;
  std::string error;
  bool retryable = true;

  static StepOutcome success(Json output = Json::object()) { return {true, std::move(output), {}, true}; }
  static StepOutcome failure(std::string error, bool retryable = true) {
    return {false, Json(), std::move(error), retryable};
  }
};

}  // namespace actorflow
