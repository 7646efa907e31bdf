#include "step_worker.hpp"

#include "frame_channel.hpp"
#include "isolation_limits.hpp"
#include "ledger_proxy_store.hpp"
#include "worker_protocol.hpp"

#include <actorflow/bounded_parse.hpp>
#include <actorflow/logging.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <future>
#include <iostream>
#include <map>
#include <memory>

namespace actorflow::node::isolation {
namespace {

constexpr int kExitRefused = 2;    // the plugin did not load, or the command line is wrong
constexpr int kExitMalformed = 3;  // the node sent something that is no job

struct WorkerArgs {
  std::string plugin_path;
  std::string node_id;
  pid_t parent_pid = 0;
  size_t frame_bytes_max = kFrameBytesDefault;
  size_t json_depth_max = 0;  // 0: the default
  std::string log_level = "info";
};

std::optional<WorkerArgs> parse_args(int argc, char** argv, std::string& problem) {
  if (argc < 3) {
    problem = "expected --step-worker <plugin path>";
    return std::nullopt;
  }
  WorkerArgs args;
  args.plugin_path = argv[2];
  std::map<std::string, std::string> options;
  for (int i = 3; i + 1 < argc; i += 2) options[argv[i]] = argv[i + 1];
  try {
    if (options.count("--node-id")) args.node_id = options["--node-id"];
    if (options.count("--parent-pid")) args.parent_pid = static_cast<pid_t>(std::stol(options["--parent-pid"]));
    if (options.count("--frame-bytes-max")) args.frame_bytes_max = std::stoul(options["--frame-bytes-max"]);
    if (options.count("--json-depth-max")) args.json_depth_max = std::stoul(options["--json-depth-max"]);
    if (options.count("--log-level")) args.log_level = options["--log-level"];
  } catch (const std::exception&) {
    problem = "a step worker option that is no number";
    return std::nullopt;
  }
  return args;
}

// Dies with the node, and keeps nothing of the node's open files but its channel.
void detach_from_node(pid_t parent_pid) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (parent_pid != 0 && getppid() != parent_pid) _exit(1);  // the node died before prctl
  close_range(kWorkerChannelFd + 1, ~0U, 0);
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_UNBLOCK, &all, nullptr);
}

WorkerCatalog catalog_of(const Engine& engine) {
  WorkerCatalog catalog;
  for (const auto& name : engine.local_handler_names()) {
    if (engine.find_sync_handler(name)) catalog.sync_handlers.push_back(name);
    else catalog.async_handlers.push_back(name);
  }
  for (const auto& [service, state] : engine.breakers())
    if (auto options = engine.breaker_options(service)) catalog.breakers.emplace_back(service, *options);
  return catalog;
}

StepOutcome outcome_of_exception() {
  try {
    throw;
  } catch (const NonRetryableError& e) {
    return StepOutcome::failure(e.what(), false);
  } catch (const std::exception& e) {
    return StepOutcome::failure(e.what(), true);
  } catch (...) {
    return StepOutcome::failure("handler threw a non-standard exception", true);
  }
}

StepOutcome run_async(const AsyncHandler& handler, const StepContext& step) {
  auto answered = std::make_shared<std::promise<StepOutcome>>();
  auto once = std::make_shared<std::atomic<bool>>(false);
  std::future<StepOutcome> outcome = answered->get_future();
  try {
    handler(step, [answered, once](StepOutcome result) {
      if (!once->exchange(true)) answered->set_value(std::move(result));
    });
  } catch (...) {
    if (!once->exchange(true)) return outcome_of_exception();
  }
  return outcome.get();  // the node kills a worker whose step outlives its timeout
}

StepOutcome run_job(const Engine& engine, const JobFrame& job, LedgerProxyStore& ledger) {
  const StepContext step(job.workflow_id, job.step_path, job.attempt, job.compensation, job.input, &ledger);
  ledger.set_job_running(true);
  StepOutcome outcome;
  if (auto sync = engine.find_sync_handler(job.handler)) {
    try {
      outcome = StepOutcome::success((*sync)(step));
    } catch (...) {
      outcome = outcome_of_exception();
    }
  } else if (auto async = engine.find_async_handler(job.handler)) {
    outcome = run_async(*async, step);
  } else {
    outcome = StepOutcome::failure("the step worker has no handler '" + job.handler + "'", false);
  }
  ledger.set_job_running(false);
  return outcome;
}

int serve(const Engine& engine, FrameChannel& channel) {
  LedgerProxyStore ledger(channel);
  while (true) {
    std::optional<Json> frame;
    try {
      frame = channel.read();
    } catch (const ChannelClosed&) {
      return 0;  // the node is done with this worker
    }
    if (!frame || (*frame)["type"] != "job") throw FrameError("expected a 'job' frame");
    const StepOutcome outcome = run_job(engine, job_of_frame(*frame), ledger);
    try {
      channel.write(result_frame(outcome));
    } catch (const FrameError& e) {
      channel.write(result_frame(StepOutcome::failure(std::string("the step's output is too large: ") + e.what())));
    }
  }
}

}  // namespace

bool is_step_worker_command(int argc, char** argv) {
  return argc >= 2 && std::strcmp(argv[1], kStepWorkerFlag) == 0;
}

int run_step_worker(int argc, char** argv, const PluginRegistrar& load_plugin) {
  std::string problem;
  const auto args = parse_args(argc, argv, problem);
  if (!args) {
    std::cerr << "actorflow-node --step-worker: " << problem << "\n";
    return kExitRefused;
  }
  if (fcntl(kWorkerChannelFd, F_GETFD) < 0) {
    std::cerr << "actorflow-node --step-worker: no channel on fd " << kWorkerChannelFd
              << " (a step worker is started by the node, for a plugin with isolation: process)\n";
    return kExitRefused;
  }
  detach_from_node(args->parent_pid);
  if (args->json_depth_max > 0) set_json_depth_max(args->json_depth_max);
  logger()->set_level(spdlog::level::from_str(args->log_level));
  FrameChannel channel(kWorkerChannelFd, args->frame_bytes_max);
  try {
    EngineOptions options;
    options.scheduler_threads = 1;
    options.step_workers = 1;
    options.passivate_after.reset();
    options.node_id = args->node_id;
    Engine engine(std::move(options));
    if (auto refused = load_plugin(engine, args->plugin_path, args->node_id)) {
      channel.write({{"type", "refused"}, {"error", *refused}});
      return kExitRefused;
    }
    channel.write(hello_frame(catalog_of(engine)));
    const int code = serve(engine, channel);
    std::fflush(nullptr);
    _exit(code);  // the plugin's statics and threads are not the node's business at exit
  } catch (const ChannelClosed&) {
    _exit(0);
  } catch (const std::exception& e) {
    log_json(spdlog::level::err, {{"event", "step_worker_failed"}, {"plugin", args->plugin_path}, {"error", e.what()}});
    std::fflush(nullptr);
    _exit(kExitMalformed);
  }
}

}  // namespace actorflow::node::isolation
