#pragma once
// The engine's shared parts, seen by its actors: registries, clock, store, actor handles.
#include <actorflow/actorflow.hpp>

#include "chaos/chaos_injector.hpp"
#include "workflow/activity_gauge.hpp"
#include "workflow/engine_fence.hpp"
#include "workflow/messages.hpp"
#include "workflow/workflow_state.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/message.hpp>

#include <atomic>
#include <deque>
#include <condition_variable>
#include <variant>
#include <map>
#include <mutex>
#include <random>
#include <shared_mutex>

namespace actorflow {

class ClusterState;
class StepWorkerPool;
class StartDeadlines;

struct ACTORFLOW_INTERNAL Engine::Core : std::enable_shared_from_this<Engine::Core> {
  EngineOptions options;
  std::shared_ptr<Clock> clock;
  std::shared_ptr<Store> store;

  caf::actor_system_config config;
  std::unique_ptr<caf::actor_system> system;
  caf::actor supervisor;
  std::shared_ptr<StepWorkerPool> step_pool;  // runs step handlers (run_step)
  caf::actor store_writer;
  std::shared_ptr<StartDeadlines> start_deadlines;  // EngineOptions::store_wait_max
  caf::actor store_reader;  // snapshot loads for actors, off the scheduler threads
  caf::actor waker;         // respawns passivated workflows whose timers are due
  caf::actor scheduler;     // fires cron schedules (src/schedule/scheduler.hpp)
  std::once_flag waker_started;
  // Starts the waker (once): only after recover() or the first start/signal, so that it never
  // brings back a workflow before the process has registered its definitions.
  void start_waker();
  uint64_t epoch = 0;  // this engine's fencing epoch: every write carries it (single node)
  std::unique_ptr<ClusterState> cluster;  // set when the engine is a cluster node
  caf::actor gateway;                     // cluster: the published node gateway
  caf::actor cluster_transport;           // cluster: its connections (cluster_transport.hpp)
  caf::actor shard_manager;               // cluster: leases, membership, hand-overs
  std::shared_ptr<std::atomic<bool>> store_retries_stop = std::make_shared<std::atomic<bool>>(false);

  mutable std::shared_mutex registry_mutex;
  std::map<std::string, std::shared_ptr<const SyncHandler>> sync_handlers;
  std::map<std::string, std::shared_ptr<const AsyncHandler>> async_handlers;
  std::map<std::string, caf::actor> breakers;
  std::map<std::string, BreakerOptions> breaker_options;  // what each of `breakers` was registered with
  std::map<std::string, std::map<int, std::shared_ptr<const WorkflowDefinition>>> definitions;

  // Held shared by everything that sends into the actor system from outside it (timers, async
  // completions), exclusively by shutdown: nothing is sent into a system being torn down.
  mutable std::shared_mutex send_gate;
  bool stopping = false;

  mutable std::mutex changed_mutex;
  mutable std::condition_variable changed;  // a workflow reached a terminal state
  uint64_t changes = 0;                     // counts those notifications (under changed_mutex)

  // Draining (Engine::drain): no new work is taken; step workers start no queued step.
  std::atomic<bool> draining{false};
  EngineFence fence;  // a single node whose store another engine took over
  std::shared_ptr<ActivityGauge> steps_running = std::make_shared<ActivityGauge>();  // handlers executing
  std::shared_ptr<ActivityGauge> commits_pending = std::make_shared<ActivityGauge>(); // instance writes unacknowledged

  // What metrics() reports besides the store's counts.
  struct Counters {
    std::mutex mutex;
    std::map<std::string, StepMetrics> steps;  // by handler (under mutex)
    std::atomic<uint64_t> workflows_started{0};
    std::atomic<uint64_t> step_retries{0};
    std::atomic<uint64_t> instance_restarts{0};
    std::atomic<uint64_t> dead_letter_retries{0};
    std::atomic<uint64_t> crash_suspected_steps{0};
    std::deque<CrashRecovery> crash_recoveries;  // the latest kCrashRecoveriesKept (under mutex)

    void step_finished(const std::string& handler, bool ok, int64_t duration_ms);
    void step_timed_out(const std::string& handler);
    // Counts it, keeps it for Engine::crash_recoveries and logs it (warn, "step_crash_recovered").
    void crash_recovered(CrashRecovery recovery);
  } counters;

  std::mutex retry_mutex;  // one dead-letter retry at a time: two must not both reopen a workflow

  std::mutex rng_mutex;
  std::mt19937_64 rng;

