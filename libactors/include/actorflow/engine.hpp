#pragma once
// The engine: registers handlers, breakers and workflow definitions, starts workflows and answers
// queries. Each workflow instance runs as an actor under a workflow supervisor; step handlers run
// on step-worker actors. All member functions are thread-safe and may block briefly; none may be
// called from inside a step handler of the same engine except start/query/history.
// Types that only pass through the engine's API are declared here and defined in their headers
// (actorflow/actorflow.hpp includes them all), so that this header stays cheap to include.
#include <actorflow/export.hpp>
#include <actorflow/chaos.hpp>
#include <actorflow/clock.hpp>
#include <actorflow/cluster_options.hpp>
#include <actorflow/error_strategy.hpp>
#include <actorflow/handler_types.hpp>
#include <actorflow/json_fwd.hpp>
#include <actorflow/retry_policy.hpp>
#include <actorflow/status.hpp>
#include <actorflow/store.hpp>
#include <actorflow/workflow_status.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ACTORFLOW_API actorflow {

struct BreakerOptions;               // actorflow/circuit_breaker.hpp
enum class BreakerState : uint8_t;   // actorflow/circuit_breaker.hpp
struct CrashRecovery;                // actorflow/metrics.hpp
struct EngineMetrics;                // actorflow/metrics.hpp
struct HistoryEvent;                 // actorflow/history_event.hpp
struct ScheduleInfo;                 // actorflow/schedule.hpp
struct ScheduleSpec;                 // actorflow/schedule.hpp
struct WorkflowDefinition;           // actorflow/workflow_definition.hpp
struct WorkflowInfo;                 // actorflow/workflow_info.hpp

