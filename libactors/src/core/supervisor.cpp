#include <actorflow/actors/atoms.hpp>
#include <actorflow/logging.hpp>
#include <actorflow/actors/supervisor.hpp>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include <algorithm>
#include <deque>

namespace actorflow {
namespace {

struct Child {
  ChildSpec spec;
  caf::actor current;  // invalid while not running; down_msgs from other addresses are stale
};

struct SupervisorState {
  SupervisorOptions options;  // its `children` are moved into `children`
  std::vector<Child> children;
  std::shared_ptr<Clock> clock;
  std::deque<int64_t> restarts_ms;  // restart times inside the intensity period
  int restarts = 0;
  static inline const char* name = "supervisor";

  // However the supervisor ends (a kill bypasses the exit handler, a throwing handler skips
  // everything), its children must not outlive it. CAF destroys the state when the actor ends.
  ~SupervisorState() { stop_children(0); }

  // Stops children[first..] in reverse start order, like OTP. Their down_msgs become stale.
  void stop_children(size_t first) {
    for (size_t i = children.size(); i > first; --i) {
      Child& child = children[i - 1];
      if (!child.current) continue;
      caf::anon_send_exit(child.current, caf::exit_reason::kill);
      child.current = nullptr;
    }
  }
};

using SupervisorActor = caf::stateful_actor<SupervisorState>;

// OTP's `shutdown` is a deliberate stop, not a failure: user_shutdown counts as normal too.
bool abnormal(const caf::error& reason) {
  return reason && reason != caf::make_error(caf::exit_reason::user_shutdown);
}

bool wants_restart(RestartPolicy policy, const caf::error& reason) {
  switch (policy) {
    case RestartPolicy::permanent: return true;
    case RestartPolicy::transient: return abnormal(reason);
    case RestartPolicy::temporary: return false;
  }
  return false;
}

std::string_view to_string(RestartStrategy strategy) {
  switch (strategy) {
    case RestartStrategy::one_for_one: return "one_for_one";
    case RestartStrategy::one_for_all: return "one_for_all";
    case RestartStrategy::rest_for_one: return "rest_for_one";
  }
  return "unknown";
}

// Starts a child and monitors it; false when its start function gave no actor.
bool start_child(SupervisorActor* self, Child& child) {
  child.current = child.spec.start(self->system());
  if (!child.current) return false;
  self->monitor(child.current);
  return true;
}

void give_up(SupervisorActor* self, std::string why) {
  log_json(spdlog::level::err, {{"event", "supervisor_gave_up"}, {"reason", why}});
  self->state.stop_children(0);
  self->quit(caf::make_error(caf::sec::runtime_error, std::move(why)));
}

// True when this restart stays within the intensity limit (and records it).
bool note_restart(SupervisorState& st) {
  const int64_t now_ms = st.clock->now_ms();
  while (!st.restarts_ms.empty() && st.restarts_ms.front() <= now_ms - st.options.period.count())
    st.restarts_ms.pop_front();
  st.restarts_ms.push_back(now_ms);
  return static_cast<int>(st.restarts_ms.size()) <= st.options.restarts_max;
}

void on_child_down(SupervisorActor* self, const caf::down_msg& down) {
  auto& st = self->state;
  auto failed = std::find_if(st.children.begin(), st.children.end(),
                             [&](const Child& c) { return c.current.address() == down.source; });
  if (failed == st.children.end()) return;  // an incarnation we stopped ourselves
  failed->current = nullptr;
  const std::string reason = self->system().render(down.reason);
  if (!wants_restart(failed->spec.restart, down.reason)) {
    log_json(spdlog::level::info,
             {{"event", "child_exit"}, {"child", failed->spec.name}, {"reason", reason}});
    return;
  }
  if (!note_restart(st)) {
    give_up(self, "restart intensity exceeded: more than " +
                      std::to_string(st.options.restarts_max) + " restarts within " +
                      std::to_string(st.options.period.count()) + " ms; child '" +
                      failed->spec.name + "' exited with " + reason);
    return;
  }
  ++st.restarts;
  const auto failed_index = static_cast<size_t>(failed - st.children.begin());
  size_t first = failed_index;
  size_t end = failed_index + 1;
  if (st.options.strategy != RestartStrategy::one_for_one) {
    if (st.options.strategy == RestartStrategy::one_for_all) first = 0;
    end = st.children.size();
    st.stop_children(first);
  }
  std::vector<std::string> restarted;
  for (size_t i = first; i < end; ++i) {
    Child& child = st.children[i];
    if (i != failed_index && child.spec.restart == RestartPolicy::temporary) continue;
    if (!start_child(self, child)) {
      give_up(self, "child '" + child.spec.name + "' failed to restart");
      return;
    }
    restarted.push_back(child.spec.name);
  }
  log_json(spdlog::level::warn, {{"event", "child_restart"},
                                 {"child", failed->spec.name},
                                 {"reason", reason},
                                 {"strategy", to_string(st.options.strategy)},
                                 {"restarted", restarted},
                                 {"restarts", st.restarts}});
}

caf::behavior supervisor_actor(SupervisorActor* self, SupervisorOptions options,
                               std::shared_ptr<Clock> clock) {
  auto& st = self->state;
  st.clock = std::move(clock);
  for (auto& spec : options.children) st.children.push_back({std::move(spec), nullptr});
  options.children.clear();
  st.options = std::move(options);
  for (auto& child : st.children) {
    if (!start_child(self, child)) {
      give_up(self, "child '" + child.spec.name + "' failed to start");
      break;
    }
  }
  self->set_down_handler([self](caf::down_msg& down) { on_child_down(self, down); });
  self->set_exit_handler([self](caf::exit_msg& exit) {
    self->state.stop_children(0);
    self->quit(exit.reason);
  });
  return {
      [self](child_atom, const std::string& name) -> caf::result<caf::actor> {
        for (const auto& child : self->state.children)
          if (child.spec.name == name) return child.current;
        return caf::make_error(caf::sec::invalid_argument, "unknown child '" + name + "'");
      },
      [self](restarts_atom) { return self->state.restarts; },
  };
}

}  // namespace

caf::actor spawn_supervisor(caf::actor_system& system, SupervisorOptions options,
                            std::shared_ptr<Clock> clock) {
  return system.spawn(supervisor_actor, std::move(options), std::move(clock));
}

}  // namespace actorflow