  std::shared_ptr<ChaosInjector> chaos = std::make_shared<ChaosInjector>();  // fault injection

  std::shared_ptr<const WorkflowDefinition> find_definition(const std::string& name, int version) const;
  std::shared_ptr<const WorkflowDefinition> latest_definition(const std::string& name) const;
  std::shared_ptr<const SyncHandler> find_sync_handler(const std::string& name) const;
  std::shared_ptr<const AsyncHandler> find_async_handler(const std::string& name) const;
  caf::actor find_breaker(const std::string& name) const;

  // Hands the job to a step worker; a full queue fails the step at once (retryably).
  void run_step(StepJob job);
  // Sends `message` to `target` unless the engine is stopping. Safe from any thread.
  void send_from_outside(const caf::actor& target, caf::message message);
  // Schedules `message` to `target` after `delay` on the engine's clock.
  TimerId schedule(Millis delay, std::string label, const caf::actor& target, caf::message message);

  // What is wrong with starting `definition` as `id` with `input`, if anything.
  std::optional<Status> start_problem(const std::string& definition, const std::string& id, const Json& input) const;
  // The state of a new workflow and its definition, or what is wrong with the request.
  std::variant<std::pair<WorkflowState, std::shared_ptr<const WorkflowDefinition>>, Status> make_start_state(
      const std::string& definition, const std::string& id, Json input, const std::string& parent_id,
      const std::string& parent_path);
  // The first write of a new workflow, or what is wrong with the request.
  std::variant<WorkflowWrite, Status> make_start_write(const std::string& definition, const std::string& id,
                                                      Json input, const std::string& parent_id,
                                                      const std::string& parent_path);
  // Has the supervisor run a new instance here, whose first commit creates the workflow.
  // Idempotent on the id. `done` gets the result once, on an engine thread, when that commit is
  // answered; in a cluster an error with `unavailable` when this node does not own the workflow's
  // shard (nothing written). start_here waits for it: not for use inside actors.
  void start_workflow_async(const std::string& definition, const std::string& id, Json input,
                            Engine::StartCallback done, const std::string& parent_id = {},
                            const std::string& parent_path = {});
  StartResult start_here(const std::string& definition, const std::string& id, Json input);
  // Starts the workflow where its shard's owner runs (here on a single node). Blocks the caller.
  StartResult start_workflow(const std::string& definition, const std::string& id, Json input);
  // Engine::retry_dead_letter on this node (the owner's). Blocks.
  Status retry_here(const std::string& workflow_id, const std::string& by);

  // Cluster: the workflow's shard (-1 on a single node); whether a handler runs on other nodes;
  // a write of the workflow was refused as stale (the shard manager drops the shard).
  int write_shard(const std::string& workflow_id) const;
  bool is_remote_handler(const std::string& name) const;
  void shard_fenced(const std::string& workflow_id);
  // Unavailable while draining or fenced, naming what was not done (e.g. "'wf-1' was not started").
  std::optional<Status> write_refusal(const std::string& not_done) const;

  // Numbers and times `event`, adds it to the state's unsaved history and logs it as a JSON line.
  void record(WorkflowState& state, const EventFields& event);
  // The workflow's state when it is there and not terminal, or what stops a signal (`what`).
  std::variant<WorkflowState, Status> signallable(const std::string& workflow_id, const std::string& what);
  // Appends the signal to the workflow's inbox (durably), then tells the supervisor.
  void deliver(const std::string& workflow_id, const std::string& name, const Json& payload);
  // Engine::signal's checks and delivery; throws StoreUnavailable when the store is down.
  Status signal(const std::string& workflow_id, const std::string& name, Json payload);

  // The write that makes the state durable, carrying its unsaved history and dead letter, under
  // `write_epoch` (an instance's: the epoch it runs under; others': write_epoch(id)).
  WorkflowWrite make_write(WorkflowState& state, uint64_t write_epoch);
  // The epoch this process writes the workflow with: the engine's on a single node; in a cluster,
  // the lease epoch of the workflow's shard, 0 when this node does not own it.
  uint64_t write_epoch(const std::string& workflow_id) const;
  // A workflow's terminal state is durable: tells options.on_workflow_ended, wakes Engine::wait.
  void workflow_ended(const std::string& workflow_id, WorkflowStatus status);
  // Wakes Engine::wait callers: a workflow became terminal.
  void notify_changed();

  Millis jittered_delay(const RetryPolicy& policy, int retry);
};

}  // namespace actorflow
