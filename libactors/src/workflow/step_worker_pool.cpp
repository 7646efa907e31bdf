#include "workflow/step_worker_pool.hpp"

#include "workflow/messages.hpp"

#include <caf/all.hpp>

#include <deque>
#include <optional>

namespace actorflow {
namespace {

// Runs the sync handler, or starts the async one: an async handler's outcome comes later through
// job.complete, unless it throws while starting.
std::optional<StepOutcome> run_handler(const StepJob& job, const ActivityGauge::Token& running) {
  try {
    if (job.async_handler) {
      // The async handler is running until it calls back (or drops the callback).
      CompleteFn complete = [inner = job.complete, running](StepOutcome outcome) { inner(std::move(outcome)); };
      (*job.async_handler)(*job.context, std::move(complete));
      return std::nullopt;
    }
    return StepOutcome::success((*job.handler)(*job.context));
  } catch (...) {
    return outcome_of_current_exception();
  }
}

caf::behavior step_worker(caf::event_based_actor* self, caf::actor dispatcher) {
  self->send(dispatcher, ready_atom::value, caf::actor_cast<caf::actor>(self));
  return {
      [=](run_atom, const StepJob& job) {
        // Entered by the dispatcher at the hand-over, left after the result is sent: a drain that
        // sees no step running finds every result already in its instance's mailbox.
        const ActivityGauge::Token running = job.running;
        // A job with a completion (async handlers, steps run for another node) reports through it.
        if (auto outcome = run_handler(job, running); outcome && job.complete) {
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
  bool draining = false;
  std::vector<caf::response_promise> pings;  // answered once the queue is empty

  void answer_pings() {
    for (auto& ping : pings) ping.deliver(true);
    pings.clear();
  }
  static inline const char* name = "step-dispatcher";
};

caf::behavior step_dispatcher(caf::stateful_actor<DispatcherState>* self, int workers, int queue_max,
                              std::shared_ptr<ActivityGauge> gauge) {
  for (int i = 0; i < workers; ++i)
    self->spawn<caf::detached + caf::linked>(step_worker, caf::actor_cast<caf::actor>(self));
  // The job counts as running from here, so that a job on its way to a worker is not missed.
  auto hand_over = [=](const caf::actor& worker, StepJob job) {
    job.running = gauge->enter();
    self->send(worker, run_atom::value, std::move(job));
  };
  return {
      [=](drain_atom) {
        self->state.draining = true;
        self->state.answer_pings();
      },
      // Answered once every job sent before has been handed to a worker (or the pool drains).
      [=](ping_atom) -> caf::result<bool> {
        if (self->state.queue.empty() || self->state.draining) return true;
        self->state.pings.push_back(self->make_response_promise());
        return self->state.pings.back();
      },
      [=](run_atom, StepJob& job) {
        auto& st = self->state;
        if (!st.idle.empty() && !st.draining) {
          hand_over(st.idle.back(), std::move(job));
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
        if (st.queue.empty() || st.draining) {
          st.idle.push_back(worker);
          return;
        }
        hand_over(worker, std::move(st.queue.front()));
        st.queue.pop_front();
        if (st.queue.empty()) st.answer_pings();
      },
  };
}

}  // namespace

StepOutcome outcome_of_current_exception() {
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

caf::actor spawn_step_worker_pool(caf::actor_system& system, int workers, int queue_max,
                                  std::shared_ptr<ActivityGauge> running) {
  return system.spawn(step_dispatcher, workers, queue_max, std::move(running));
}

}  // namespace actorflow
