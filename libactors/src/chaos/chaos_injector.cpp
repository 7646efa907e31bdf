#include "chaos/chaos_injector.hpp"

#include "workflow/engine_core.hpp"
#include "workflow/step_worker_pool.hpp"

#include <actorflow/logging.hpp>

#include <caf/all.hpp>

#include <cstdlib>

namespace actorflow {

Status ChaosInjector::configure(ChaosConfig config) {
  if (auto problems = chaos_problems(config); !problems.empty()) return Status::errors(problems);
  auto next = std::make_shared<const ChaosConfig>(std::move(config));
  std::lock_guard lock(mutex_);
  enabled_.store(next->enabled(), std::memory_order_release);
  config_ = std::move(next);
  return Status::ok();
}

ChaosConfig ChaosInjector::config() const {
  std::lock_guard lock(mutex_);
  return *config_;
}

std::optional<ChaosFault> ChaosInjector::decide(const ChaosSite& site) const {
  if (!enabled_.load(std::memory_order_acquire)) return std::nullopt;
  std::shared_ptr<const ChaosConfig> config;
  {
    std::lock_guard lock(mutex_);
    config = config_;
  }
  return decide_chaos(*config, site);
}

ChaosCounts ChaosInjector::counts() const {
  ChaosCounts counts;
  for (size_t i = 0; i < counts_.size(); ++i) counts.by_kind[i] = counts_[i].load(std::memory_order_relaxed);
  return counts;
}

void arm_chaos_job(Engine::Core& core, StepJob& job, const ChaosFault& fault) {
  std::weak_ptr<Engine::Core> weak_core = core.shared_from_this();
  if (!job.complete) {  // a sync job: answer the instance as its worker would
    job.complete = [weak_core, reply_to = job.reply_to, path = job.path, token = job.token](StepOutcome outcome) {
      if (auto alive = weak_core.lock())
        alive->send_from_outside(reply_to, caf::make_message(step_done_atom::value, path, token, std::move(outcome)));
    };
  }
  // The real handler, sync or async, ending through `done` whatever it does.
  auto call = [sync = job.handler, async = job.async_handler](const StepContext& context, const CompleteFn& done) {
    try {
      if (async) (*async)(context, done);
      else done(StepOutcome::success((*sync)(context)));
    } catch (...) {
      done(outcome_of_current_exception());
    }
  };
  std::shared_ptr<ChaosInjector> chaos = core.chaos;
  const ChaosPolicy policy = fault.policy;
  AsyncHandler faulty;
  switch (policy.kind) {
    case ChaosKind::fail: {
      const std::string error = "chaos: injected failure (chaos policy " + std::to_string(fault.policy_index + 1) + ")";
      faulty = [chaos, error, retryable = policy.retryable](const StepContext&, CompleteFn complete) {
        chaos->count(ChaosKind::fail);
        complete(StepOutcome::failure(error, retryable));
      };
      break;
    }
    case ChaosKind::hang:
      // `complete` is dropped unanswered: the step's timeout decides.
      faulty = [chaos](const StepContext&, CompleteFn) { chaos->count(ChaosKind::hang); };
      break;
    case ChaosKind::drop_reply:
      faulty = [chaos, call](const StepContext& context, CompleteFn) {
        call(context, [chaos](StepOutcome) { chaos->count(ChaosKind::drop_reply); });
      };
      break;
    case ChaosKind::delay: {
      // The reply is parked on the engine's clock and answered without the worker's activity
      // token: a delayed reply is not a running handler (a test waiting for quiet moves time).
      std::shared_ptr<Clock> clock = core.clock;
      const std::string label = job.context->workflow_id() + "/" + job.path + " chaos-delay";
      faulty = [chaos, call, clock, label, delay = policy.delay, deliver = job.complete](const StepContext& context,
                                                                                        CompleteFn) {
        call(context, [chaos, clock, label, delay, deliver](StepOutcome outcome) {
          chaos->count(ChaosKind::delay);
          clock->schedule(delay, label, [deliver, outcome = std::move(outcome)] { deliver(outcome); });
        });
      };
      break;
    }
    case ChaosKind::crash: return;  // the instance crashes itself (WorkflowRunner::crash_if_planned)
    case ChaosKind::crash_process: {
      // The result never leaves the step worker: the process dies first (or its owner says it did).
      auto die = core.options.on_chaos_process_crash;
      const std::string what = job.context->workflow_id() + "/" + job.path;
      faulty = [chaos, call, die, what](const StepContext& context, CompleteFn) {
        call(context, [chaos, die, what](StepOutcome) {
          chaos->count(ChaosKind::crash_process);
          if (die) {
            die();
            return;
          }
          log_json(spdlog::level::critical, {{"event", "chaos_process_crash"}, {"detail", "chaos: the process dies after " + what + " ran"}});
          logger()->flush();
          std::abort();
        });
      };
      break;
    }
  }
  job.handler = nullptr;
  job.async_handler = std::make_shared<const AsyncHandler>(std::move(faulty));
}

}  // namespace actorflow
