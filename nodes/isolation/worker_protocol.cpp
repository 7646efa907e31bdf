#include "worker_protocol.hpp"

namespace actorflow::node::isolation {
namespace {

const Json& field(const Json& frame, const char* name) {
  if (!frame.contains(name))
    throw FrameError("a '" + frame.value("type", std::string("?")) + "' frame without '" + name + "'");
  return frame[name];
}

template <class T>
T typed_field(const Json& frame, const char* name, bool (Json::*is)() const noexcept, const char* what) {
  const Json& value = field(frame, name);
  if (!(value.*is)())
    throw FrameError("a '" + frame.value("type", std::string("?")) + "' frame whose '" + name + "' is no " + what);
  return value.get<T>();
}

std::vector<std::string> names_field(const Json& frame, const char* name) {
  const Json& value = field(frame, name);
  if (!value.is_array()) throw FrameError(std::string("a 'hello' frame whose '") + name + "' is no list");
  std::vector<std::string> names;
  for (const auto& n : value) {
    if (!n.is_string()) throw FrameError(std::string("a 'hello' frame whose '") + name + "' holds a non-string");
    names.push_back(n.get<std::string>());
  }
  return names;
}

}  // namespace

std::string string_field(const Json& frame, const char* name) {
  return typed_field<std::string>(frame, name, &Json::is_string, "string");
}

Json hello_frame(const WorkerCatalog& catalog) {
  Json breakers = Json::array();
  for (const auto& [service, o] : catalog.breakers)
    breakers.push_back({{"service", service},
                        {"failures_threshold", o.failures_threshold},
                        {"window_ms", o.window.count()},
                        {"reset_timeout_ms", o.reset_timeout.count()},
                        {"half_open_trials_max", o.half_open_trials_max}});
  return {{"type", "hello"}, {"sync", catalog.sync_handlers}, {"async", catalog.async_handlers}, {"breakers", breakers}};
}

WorkerCatalog catalog_of_hello(const Json& frame) {
  WorkerCatalog catalog;
  catalog.sync_handlers = names_field(frame, "sync");
  catalog.async_handlers = names_field(frame, "async");
  const Json& breakers = field(frame, "breakers");
  if (!breakers.is_array()) throw FrameError("a 'hello' frame whose 'breakers' is no list");
  for (const auto& b : breakers) {
    if (!b.is_object()) throw FrameError("a 'hello' frame whose 'breakers' holds a non-object");
    BreakerOptions o;
    o.failures_threshold = typed_field<int>(b, "failures_threshold", &Json::is_number_integer, "integer");
    o.window = Millis(typed_field<int64_t>(b, "window_ms", &Json::is_number_integer, "integer"));
    o.reset_timeout = Millis(typed_field<int64_t>(b, "reset_timeout_ms", &Json::is_number_integer, "integer"));
    o.half_open_trials_max = typed_field<int>(b, "half_open_trials_max", &Json::is_number_integer, "integer");
    catalog.breakers.emplace_back(string_field(b, "service"), o);
  }
  return catalog;
}

Json job_frame(const std::string& handler, const StepContext& step) {
  return {{"type", "job"},          {"handler", handler},
          {"workflow_id", step.workflow_id()}, {"step_path", step.step_path()},
          {"attempt", step.attempt()}, {"compensation", step.is_compensation()},
          {"input", step.input()}};
}

JobFrame job_of_frame(const Json& frame) {
  JobFrame job;
  job.handler = string_field(frame, "handler");
  job.workflow_id = string_field(frame, "workflow_id");
  job.step_path = string_field(frame, "step_path");
  job.attempt = typed_field<int>(frame, "attempt", &Json::is_number_integer, "integer");
  job.compensation = typed_field<bool>(frame, "compensation", &Json::is_boolean, "boolean");
  job.input = field(frame, "input");
  return job;
}

Json result_frame(const StepOutcome& outcome) {
  if (outcome.ok) return {{"type", "result"}, {"ok", true}, {"output", outcome.output}};
  return {{"type", "result"}, {"ok", false}, {"error", outcome.error}, {"retryable", outcome.retryable}};
}

StepOutcome outcome_of_result(const Json& frame) {
  if (typed_field<bool>(frame, "ok", &Json::is_boolean, "boolean")) return StepOutcome::success(field(frame, "output"));
  return StepOutcome::failure(string_field(frame, "error"),
                              typed_field<bool>(frame, "retryable", &Json::is_boolean, "boolean"));
}

}  // namespace actorflow::node::isolation
