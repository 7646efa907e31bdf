#include "workflow/step_worker_pool.hpp"

#include "workflow/messages.hpp"

#include <caf/all.hpp>

#include <deque>
#include <optional>

namespace actorflow {
namespace {

// Runs the sync handler, or starts the async one: an async handler's outcome comes later through
// job.complete, unless it throws while starting.
std::optional<StepOutcome> run_handler(const StepJob& job) {
  try {
    if (job.async_handler) {
      (*job.async_handler)(*job.context, job.complete);
      return std::nullopt;
    }
    return StepOutcome::success((*job.handler)(*job.context));
  } catch (const NonRetryableError& e) {
    return StepOutcome::failure(e.what(), false);
  } catch (const std::exception& e) {
    return StepOutcome::failure(e.what(), true);
  } catch (...) {
    return StepOutcome::failure("handler threw a non-standard exception", true);
  }
}

caf::behavior step_worker(caf::event_based_actor* self, caf::actor dispatcher) {
  self->send(dispatcher, ready_atom::value, caf::actor_cast<caf::actor>(self));
  return {
      [=](run_atom, const StepJob& job) {
        if (auto outcome = run_handler(job); outcome && job.async_handler) {
          job.complete(std::move(*outcome));
        } else if (outcome) {
          self->send(job.reply_to, step_done_atom::value, job.path, job.token, std::move(*outcome));
        }
        self->send(dispatcher, ready_atom::value, caf::actor_cast<caf::actor>(self));
      },
  };
}

struct DispatcherState {
  std::deque<StepJob> queue;
  std::vector<caf::actor> idle;
  static inline const char* name = "step-dispatcher";
};

caf::behavior step_dispatcher(caf::stateful_actor<DispatcherState>* self, int workers, int queue_max) {
  for (int i = 0; i < workers; ++i)
    self->spawn<caf::detached + caf::linked>(step_worker, caf::actor_cast<caf::actor>(self));
  return {
      [=](run_atom, StepJob& job) {
        auto& st = self->state;
        if (!st.idle.empty()) {
          self->send(st.idle.back(), run_atom::value, std::move(job));
          st.idle.pop_back();
        } else if (static_cast<int>(st.queue.size()) >= queue_max) {
          self->send(job.reply_to, step_done_atom::value, job.path, job.token,
                     StepOutcome::failure("step queue full (step_queue_max = " + std::to_string(queue_max) + ")"));
        } else {
          st.queue.push_back(std::move(job));
        }
      },
      [=](ready_atom, const caf::actor& worker) {
        auto& st = self->state;
        if (st.queue.empty()) {
          st.idle.push_back(worker);
          return;
        }
        self->send(worker, run_atom::value, std::move(st.queue.front()));
        st.queue.pop_front();
      },
  };
}

}  // namespace

caf::actor spawn_step_worker_pool(caf::actor_system& system, int workers, int queue_max) {
  return system.spawn(step_dispatcher, workers, queue_max);
}

}  // namespace actorflow
