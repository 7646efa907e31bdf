// Core::record and Core::make_write: how a transition becomes history, a log line and a write.
#include <actorflow/logging.hpp>

#include "cluster/cluster_state.hpp"
#include "workflow/engine_core.hpp"

namespace actorflow {

void Engine::Core::record(WorkflowState& state, const EventFields& event) {
  const uint64_t seq = ++state.history_seq;
  const int64_t at_ms = clock->now_ms();
  const bool trouble = event.type.find("failed") != std::string_view::npos ||
                       event.type.find("dead") != std::string_view::npos;
  const auto level = trouble ? spdlog::level::warn : spdlog::level::info;
  if (log_enabled(level)) {
    Json line{{"event", event.type}, {"workflow_id", state.id}, {"definition", state.definition},
              {"version", state.version}};
    if (!event.step.empty()) line["step"] = event.step;
    if (event.attempt > 0) line["attempt"] = event.attempt;
    if (!event.from.empty()) line["from"] = event.from;
    if (!event.to.empty()) line["to"] = event.to;
    if (event.duration_ms >= 0) line["duration_ms"] = event.duration_ms;
    if (!event.detail.empty()) line["detail"] = event.detail;
    log_json(level, line);
  }
  EventFields recorded = event;
  recorded.node = options.node_id;
  state.unsaved_history.push_back(encode_event(seq, at_ms, recorded));
}

WorkflowWrite Engine::Core::make_write(WorkflowState& state, uint64_t write_epoch) {
  WorkflowWrite write;
  write.workflow_id = state.id;
  write.epoch = write_epoch;
  write.shard = cluster ? cluster->shard_of(state.id) : -1;
  write.inbox_seen = state.inbox_seen;
  write.snapshot = encode_state(state, write_epoch);
  write.live = !is_terminal(state.status);
  write.wake_at_ms = next_wake_ms(state);
  write.history = std::move(state.unsaved_history);
  state.unsaved_history.clear();
  write.dead_letter = std::move(state.unsaved_dead_letter);
  state.unsaved_dead_letter.reset();
  write.summary = WorkflowSummary{state.id, state.definition, state.version, state.status, state.started_ms,
                                  clock->now_ms()};
  return write;
}

uint64_t Engine::Core::write_epoch(const std::string& workflow_id) const {
  return cluster ? cluster->epoch_of_shard(cluster->shard_of(workflow_id)) : epoch;
}

void Engine::Core::workflow_ended(const std::string& workflow_id, WorkflowStatus status) {
  if (options.on_workflow_ended) options.on_workflow_ended(workflow_id, status);
  notify_changed();
}

void Engine::Core::notify_changed() {
  {
    std::lock_guard lock(changed_mutex);
    ++changes;
  }
  changed.notify_all();
}

}  // namespace actorflow
