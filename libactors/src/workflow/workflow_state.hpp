#pragma once
// Everything a workflow instance needs to resume: the snapshot written after every transition.
#include <actorflow/history_event.hpp>
#include <actorflow/json.hpp>
#include <actorflow/workflow_info.hpp>
#include <actorflow/workflow_status.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace actorflow {

enum class StepStatus {
  pending,       // not started
  running,       // dispatched, result awaited
  retry_wait,    // failed, waiting for the backoff (or the breaker) before the next attempt
  completed,
  failed,        // failed for good
  cancelled,     // a sibling failed first; never finished
  compensating,  // its compensation is dispatched
  compensated,
  compensation_wait,  // its compensation failed, waiting for the backoff before trying again
  sleeping,           // a durable timer: wakes at retry_at_ms
  waiting,            // waits for a signal, until retry_at_ms (0: no deadline)
};
std::string_view to_string(StepStatus status);

struct StepRecord {
  StepStatus status = StepStatus::pending;
  int attempts = 0;              // dispatches so far, including re-dispatch after a restore
  int failures = 0;              // failed attempts; the retry budget counts these
  int breaker_waits = 0;         // times its breaker said "not now"
  int compensation_attempts = 0;
  int compensation_failures = 0;
  int64_t retry_at_ms = 0;       // retry_wait: next attempt; sleeping: wake-up; waiting: deadline
  std::string error;             // last error
  int timeouts = 0;              // waits: deadlines passed
  // An attempt ended without an answer (it timed out, or it was running when its instance died):
  // it may have taken effect, so a step that then fails for good is compensated too.
  bool outcome_unknown = false;
  // Process deaths in a row while an attempt of the step (of its compensation) was in flight: a
  // step found running when its workflow is resumed elsewhere than by an in-process restart.
  // Reset when an attempt ends with an answer; at EngineOptions::crash_attempts_max the step is
  // not run again (workflow_crash_recovery.cpp).
  int crashes = 0;
  int compensation_crashes = 0;
  // In flight, but the process let go of it in order (a drain or a hand-over): the next owner
  // dispatches it again without counting a crash. Cleared by the next dispatch.
  bool released = false;
};

struct PendingSignal {
  uint64_t seq = 0;
  std::string name;
  Json payload;
  int64_t at_ms = 0;
};

struct WorkflowState {
  std::string id;
  std::string definition;
  int version = 1;
  WorkflowStatus status = WorkflowStatus::running;
  Json data;
  std::string error;
  std::map<std::string, StepRecord> steps;   // by step path
  std::map<std::string, int> choices;        // choice path -> branch taken (-1: none)
  std::vector<std::string> completed;        // step paths in completion order
  size_t compensations_done = 0;             // entries of `completed` undone, from the back
  std::string failed_step;                   // set once a step has failed for good
  std::string parent_id;                     // set on child workflows
  std::string parent_path;
  int restarts = 0;
  uint64_t history_seq = 0;
  int64_t started_ms = 0;
  std::vector<PendingSignal> pending_signals;  // received, in arrival order, not yet waited for
  uint64_t inbox_seen = 0;                     // inbox sequence numbers up to this are taken
  uint64_t input_digest = 0;  // of the start input: a start of the same id tells a retry from a clash

  // Not part of the snapshot: what the next commit writes besides it.
  std::vector<std::string> unsaved_history;   // encoded events since the last commit
  std::optional<DeadLetter> unsaved_dead_letter;
};

// Protobuf (actorflow.pb.WorkflowSnapshot); `epoch` is the writer's fencing epoch.
std::string encode_state(const WorkflowState& state, uint64_t epoch);
// Nothing when `bytes` is not a snapshot; `error` then says why.
std::optional<WorkflowState> decode_state(const std::string& bytes, std::string* error);
WorkflowInfo to_info(const WorkflowState& state);
// A fingerprint of a start input (never 0), stable across processes and versions.
uint64_t digest_input(const Json& input);
// When the workflow next needs to run by itself (earliest durable timer or deadline); 0: never.
int64_t next_wake_ms(const WorkflowState& state);

// A history event's fields, viewed: what a transition records, encoded without copying them first.
struct EventFields {
  std::string_view type;
  std::string_view step;
  int attempt = 0;
  std::string_view from;
  std::string_view to;
  int64_t duration_ms = -1;
  std::string_view detail;
  std::string_view node;  // Core::record sets the engine's node id
};
std::string encode_event(uint64_t seq, int64_t at_ms, const EventFields& fields);
std::string encode_event(const HistoryEvent& event);
std::optional<HistoryEvent> decode_event(const std::string& bytes);

}  // namespace actorflow
