// Engine::await_quiet: the barrier tests on a virtual clock take before they move time.
#include <actorflow/actors/atoms.hpp>
#include <actorflow/actorflow.hpp>

#include "workflow/engine_core.hpp"
#include "workflow/step_worker_pool.hpp"
#include "workflow/messages.hpp"

#include <caf/all.hpp>

#include <chrono>

namespace actorflow {
namespace {

// Answered once the target has handled every message sent to it before. A dead target (an
// instance that just crashed) answers with an error: that is answer enough.
template <class Answer, class Atom>
void ping(caf::scoped_actor& self, const caf::actor& target, std::chrono::milliseconds timeout, Atom atom) {
  if (!target) return;
  self->request(target, timeout, atom).receive([](const Answer&) {}, [](caf::error&) {});
}

}  // namespace

// One round flushes every path along which work travels without being counted, in the order the
// work moves: breaker permits to instances, step jobs to workers (counted from the hand-over),
// results and timer messages into instances (a ping through the supervisor passes behind them),
// their commits (counted until the effects are sent). A round that begins with nothing counted
// and in which nothing new is entered saw everything that was in flight at its start; two such
// rounds in a row make sure that work set off by a crash (a restart) is seen too.
bool Engine::await_quiet(Millis real_wait) const {
  Core& core = *core_;
  const auto until = std::chrono::steady_clock::now() + real_wait;
  caf::scoped_actor self{*core.system};
  auto left = [&] {
    return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()),
                    std::chrono::milliseconds(1));
  };
  auto entered = [&] { return core.steps_running->entries() + core.commits_pending->entries(); };
  int quiet_rounds = 0;
  while (quiet_rounds < 2) {
    if (std::chrono::steady_clock::now() >= until) return false;
    // Entries first: work that begins after this read changes the count; work that began before
    // and has not ended makes the round start busy.
    const uint64_t entered_at_start = entered();
    const bool idle_at_start = core.steps_running->value() == 0 && core.commits_pending->value() == 0;
    std::vector<caf::actor> breakers;
    {
      std::shared_lock lock(core.registry_mutex);
      for (const auto& [service, breaker] : core.breakers) breakers.push_back(breaker);
    }
    for (const auto& breaker : breakers) ping<BreakerState>(self, breaker, left(), state_atom::value);
    if (!core.step_pool->wait_handed_over(until)) return false;
    if (!core.steps_running->wait_idle(until)) return false;
    ping<bool>(self, core.supervisor, left(), ping_atom::value);
    if (!core.commits_pending->wait_idle(until)) return false;
    quiet_rounds = idle_at_start && entered() == entered_at_start ? quiet_rounds + 1 : 0;
  }
  return true;
}

}  // namespace actorflow
