#pragma once
// The interpreter inside a workflow instance actor: walks the definition tree, dispatches steps,
// handles results, timeouts, retries, breakers, children and compensation. Each entry point
// mutates the state, then commits: snapshot first, then the messages the transition causes.
#include <actorflow/actors/atoms.hpp>
#include <actorflow/chaos.hpp>
#include <actorflow/actors/circuit_breaker_actor.hpp>

#include "workflow/engine_core.hpp"
#include "store/store_reader.hpp"
#include "store/store_writer.hpp"
#include "workflow/messages.hpp"
#include "workflow/start_request.hpp"
#include "workflow/workflow_instance.hpp"
#include "workflow/workflow_state.hpp"

#include <caf/event_based_actor.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace actorflow {

class WorkflowRunner {
 public:
  WorkflowRunner(caf::event_based_actor* self, Engine::Core& core);
  ~WorkflowRunner();  // cancels this incarnation's timers

  // Resumes from the stored snapshot. False when there is nothing to run (missing, terminal or
  // unreadable).
  bool load(const std::string& workflow_id, InstanceStart start, std::optional<StoredSnapshot> stored,
            const std::vector<InboxSignal>& inbox);
  // Runs a new workflow (workflow_start.cpp): its first transition, and the commit that creates it.
  void begin(StartRequest request);
  // A start of this workflow's id while it runs here. Handled only once the state is the store's
  // (the creating commit is awaited): answers "existed", or already_exists when the definition or
  // the input differ.
  void on_repeated_start(StartRequest request);

  void on_step_done(const std::string& path, uint64_t token, StepOutcome outcome);
  // A suspect job's turn came on a step worker (workflow_crash_recovery.cpp): commits that it
  // runs now, then lets it run.
  void on_suspect_turn(const std::string& path, uint64_t token, SuspectStart start);
  void on_timer(const std::string& path, uint64_t token, TimerKind kind);
  void on_child_done(const std::string& path);
  // The inbox grew: reads the new signals and lets waiting nodes take them.
  void on_signal_notice();
  // The idle timer fired: true when the instance should stop now (passivate), kept as its snapshot.
  bool on_passivate_check(uint64_t idle_token);

  bool terminal() const { return is_terminal(state_.status); }

  // The workflow's shard goes to another node: start nothing more, let the steps already sent
  // finish and be committed, then stop (the supervisor bounds how long this may take).
  void begin_handoff();
  // The engine drained (Engine::drain) and the process is about to end in order: the steps in
  // flight are marked released and committed, so that the next owner does not count their
  // attempts as crashes.
  void release_for_drain();

 private:
  enum class Progress { done, waiting };
  struct InFlight {
    uint64_t token = 0;
    TimerId timer = 0;
    int64_t dispatched_ms = 0;
    bool sent = false;  // the job (or breaker request, or child start) left the instance
  };

  // Walking the definition.
  void advance();
  Progress drive(const Node& node);
  int choose_branch(const Node& node);
  void handle_failure();
  void cancel_waiting_steps();
  bool anything_in_flight() const;

  // Steps.
  void start_step(const Node& node);
  void on_permit(const std::string& path, uint64_t token, const BreakerPermit& permit);
  void dispatch(const Node& node, bool compensation);
  void step_succeeded(const Node& node, Json output, int64_t duration_ms);
  // `then_advance` false: the caller advances (a restore settling several steps first).
  void step_failed(const Node& node, const StepOutcome& outcome, int64_t duration_ms, bool then_advance = true);
  void schedule_retry(const Node& node, Millis delay, TimerKind kind);
  void start_child(const std::string& path, const std::string& definition, const Json& input);
  // Cluster: asks the owner of the child's shard to start it (src/cluster/remote_child_start.cpp).
  void start_remote_child(const std::string& path, const std::string& definition, const Json& input, uint64_t token);
  void child_ended(const std::string& path, const std::optional<StoredSnapshot>& child);
  void quarantine(const std::string& workflow_id, const std::string& snapshot, const std::string& error);

  // Sleeps and signal waits (workflow_waits.cpp).
  Progress drive_sleep(const Node& node);
  Progress drive_wait(const Node& node);
  void on_wake(const Node& node);
  void wait_timed_out(const Node& node);
  bool take_signal_for(const Node& node);
  void fail_wait(const Node& node, const std::string& error);
  void schedule_wake(const Node& node);
  void take_signals(const std::vector<InboxSignal>& inbox);
  const Node* decided_approval(const std::string& signal_name) const;
  // Records an approval that came after the gate's decision (or with it) as refused.
  void refuse_decision(const Node& gate, const PendingSignal& signal, const std::string& taken);
  void cancel_requested(const Json& request);
  bool idle() const;
  void arm_passivation();

