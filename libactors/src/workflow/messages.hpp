#pragma once
// Messages between the engine's own actors, all in one process (not sent across nodes).
#include <actorflow/step_handler.hpp>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/actor.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>

namespace actorflow {

using spawn_atom = caf::atom_constant<caf::atom("spawn")>;          // supervisor: run this workflow
using crash_atom = caf::atom_constant<caf::atom("crash")>;          // instance: crash (fault injection)
using step_done_atom = caf::atom_constant<caf::atom("stepdone")>;   // worker -> instance
using timer_atom = caf::atom_constant<caf::atom("timer")>;          // clock -> instance
using permit_atom = caf::atom_constant<caf::atom("permit")>;        // breaker answer -> instance
using child_done_atom = caf::atom_constant<caf::atom("childdone")>; // child -> supervisor -> parent
using signal_atom = caf::atom_constant<caf::atom("signal")>;        // engine -> supervisor -> instance: inbox grew
using wake_atom = caf::atom_constant<caf::atom("wake")>;            // waker -> supervisor: a durable timer is due
using ping_atom = caf::atom_constant<caf::atom("ping")>;            // supervisor -> instance: answer when here
using passivate_atom = caf::atom_constant<caf::atom("passivate")>;  // clock -> instance: idle long enough?
using suspect_atom = caf::atom_constant<caf::atom("suspect")>;      // worker -> instance: a suspect job's turn
using release_atom = caf::atom_constant<caf::atom("release")>;      // drain -> supervisor -> instance: let go of steps in flight

// The inbox signal Engine::cancel sends; failed_step holds the marker once a cancel is taken.
inline constexpr const char* kCancelSignal = "$cancel";
inline constexpr const char* kCancelledMarker = "$cancelled";

enum class TimerKind : uint8_t { timeout, backoff, breaker_wait, wake };

// One handler call for a step worker: a sync handler, whose result the worker sends to
// `reply_to` (or gives to `complete` when set), or an async one, which the worker starts and which
// ends through `complete`.
struct StepJob {
  std::shared_ptr<const SyncHandler> handler;
  std::shared_ptr<const AsyncHandler> async_handler;
  CompleteFn complete;
  std::shared_ptr<const StepContext> context;
  caf::actor reply_to;
  std::string path;
  uint64_t token = 0;
  // Its step was in flight when a process died (StepRecord::crashes): such jobs run one at a time,
  // each for at most `suspect_hold` before the next may start, so that when a process dies again
  // the one that ran is the one blamed, and the steps that merely shared the process finish.
  bool suspect = false;
  std::chrono::milliseconds suspect_hold{0};
  // Suspects only: called on the worker when the job's turn comes, before the handler runs. True
  // once the instance has committed that the attempt runs now (so a death from here on is its
  // own); false when the instance is gone or has moved on: the job is dropped.
  std::function<bool()> announce;
};

// A suspect job's turn came: the instance commits that it runs, then fulfils `committed`.
// Dropped unanswered (the instance gone, a stale token), the promise breaks and the job is dropped.
struct SuspectStart {
  std::shared_ptr<std::promise<void>> committed;
};

}  // namespace actorflow

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actorflow::StepJob)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actorflow::SuspectStart)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actorflow::StepOutcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actorflow::TimerKind)
