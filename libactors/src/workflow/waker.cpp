#include "workflow/waker.hpp"

#include <actorflow/logging.hpp>

#include "workflow/messages.hpp"

#include <caf/all.hpp>

#include <map>

namespace actorflow {
namespace {

using poll_atom = caf::atom_constant<caf::atom("poll")>;

constexpr size_t kWakeUpsPerPollMax = 100'000;
constexpr size_t kSignalledPerPollMax = 1'000;

struct WakerState {
  std::map<std::string, int64_t> scheduled;  // workflow id -> wake-up time already on the clock
  bool store_trouble = false;                // the last poll failed (logged once per outage)
  static inline const char* name = "waker";
};

void poll(caf::stateful_actor<WakerState>* self, Engine::Core& core) {
  const int64_t now = core.clock->now_ms();
  const int64_t interval = core.options.wake_poll_interval.count();
  auto& scheduled = self->state.scheduled;
  // Wake-ups of earlier polls have fired: a workflow still due is picked up again.
  for (auto it = scheduled.begin(); it != scheduled.end();) it = it->second < now ? scheduled.erase(it) : std::next(it);
  try {
    for (const auto& due : core.store->wake_ups_until(now + interval, kWakeUpsPerPollMax)) {
      if (core.write_epoch(due.workflow_id) == 0) continue;  // another node's (cluster)
      auto [it, added] = scheduled.emplace(due.workflow_id, due.at_ms);
      if (!added && it->second == due.at_ms) continue;
      it->second = due.at_ms;
      core.schedule(Millis(std::max<int64_t>(0, due.at_ms - now)), due.workflow_id + " wake", core.supervisor,
                    caf::make_message(wake_atom::value, due.workflow_id));
    }
    // Signals whose notice may have been lost (sent by another node): the instance reads its inbox.
    for (const auto& id : core.store->signalled_workflows(kSignalledPerPollMax))
      if (core.write_epoch(id) != 0) core.send_from_outside(core.supervisor, caf::make_message(signal_atom::value, id));
    if (self->state.store_trouble) log_json(spdlog::level::info, {{"event", "waker_poll_recovered"}});
    self->state.store_trouble = false;
  } catch (const StoreUnavailable& e) {
    if (!self->state.store_trouble) log_json(spdlog::level::warn, {{"event", "waker_poll_failed"}, {"detail", e.what()}});
    self->state.store_trouble = true;
  }
  core.schedule(core.options.wake_poll_interval, "waker poll", caf::actor_cast<caf::actor>(self),
                caf::make_message(poll_atom::value));
}

caf::behavior waker(caf::stateful_actor<WakerState>* self, Engine::Core* core) {
  self->send(self, poll_atom::value);
  return {
      [=](poll_atom) { poll(self, *core); },
  };
}

}  // namespace

caf::actor spawn_waker(caf::actor_system& system, Engine::Core& core) {
  return system.spawn<caf::detached>(waker, &core);
}

}  // namespace actorflow