struct EngineOptions {
  std::shared_ptr<Clock> clock;            // default: the real clock
  std::shared_ptr<Store> store;            // default: memory
  // Set: the durability the store must have been opened with (Store::durability; a memory store
  // has none and is taken as it is: it keeps nothing anyway). The constructor throws
  // std::invalid_argument when the store was opened with less, and logs what the level survives.
  std::optional<Durability> durability;
  // A start whose create has not been committed after this long is answered unavailable ("store
  // unavailable: <reason>"); the commit goes on being retried, so a start retried later finds it.
  Millis store_wait_max{5'000};
  Millis step_timeout_default{30'000};
  RetryPolicy retry_default;               // 3 retries, 1 s doubling, 20% jitter
  ErrorStrategy strategy_default = ErrorStrategy::retry_then_compensate;
  int step_workers = 4;                    // threads for sync handlers
  int step_queue_max = 100'000;            // queued sync steps beyond this fail (retryably)
  int instance_restarts_max = 3;           // an instance crashing more often than this...
  Millis instance_restart_period{60'000};  // ...within this period is dead-lettered
  int breaker_waits_max = 1'000;           // a step denied this often by its breaker fails
  // A step (or compensation) in flight when its process died this many times in a row is not
  // run again: it fails for good with "the process died while this step ran" (the strategy then
  // compensates or dead-letters). Each such death counts as a failed attempt, as a timeout does.
  // The count is in the snapshot, so in a cluster it follows the workflow from node to node.
  // At least 1 (the constructor throws std::invalid_argument otherwise).
  int crash_attempts_max = 2;
  uint64_t seed = 0;                       // jitter randomness; 0 = from the clock
  int scheduler_threads = 0;               // actor scheduler threads; 0 = one per core
  // How idle scheduler threads wait for work. sharing: one queue, an idle thread sleeps until a
  // message comes (no CPU when idle; the better choice on a few cores). stealing: a queue per
  // thread, idle threads poll and steal before they sleep (scales to many cores, but polling
  // costs CPU and a context switch per 50 us sleep while load is light).
  enum class SchedulerPolicy { sharing, stealing };
  SchedulerPolicy scheduler_policy = SchedulerPolicy::sharing;
  // An instance that only waits (signal, sleep, retry backoff) this long is stopped and kept only
  // as its snapshot; a signal or its timer brings it back. None: never.
  std::optional<Millis> passivate_after = Millis(60'000);
  Millis wake_poll_interval{1'000};        // how often the store's wake-up index is read
  std::string node_id;                     // names this process in history events and the cluster
  // Set: this engine is one node of a cluster (node_id required, store shared: Redis). Unset:
  // it runs every workflow of its store alone.
  std::optional<ClusterOptions> cluster;
  // Faults to inject into the step path (actorflow/chaos.hpp); none by default. The constructor
  // throws std::invalid_argument naming every problem of an unusable config.
  ChaosConfig chaos;
  // What a chaos crash_process fault does once the attempt's handler ran; unset: std::abort().
  // For tests that simulate the process's death (the failure-point explorer drops the engine and
  // recovers a new one on the same store). Called on a step worker; must return quickly. The
  // attempt never answers.
  std::function<void()> on_chaos_process_crash;
  // Called once for each workflow that ends here (completed, failed, compensated, dead-lettered),
  // after its final state is durable. It runs on an engine thread: it must return quickly, and
  // must not block nor call Engine methods that wait. For monitors and load drivers.
  std::function<void(const std::string& workflow_id, WorkflowStatus status)> on_workflow_ended;
  // Called when a step (or compensation) attempt outlives its timeout, after the engine has
  // recorded the timeout (a late answer of that attempt is ignored). It runs on an engine thread:
  // it must return quickly and must not call Engine methods that wait. For hosts that run
  // handlers elsewhere: the node's process isolation kills the worker process that runs it.
  std::function<void(const std::string& workflow_id, const std::string& step_path, int attempt, bool compensation)>
      on_step_timed_out;
};

struct StartResult {
  Status status;         // error: unknown definition, bad id...
  bool created = false;  // false: a workflow with this id existed, nothing was started
  bool unavailable = false;  // the error is passing (a cluster shard without a reachable owner): try again
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  ~Engine();  // stops every actor; in-flight workflows stay in the store as they are
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void register_handler(const std::string& name, SyncHandler handler);
  void register_async_handler(const std::string& name, AsyncHandler handler);
  // Declares a handler that other nodes of the cluster run (ClusterOptions::remote_handlers does
  // the same at construction): definitions may name it, and its steps go to a node running it.
  // Error when the engine is not a cluster node.
  Status register_remote_handler(const std::string& name);
  void register_breaker(const std::string& service, BreakerOptions options);
  // Whether a handler (sync, async or remote) or a breaker is registered under the name.
  bool has_handler(const std::string& name) const;
  bool has_breaker(const std::string& service) const;
  // What is registered here, for hosts that run a plugin's handlers elsewhere (the node's process
  // isolation registers a plugin into an engine of its own, then reads it back): the names of
  // the sync and async handlers (not remote ones), by name; the handler under `name`, null when
  // there is none of that kind; the options a breaker was registered with, none when no breaker
  // has that name.
  std::vector<std::string> local_handler_names() const;
  std::shared_ptr<const SyncHandler> find_sync_handler(const std::string& name) const;
  std::shared_ptr<const AsyncHandler> find_async_handler(const std::string& name) const;
  std::optional<BreakerOptions> breaker_options(const std::string& service) const;
  // Every registered workflow definition as (name, version), by name, then version.
  std::vector<std::pair<std::string, int>> definitions() const;
  // Validates fully (every problem reported, one per line) before accepting.
  Status register_workflow(WorkflowDefinition definition);

  // Starts `definition` as workflow `workflow_id` with `input` as its data. Idempotent on the id.
  // On a cluster node the start is made by the owner of the workflow's shard (forwarded to it,
  // waiting for one while the shard moves, up to ClusterOptions::route_timeout).
  // (Without `input`: an empty object.)
  StartResult start(const std::string& definition, const std::string& workflow_id, Json input);
  StartResult start(const std::string& definition, const std::string& workflow_id);
  // As start, but returns at once: `done` is called once with the result, when the start is
  // durable or refused, on an engine thread (so it must return quickly and not block). Many
  // starts in flight share the store's commits: this is how one caller starts thousands a second.
  // (On a cluster node each start is forwarded on a thread of its own.)
  using StartCallback = std::function<void(StartResult)>;
  void start_async(const std::string& definition, const std::string& workflow_id, Json input, StartCallback done);

  // After a process restart: resumes every live workflow in the store from its snapshot (steps in
  // flight are re-dispatched with their idempotency keys). Register definitions and handlers
  // first. Returns how many workflows were resumed. A cluster node joins the cluster here: it
  // publishes its gateway, claims its share of the shards and resumes their workflows (returned);
  // it takes more shards, hands some over and resumes others as nodes come and go.
  int recover();

  // Sends signal `name` with `payload` to the workflow. It is stored in the workflow's inbox before
  // this returns, and taken by the first wait for `name` (now or when the workflow gets there).
  // Errors: no such workflow, the workflow has ended, or its definition waits for no such signal.
  // (Without `payload`: an empty object.)
  Status signal(const std::string& workflow_id, const std::string& name, Json payload);
  Status signal(const std::string& workflow_id, const std::string& name);

  // Cancels the workflow: nothing new starts, running steps finish, completed steps are
  // compensated (newest first); it ends compensated with error "cancelled by <by>: <reason>".
  // Stored in the workflow's inbox before this returns, like a signal. Errors: no such workflow,
  // or it has ended.
  Status cancel(const std::string& workflow_id, const std::string& by, const std::string& reason);

  // The workflow's status and data, read from the store: a waiting or passivated workflow is not
  // woken.
  std::optional<WorkflowInfo> query(const std::string& workflow_id) const;
  std::vector<HistoryEvent> history(const std::string& workflow_id) const;
  std::vector<DeadLetter> dead_letters() const;
  // Workflows as the store lists them (see WorkflowFilter): a page, ordered by id.
  std::vector<WorkflowSummary> list_workflows(const WorkflowFilter& filter) const;

  // Runs a dead-lettered workflow again from where it stopped, for an operator who fixed the cause:
  // the step that failed for good gets a fresh retry budget (or, when its compensation failed,
  // the compensation does; a workflow parked for crashing resumes as it was). Its dead-letter
  // entry goes, history records `by`. Errors: no such workflow, not dead-lettered, unreadable
  // snapshot, its definition version not registered here, the engine draining.
  Status retry_dead_letter(const std::string& workflow_id, const std::string& by);
  // Blocks until the workflow is terminal or `real_wait` passes (then returns its current info).
  std::optional<WorkflowInfo> wait(const std::string& workflow_id,
                                   Millis real_wait = Millis(60'000)) const;
  std::optional<BreakerState> breaker_state(const std::string& service) const;

  // Workflow instance actors alive now (passivated and finished workflows have none).
  size_t running_instances() const;
  // Every registered breaker and its state, by service.
  std::vector<std::pair<std::string, BreakerState>> breakers() const;
  EngineMetrics metrics() const;
  // The latest workflows resumed here after their process died while one of their steps ran
  // (at most kCrashRecoveriesKept, newest last): what /healthz shows of a crash loop.
  std::vector<CrashRecovery> crash_recoveries() const;

  // Before shutdown: stops taking work (start, signal, cancel, retry and schedules are refused or
  // held; steps not yet started stay as they are in the store, to be dispatched by the next
  // recover()), lets the steps already running finish and their results be committed, for at
  // most `deadline`. Steps still running then are abandoned: the next recover() dispatches them
  // again with the same idempotency keys. Nothing is lost either way. Irreversible.
  struct DrainReport {
    bool complete = false;       // every running step finished and every commit was acknowledged
    int64_t steps_abandoned = 0; // still running at the deadline
    int64_t waited_ms = 0;
  };
  DrainReport drain(Millis deadline);
  bool draining() const;
  // Why this engine writes nothing any more (another engine took its store over, see
  // workflow/engine_fence.hpp); empty while it is not fenced. Cleared only by a restart.
  std::string fenced() const;

  // Fault injection: makes the workflow's instance actor crash as if it had a bug.
  void crash_instance(const std::string& workflow_id);
  // Replaces the chaos policies in force (steps dispatched from now on are decided by the new
  // ones; an empty config turns chaos off). Refused, changing nothing, when the config has
  // problems (chaos_problems). Injected faults are counted in metrics().chaos_injected.
  Status set_chaos(ChaosConfig config);
  ChaosConfig chaos() const;

  // For tests on a virtual clock: blocks until the engine is quiet, or `real_wait` (real time)
  // has passed (then false). Quiet: no handler runs, no step job is on its way to a worker, every
  // instance has handled what was sent to it and no commit awaits its acknowledgement, twice in a
  // row with nothing new begun in between. Then only a timer, a call or an async handler's
  // callback makes anything happen. The waker and the scheduler are not waited for.
  bool await_quiet(Millis real_wait = Millis(10'000)) const;

  // ---- Cron schedules (actorflow/schedule.hpp) ----
  // Schedules are stored; they fire once recover() or one of the schedule methods below has been
  // called in this process: register every definition a stored schedule names before that (a
  // fire whose definition is missing waits, retried every wake_poll_interval). Each fire starts
  // workflow "<schedule id>@<fire ms>" (idempotent: a fire repeated after a crash starts nothing).
  // The first thing the scheduler does is catch up the fires missed while no engine ran.

  // Stores the schedule and arms its first fire (the first cron time after now). Errors: bad id,
  // cron text, policy limit or input, an unregistered definition. Creating an id that exists
  // with the same spec changes nothing and is ok (so a program may create its schedules at every
  // start); with a different spec it is an error: delete it first.
  Status create_schedule(ScheduleSpec spec);
  // Every stored schedule, by id, read from the store.
  std::vector<ScheduleInfo> schedules() const;
  std::optional<ScheduleInfo> schedule(const std::string& schedule_id) const;
  // A paused schedule fires nothing (a buffered fire is dropped); its running workflows go on.
  // Resuming goes on from now: the fires that fell while it was paused are not run (the catch-up
  // policy is for fires missed while the engine was down). Pausing a paused schedule or resuming
  // a running one is ok and changes nothing. Error: no such schedule.
  Status pause_schedule(const std::string& schedule_id);
  Status resume_schedule(const std::string& schedule_id);
  // Removes the schedule; the workflows it started go on. Error: no such schedule.
  Status delete_schedule(const std::string& schedule_id);

  // ---- Cluster (EngineOptions::cluster) ----
  // Members, shard leases and the shards this node owns; `enabled` false on a single node.
  ClusterStatus cluster_status() const;
  // The node's HTTP address as the cluster's member records show it; call before recover().
  void set_http_address(const std::string& address);
  // The port the node gateway listens on (after recover(); 0 before, or on a single node).
  uint16_t cluster_port() const;

  Clock& clock() const;
  Store& store() const;

  struct ACTORFLOW_INTERNAL Core;  // shared with the actors; defined in src/, not exported

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace actorflow
