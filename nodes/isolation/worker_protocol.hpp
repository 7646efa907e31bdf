#pragma once
// The frames between the node and a step worker (over a FrameChannel), by "type":
//   worker -> node  hello      {sync: [names], async: [names], breakers: [{service, failures_threshold,
//                               window_ms, reset_timeout_ms, half_open_trials_max}]}  once, after loading
//                   refused    {error}                      the plugin did not load; the worker exits
//                   ledger_get {key}  ledger_put {key, value}   StepContext::once of the running job
//                   result     {ok, output} or {ok: false, error, retryable}   the job's answer
//   node -> worker  job        {handler, workflow_id, step_path, attempt, compensation, input}
//                   ledger_value {value: string or null}  ledger_stored {stored}  ledger_error {error}
// A worker runs one job at a time; while it runs, only ledger frames go back and forth.
// The decoders throw FrameError for a frame that lacks a field or has one of the wrong type.
#include "frame_channel.hpp"

#include <actorflow/circuit_breaker.hpp>
#include <actorflow/step_handler.hpp>

#include <string>
#include <utility>
#include <vector>

namespace actorflow::node::isolation {

// What a plugin registered, as its worker reports it.
struct WorkerCatalog {
  std::vector<std::string> sync_handlers;
  std::vector<std::string> async_handlers;
  std::vector<std::pair<std::string, BreakerOptions>> breakers;
};

Json hello_frame(const WorkerCatalog& catalog);
WorkerCatalog catalog_of_hello(const Json& frame);

struct JobFrame {
  std::string handler;
  std::string workflow_id;
  std::string step_path;
  int attempt = 1;
  bool compensation = false;
  Json input;
};

Json job_frame(const std::string& handler, const StepContext& step);
JobFrame job_of_frame(const Json& frame);

Json result_frame(const StepOutcome& outcome);
StepOutcome outcome_of_result(const Json& frame);

// The string field `name` of `frame`; throws FrameError naming it when missing or no string.
std::string string_field(const Json& frame, const char* name);

}  // namespace actorflow::node::isolation
