#pragma once
// Process isolation of one plugin (node.plugins entry with `isolation: process`): `workers` child
// processes (step_worker.hpp) run its handlers; the node registers, for each handler a worker
// reported, an async engine handler that queues the job for an idle worker and completes the step
// with the worker's answer. Its breakers are registered in the node. One thread per worker
// drives it: starts it (and so is the parent thread its PR_SET_PDEATHSIG watches), hands it jobs,
// answers its ledger calls from the node's store, and restarts it when it dies.
//
// What a worker's end costs: a worker that dies (abort, segfault, exit, a malformed frame) fails
// only the attempt it was running, retryably, with "plugin '<path>': the step worker process died
// while this step ran (<signal or exit code>)"; it is started again after a backoff
// (isolation_limits.hpp). A step that outlives its timeout (the engine tells: step_timed_out) gets
// its worker SIGKILLed and replaced, so a stuck handler cannot hold a worker. Log events:
// worker_started, worker_died, worker_killed, worker_restarted, worker_start_failed, worker_stopped.
#include "isolation_limits.hpp"
#include "worker_protocol.hpp"

#include <actorflow/actorflow.hpp>
#include <actorflow/step_handler.hpp>
#include <actorflow/store.hpp>

#include <sys/types.h>

#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace actorflow::node::isolation {

struct WorkerPoolOptions {
  std::string plugin_path;    // as configured: names the plugin in errors and log lines
  std::string resolved_path;  // the file the workers load
  std::string config_key;     // "node.plugins[1]": named by the queue_max error
  int workers = kWorkersDefault;
  size_t frame_bytes_max = kFrameBytesDefault;
  int queue_max = kQueueDefault;
  std::string program;                  // the worker program (the node's own binary)
  std::vector<std::string> extra_args;  // after --step-worker <resolved_path>: node id, log level...
  std::shared_ptr<Store> ledger;        // the node's store: the workers' StepContext::once
};

class WorkerPool : public std::enable_shared_from_this<WorkerPool> {
 public:
  // Starts the workers and waits until each reported what the plugin registered (each at most
  // kWorkerStartTimeout). Error: the first problem (the plugin did not load, a worker did not
  // answer); the workers started are stopped then.
  static std::variant<std::shared_ptr<WorkerPool>, std::string> start(WorkerPoolOptions options);
  ~WorkerPool();  // stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // What the plugin registered, as its first worker reported it.
  const WorkerCatalog& catalog() const { return catalog_; }
  // Registers the catalog's handlers (as async handlers holding a weak pointer to this pool) and
  // breakers with `engine`. Call once, before workflows are registered.
  void register_with(Engine& engine);
  // Queues the step for an idle worker; `complete` is called once, from a worker's thread (or
  // here, when the queue is full or the pool stopped). Returns at once.
  void submit(const std::string& handler, const StepContext& step, CompleteFn complete);
  // The engine timed this attempt out: the worker running it is killed and replaced (a job still
  // queued is dropped). Returns at once; any thread.
  void step_timed_out(const std::string& workflow_id, const std::string& step_path, int attempt, bool compensation);
  // Stops the workers (the channel closed, SIGKILL after kWorkerStopGrace) and reaps them; queued
  // jobs fail. Idempotent; blocks until every worker thread ended.
  void stop();

 private:
  struct Job {
    std::string handler;
    std::string workflow_id;
    std::string step_path;
    int attempt = 0;
    bool compensation = false;
    Json frame;
    CompleteFn complete;
    bool matches(const std::string& workflow, const std::string& path, int try_number, bool undo) const {
      return workflow_id == workflow && step_path == path && attempt == try_number && compensation == undo;
    }
  };
  struct Slot {
    int index = 0;
    std::thread thread;
    pid_t pid = -1;                // under mutex_; -1 once reaped
    std::optional<Job> job;        // the job it runs (under mutex_, the complete moved out when it ends)
    std::string kill_reason;       // set by step_timed_out (under mutex_)
  };
  // How a worker's run ended.
  struct Ending {
    bool stopping = false;  // the node is stopping
    std::string reason;     // why the node ended it (empty: it died by itself)
    bool killed = false;    // the node killed it (SIGKILL sent)
    bool answered = false;  // it answered at least one step
  };

  explicit WorkerPool(WorkerPoolOptions options);
  void drive(Slot& slot, std::shared_ptr<std::promise<std::optional<std::string>>> started);
  // Spawns a worker and reads its hello; throws std::runtime_error.
  void launch(pid_t& pid, std::unique_ptr<FrameChannel>& channel, WorkerCatalog& catalog);
  // Logs how the worker's run ended and fails the step it was running.
  void report_end(Slot& slot, pid_t pid, const Ending& ending, int wait_status);
  Ending serve(Slot& slot, FrameChannel& channel);
  // Runs `job` on the worker; false when the worker must go (`ending` says why).
  bool run_job(Slot& slot, FrameChannel& channel, Ending& ending);
  void answer_ledger(FrameChannel& channel, const Json& frame);
  // Moves the next queued job into `slot` (false: another worker took it, or it was dropped).
  bool take_job(Slot& slot);
  void kill_worker(Slot& slot);
  // Ends the job `slot` was running (if any) with `outcome`.
  void finish_job(Slot& slot, StepOutcome outcome);
  bool wait_stop(std::chrono::milliseconds delay) const;
  std::string died_error(const std::string& status, const std::string& reason) const;

  const WorkerPoolOptions options_;
  WorkerCatalog catalog_;
  int jobs_fd_ = -1;  // eventfd (semaphore): one count per queued job
  int stop_fd_ = -1;  // eventfd: readable once stop() began
  std::mutex mutex_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace actorflow::node::isolation
