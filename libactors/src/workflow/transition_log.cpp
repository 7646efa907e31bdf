// Core::record and Core::persist: how a transition becomes history, a log line and a snapshot.
#include <actorflow/logging.hpp>

#include "workflow/engine_core.hpp"

namespace actorflow {

void Engine::Core::record(WorkflowState& state, HistoryEvent event) {
  event.seq = ++state.history_seq;
  event.at_ms = clock->now_ms();
  Json line{{"event", event.type}, {"workflow_id", state.id}, {"definition", state.definition},
            {"version", state.version}};
  if (!event.step.empty()) line["step"] = event.step;
  if (event.attempt > 0) line["attempt"] = event.attempt;
  if (!event.from.empty()) line["from"] = event.from;
  if (!event.to.empty()) line["to"] = event.to;
  if (event.duration_ms >= 0) line["duration_ms"] = event.duration_ms;
  if (!event.detail.empty()) line["detail"] = event.detail;
  const bool trouble = event.type.find("failed") != std::string::npos ||
                       event.type.find("dead") != std::string::npos;
  log_json(trouble ? spdlog::level::warn : spdlog::level::info, line);
  store->append_history(state.id, event);
}

void Engine::Core::persist(const WorkflowState& state) {
  Status saved = store->save(state.id, encode_state(state));
  if (!saved) {
    log_json(spdlog::level::err, {{"event", "snapshot_write_failed"}, {"workflow_id", state.id},
                                  {"detail", saved.message()}});
  }
  if (is_terminal(state.status)) {
    std::lock_guard lock(changed_mutex);
    changed.notify_all();
  }
}

}  // namespace actorflow
