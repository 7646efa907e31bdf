#include "workflow/workflow_supervisor.hpp"

#include <actorflow/actors/atoms.hpp>
#include <actorflow/logging.hpp>

#include "cluster/cluster_messages.hpp"
#include "cluster/cluster_routing.hpp"
#include "cluster/cluster_state.hpp"
#include "workflow/engine_core.hpp"
#include "store/store_reader.hpp"
#include "store/store_writer.hpp"
#include "workflow/messages.hpp"
#include "workflow/start_request.hpp"
#include "workflow/workflow_instance.hpp"

#include <caf/all.hpp>

#include <deque>
#include <set>

namespace actorflow {
namespace {

using handoff_deadline_atom = caf::atom_constant<caf::atom("hodeadline")>;  // a hand-over took too long

// A shard whose instances are being stopped (its lease is lost or handed over).
struct ShardStop {
  std::set<std::string> running;                // instances not down yet
  std::vector<caf::response_promise> promises;  // answered once none is left
};

struct SupervisorState {
  std::map<std::string, caf::actor> instances;
  std::map<caf::actor_addr, std::string> ids;
  std::map<std::string, std::deque<int64_t>> restarts_ms;  // recent restart times per workflow
  std::set<std::string> notified;  // running instances sent a signal notice: an instance that
                                   // stopped to passivate may have dropped it unread
  std::map<int32_t, ShardStop> stopping;
  // Pings that found an instance dead before its down_msg came: answered once it is handled.
  std::map<caf::actor_addr, std::vector<std::function<void()>>> pings_awaiting_down;
  static inline const char* name = "workflow-supervisor";
};

using Self = caf::stateful_actor<SupervisorState>;

void run_instance(Self* self, Engine::Core& core, const std::string& id, InstanceStart start) {
  if (core.write_epoch(id) == 0) return;  // its shard is not this node's (any more)
  auto instance = spawn_workflow_instance(self, core, id, start);
  self->state.instances[id] = instance;
  if (start == InstanceStart::restarted) ++core.counters.instance_restarts;
  self->state.ids[instance.address()] = id;
}

// The instance is dead, so the supervisor is the only writer of its snapshot here.
// `pending` counts the write as a commit awaiting acknowledgement until it is answered.
void write_dead_letter(Self* self, Engine::Core& core, const std::string& id, const std::string& reason,
                       const std::optional<StoredSnapshot>& stored, ActivityGauge::Token pending) {
  std::string error = "snapshot not found";
  auto state = stored ? decode_state(stored->snapshot, &error) : std::nullopt;
  if (!state) {
    log_json(spdlog::level::err, {{"event", "dead_letter_failed"}, {"workflow_id", id}, {"detail", error}});
    return;
  }
  const EventFields event{"workflow_dead-lettered", {}, 0, to_string(state->status), "dead-lettered", -1, reason, {}};
  state->status = WorkflowStatus::dead_lettered;
  state->error = reason;
  state->unsaved_dead_letter = DeadLetter{id, reason, core.clock->now_ms()};
  core.record(*state, event);
  const std::string parent_id = state->parent_id, parent_path = state->parent_path;
  self->request(core.store_writer, caf::infinite, write_atom::value, core.make_write(*state, core.write_epoch(id)))
      .then([self, &core, id, parent_id, parent_path, pending](WriteResult) {
        core.workflow_ended(id, WorkflowStatus::dead_lettered);
        if (!parent_id.empty()) self->send(self, child_done_atom::value, parent_id, parent_path);
      });
}

void dead_letter_crash_loop(Self* self, Engine::Core& core, const std::string& id, const std::string& reason) {
  self->request(core.store_reader, caf::infinite, load_atom::value, id)
      .then([self, &core, id, reason, pending = core.commits_pending->enter()](LoadedSnapshot& loaded) {
        write_dead_letter(self, core, id, reason, loaded.stored, pending);
      });
}

void handle_instance_down(Self* self, Engine::Core& core, const caf::down_msg& down) {
  auto it = self->state.ids.find(down.source);
  if (it == self->state.ids.end()) return;
  const std::string id = it->second;
  self->state.ids.erase(it);
  self->state.instances.erase(id);
  const bool notified = self->state.notified.erase(id) == 1;
  if (core.cluster) {
    auto stop = self->state.stopping.find(core.cluster->shard_of(id));
    if (stop != self->state.stopping.end() && stop->second.running.erase(id) == 1) {
      if (stop->second.running.empty()) {
        for (auto& promise : stop->second.promises) promise.deliver(true);
        self->state.stopping.erase(stop);
      }
      // Stopped on purpose: its shard went elsewhere. If this node has taken the shard again
      // meanwhile, the spawn it asked for found this instance still here: run it now.
      if (core.write_epoch(id) != 0) run_instance(self, core, id, InstanceStart::recovered);
      return;
    }
  }
  if (!down.reason || down.reason == caf::exit_reason::normal) {
    self->state.restarts_ms.erase(id);
    // A terminal workflow loads, sees it has ended and stops again: cheap, and no signal is lost.
    if (notified) run_instance(self, core, id, InstanceStart::rehydrated);
    return;
  }
  const std::string why = core.system->render(down.reason);
  auto& recent = self->state.restarts_ms[id];
  const int64_t now = core.clock->now_ms();
  while (!recent.empty() && now - recent.front() > core.options.instance_restart_period.count()) recent.pop_front();
  if (static_cast<int>(recent.size()) >= core.options.instance_restarts_max) {
    const std::string reason = "instance crashed " + std::to_string(recent.size() + 1) + " times within " +
                               std::to_string(core.options.instance_restart_period.count()) +
                               " ms (instance_restarts_max = " + std::to_string(core.options.instance_restarts_max) +
                               "); last: " + why;
    log_json(spdlog::level::err, {{"event", "instance_crash_loop"}, {"workflow_id", id}, {"detail", reason}});
    self->state.restarts_ms.erase(id);
    dead_letter_crash_loop(self, core, id, reason);
    return;
  }
  recent.push_back(now);
  log_json(spdlog::level::warn, {{"event", "instance_crashed"}, {"workflow_id", id}, {"detail", why},
                                 {"restart", recent.size()}});
  run_instance(self, core, id, InstanceStart::restarted);
}

void on_instance_down(Self* self, Engine::Core& core, const caf::down_msg& down) {
  handle_instance_down(self, core, down);
  auto waiting = self->state.pings_awaiting_down.extract(down.source);
  if (!waiting.empty())
    for (auto& answer : waiting.mapped()) answer();
}

// Answers once every instance alive now has answered a ping: each has then handled every message
// sent to it before (a drain's barrier: step results already sent are in their instances). An
// instance found dead counts once its down_msg is handled, so its restart is spawned by then.
// `Ask` is ping_atom, or release_atom (each instance first lets go of its steps in flight).
template <class Ask>
caf::response_promise ask_instances(Self* self, Ask ask) {
  auto promise = self->make_response_promise();
  auto remaining = std::make_shared<size_t>(self->state.instances.size());
  if (*remaining == 0) promise.deliver(true);
  auto answered = [promise, remaining]() mutable {
    if (--*remaining == 0) promise.deliver(true);
  };
  for (auto& [id, instance] : self->state.instances)
    self->request(instance, caf::infinite, ask)
        .then([answered](bool) mutable { answered(); },
              [self, answered, address = instance.address()](caf::error&) mutable {
                if (self->state.ids.count(address) == 0) answered();
                else self->state.pings_awaiting_down[address].push_back(answered);
              });
  return promise;
}

// Stops every instance of `shard`: at once, or (hand_over) each after its running steps, within
// handoff_timeout. The promise is answered once none runs.
caf::response_promise stop_shard(Self* self, Engine::Core& core, int32_t shard, bool hand_over) {
  auto promise = self->make_response_promise();
  ShardStop& stop = self->state.stopping[shard];
  stop.promises.push_back(promise);
  for (auto& [id, instance] : self->state.instances) {
    if (core.cluster->shard_of(id) != shard) continue;
    stop.running.insert(id);
    if (hand_over) self->send(instance, handoff_atom::value);
    else self->send_exit(instance, caf::exit_reason::kill);
  }
  if (stop.running.empty()) {
    for (auto& p : stop.promises) p.deliver(true);
    self->state.stopping.erase(shard);
  } else if (hand_over) {
    self->delayed_send(self, core.cluster->options().handoff_timeout, handoff_deadline_atom::value, shard);
  }
  return promise;
}

caf::behavior workflow_supervisor(Self* self, Engine::Core* core) {
  self->set_down_handler([=](caf::down_msg& down) { on_instance_down(self, *core, down); });
  self->set_exit_handler([=](caf::exit_msg& exit) {
    for (auto& [id, instance] : self->state.instances) self->send_exit(instance, caf::exit_reason::user_shutdown);
    self->quit(exit.reason);
  });
  return {
      [=](start_atom, StartRequest& request) {
        const std::string id = request.state.id;
        if (core->write_epoch(id) == 0) {
          // Its shard is not this node's (any more): the caller asks the owner (cluster routing).
          request.reply({Status::error(std::string(kNotOwner) + std::to_string(core->write_shard(id))), false, true});
          return;
        }
        if (auto running = self->state.instances.find(id); running != self->state.instances.end()) {
          // It runs here already, but its creating commit may still be on its way (or be fenced):
          // the instance answers once its state is the store's. If it stops first (fenced, or it
          // found the id taken and is on its way out), the start is handled here again once its
          // down_msg is: a copy stays with the request (copies share one answer).
          StartRequest again = request;
          self->request(running->second, caf::infinite, start_atom::value, std::move(request))
              .then([](bool) {},
                    [self, again = std::move(again)](caf::error&) mutable {
                      self->send(self, start_atom::value, std::move(again));
                    });
          return;
        }
        auto instance = spawn_new_workflow_instance(self, *core, std::move(request));
        self->state.instances[id] = instance;
        self->state.ids[instance.address()] = id;
      },
      [=](spawn_atom, const std::string& id, bool recovered) {
        if (self->state.instances.count(id) == 0)
          run_instance(self, *core, id, recovered ? InstanceStart::recovered : InstanceStart::fresh);
      },
      [=](child_done_atom a, const std::string& parent_id, const std::string& path) {
        auto it = self->state.instances.find(parent_id);
        if (it != self->state.instances.end()) self->send(it->second, a, path);
        else if (core->write_epoch(parent_id) == 0) forward_child_done(*core, parent_id, path);
      },
      [=](shard_atom, int32_t shard, bool hand_over) -> caf::result<bool> {
        return stop_shard(self, *core, shard, hand_over);
      },
      [=](handoff_deadline_atom, int32_t shard) {
        auto stop = self->state.stopping.find(shard);
        if (stop == self->state.stopping.end()) return;
        log_json(spdlog::level::warn, {{"event", "handoff_timed_out"}, {"shard", shard},
                                       {"instances", stop->second.running.size()}});
        for (const auto& id : stop->second.running) {
          auto it = self->state.instances.find(id);
          if (it != self->state.instances.end()) self->send_exit(it->second, caf::exit_reason::kill);
        }
      },
      [=](signal_atom a, const std::string& id) {
        auto it = self->state.instances.find(id);
        if (it != self->state.instances.end()) {
          self->send(it->second, a);
          self->state.notified.insert(id);
        } else {
          run_instance(self, *core, id, InstanceStart::rehydrated);  // it reads its inbox as it loads
        }
      },
      [=](wake_atom, const std::string& id) {
        // A running instance keeps its own timers; a passivated one is brought back.
        if (self->state.instances.count(id) == 0) run_instance(self, *core, id, InstanceStart::rehydrated);
      },
      [=](state_atom) { return self->state.instances.size(); },
      [=](ping_atom a) -> caf::result<bool> { return ask_instances(self, a); },
      [=](release_atom a) -> caf::result<bool> { return ask_instances(self, a); },
      [=](crash_atom a, const std::string& id) {
        auto it = self->state.instances.find(id);
        if (it != self->state.instances.end()) self->send(it->second, a);
      },
  };
}

}  // namespace

caf::actor spawn_workflow_supervisor(caf::actor_system& system, Engine::Core& core) {
  return system.spawn(workflow_supervisor, &core);
}

}  // namespace actorflow