  // Compensation.
  void compensate_next();
  void start_compensation(const Node& node);
  void compensation_succeeded(const Node& node, int64_t duration_ms);
  // `retryable` false: it fails for good whatever its retry budget says.
  void compensation_failed(const Node& node, const std::string& error, int64_t duration_ms, bool retryable = true);

  // Crashes (workflow_crash_recovery.cpp). Whether the step's (or its compensation's) attempt in
  // the snapshot ended with its process: loaded other than by an in-process restart, not
  // released, run by a local handler (a child workflow or a remote step runs elsewhere).
  bool died_in_flight(InstanceStart start, const Node& node, const StepRecord& rec, bool compensation) const;
  // That attempt failed (outcome unknown): retried like a timeout, or at crash_attempts_max
  // deaths in a row failed for good. Neither advances: load() does once every step is settled.
  void step_died(const Node& node);
  void compensation_died(const Node& node);
  // StepJob::announce of a suspect job: asks this instance to commit its start, waits (at most `hold`).
  std::function<bool()> announce_suspect(const std::string& path, uint64_t token, Millis hold);
  // Marks every step in flight released; true when one was not yet (a commit is needed).
  bool release_in_flight();

  // Chaos (src/chaos/runner_chaos.cpp): decides the attempt's fault and records it; the job
  // carries it, or a crash waits for the attempt's result.
  void arm_chaos(const Node& node, bool compensation, int attempt, StepJob& job);
  // The crash planned for this attempt happens now (before the commit) or right after the commit.
  void crash_if_planned(const std::string& path, uint64_t token);

  // Ends.
  void finish(WorkflowStatus status, const std::string& error = {});
  void dead_letter(const std::string& reason);

  // Effective settings: step, then workflow, then engine defaults.
  Millis timeout_of(const Node& node) const;
  const RetryPolicy& retry_of(const Node& node) const;
  ErrorStrategy strategy_of(const Node& node) const;
  // What metrics count a step attempt under: its handler, or "child:<definition>".
  std::string handler_label(const Node& node, bool compensation) const;

  void record(std::string_view type, std::string_view step = {}, int attempt = 0, std::string_view from = {},
              std::string_view to = {}, int64_t duration_ms = -1, std::string_view detail = {});
  uint64_t new_flight(const std::string& path);
  void clear_flight(const std::string& path);
  void after_commit(std::function<void()> effect) { outbox_.push_back(std::move(effect)); }
  void after_dispatch(const std::string& path, uint64_t token, std::function<void()> effect);
  void quit_if_handed_off();
  // Sends the step to a node of the cluster that runs `handler` (src/cluster/remote_step_dispatch.cpp);
  // fails it (retryably) at once when no connected node does.
  void dispatch_remote(const std::string& handler, const std::string& path, int attempt, bool compensation,
                       const Json& input, uint64_t token);
  void commit();
  // The creating commit was answered (workflow_start.cpp): false when this instance must stop.
  bool start_acknowledged(WriteResult written);
  // The create found the id taken: answers from the stored workflow, then stops the instance.
  void answer_from_stored(StartReply reply);
  void index(const Node& node);

  caf::event_based_actor* self_;
  Engine::Core& core_;
  std::shared_ptr<const WorkflowDefinition> definition_;
  WorkflowState state_;
  std::map<std::string, const Node*> nodes_;  // steps and children by path
  std::map<std::string, InFlight> in_flight_;
  uint64_t next_token_ = 1;
  uint64_t epoch_ = 0;          // the epoch this incarnation writes with (its shard's when it loaded)
  bool handing_off_ = false;
  int commits_in_flight_ = 0;
  uint64_t idle_token_ = 0;    // bumped by every commit: a passivation check with an older one is stale
  TimerId idle_timer_ = 0;
  std::vector<std::function<void()>> outbox_;
  struct PlannedCrash {
    uint64_t token = 0;
    CrashPoint point = CrashPoint::before_commit;
  };
  std::map<std::string, PlannedCrash> planned_crashes_;  // by step path
  std::optional<StartReply> start_reply_;  // a new workflow until its creating commit is answered
  std::string crash_after_start_;          // the first transition threw: crash once it is stored
};

}  // namespace actorflow
