#include "cluster/node_gateway.hpp"
#include <actorflow/bounded_parse.hpp>

#include <actorflow/logging.hpp>

#include "cluster/cluster_messages.hpp"
#include "cluster/cluster_routing.hpp"
#include "cluster/cluster_state.hpp"
#include "store/store_writer.hpp"
#include "workflow/messages.hpp"

#include <caf/all.hpp>

#include <map>

namespace actorflow {
namespace {

constexpr auto kSchedulerWait = std::chrono::seconds(60);

using start_done_atom = caf::atom_constant<caf::atom("startdone")>;  // a forwarded start was answered

struct GatewayState {
  uint64_t starts_issued = 0;
  std::map<uint64_t, caf::response_promise> starts;  // forwarded starts waiting for their commit
  static inline const char* name = "node-gateway";
};

std::string not_owner(int shard) { return kNotOwner + std::to_string(shard); }
int32_t code_of(StatusCode code) { return static_cast<int32_t>(code); }

// A forwarded start: run here (this node owns the shard) as a local start, answered when its
// creating commit is; a node that does not own the shard (any more) answers kNotOwner.
caf::response_promise start(caf::event_based_actor* self, Engine::Core& core, GatewayState& state,
                            const std::string& definition, const std::string& id, const std::string& input_json,
                            const std::string& parent_id, const std::string& parent_path) {
  auto promise = self->make_response_promise();
  Json input = parse_json_or_discarded(input_json, stored_json_depth_max());
  if (input.is_discarded()) {
    promise.deliver(false, std::string("the forwarded input of '" + id + "' is not JSON"),
                    code_of(StatusCode::invalid_argument));
    return promise;
  }
  const uint64_t ticket = ++state.starts_issued;
  state.starts.emplace(ticket, promise);
  caf::actor me = caf::actor_cast<caf::actor>(self);
  std::weak_ptr<Engine::Core> weak_core = core.shared_from_this();
  // The answer comes on an engine thread: it is handed back to the gateway, which delivers it.
  core.start_workflow_async(
      definition, id, std::move(input),
      [weak_core, me, ticket, shard = core.write_shard(id)](StartResult started) {
        auto core = weak_core.lock();
        if (!core) return;
        std::string error = started.status ? (started.created ? "" : kStartExisted) : started.status.message();
        if (started.unavailable) error = not_owner(shard);
        core->send_from_outside(me, caf::make_message(start_done_atom::value, ticket, started.status.is_ok(), error,
                                                      code_of(started.status.code())));
      },
      parent_id, parent_path);
  return promise;
}

// A step another node's instance sends here: run by this node's step workers, the outcome sent
// back to the instance.
void run_remote_step(Engine::Core& core, const std::string& handler, const std::string& workflow_id,
                     const std::string& path, int32_t attempt, bool compensation, const std::string& input_json,
                     uint64_t token, const caf::actor& reply_to) {
  std::weak_ptr<Engine::Core> weak_core = core.shared_from_this();
  CompleteFn reply = [weak_core, reply_to, path, token](StepOutcome outcome) {
    auto core = weak_core.lock();
    if (!core) return;
    core->send_from_outside(reply_to, caf::make_message(rstep_done_atom::value, path, token, outcome.ok,
                                                        outcome.ok ? outcome.output.dump(-1, ' ', false, Json::error_handler_t::replace)
                                                                   : std::string(),
                                                        outcome.error, outcome.retryable));
  };
  Json input = parse_json_or_discarded(input_json, stored_json_depth_max());
  StepJob job;
  job.handler = core.find_sync_handler(handler);
  if (!job.handler) job.async_handler = core.find_async_handler(handler);
  if (input.is_discarded() || (!job.handler && !job.async_handler)) {
    reply(StepOutcome::failure(input.is_discarded() ? "the step's input did not arrive as JSON"
                                                    : "node " + core.cluster->node_id() + " does not run handler '" + handler + "'",
                               true));
    return;
  }
  job.context = std::make_shared<const StepContext>(workflow_id, path, attempt, compensation, std::move(input), core.store.get());
  job.complete = std::move(reply);
  job.reply_to = reply_to;
  job.path = path;
  job.token = token;
  core.run_step(std::move(job));
}

caf::behavior node_gateway(caf::stateful_actor<GatewayState>* self, Engine::Core* core) {
  return {
      [=](start_done_atom, uint64_t ticket, bool ok, const std::string& error, int32_t code) {
        auto it = self->state.starts.find(ticket);
        if (it == self->state.starts.end()) return;
        it->second.deliver(ok, error, code);
        self->state.starts.erase(it);
      },
      [=](fwd_start_atom, const std::string& definition, const std::string& id, const std::string& input,
          const std::string& parent_id, const std::string& parent_path) -> caf::result<bool, std::string, int32_t> {
        return start(self, *core, self->state, definition, id, input, parent_id, parent_path);
      },
      [=](fwd_signal_atom, const std::string& id) {
        if (core->write_epoch(id) != 0) self->send(core->supervisor, signal_atom::value, id);
      },
      [=](fwd_child_atom, const std::string& parent_id, const std::string& path) {
        if (core->write_epoch(parent_id) != 0) self->send(core->supervisor, child_done_atom::value, parent_id, path);
      },
      [=](fwd_retry_atom, const std::string& id, const std::string& by) -> caf::result<bool, std::string, int32_t> {
        auto promise = self->make_response_promise();
        // The retry reads the store and waits for its commit: on a thread of its own.
        self->spawn<caf::detached>([core, id, by, promise](caf::event_based_actor* worker) mutable {
          if (core->write_epoch(id) == 0) {
            promise.deliver(false, not_owner(core->cluster->shard_of(id)), code_of(StatusCode::unavailable));
          } else {
            const Status retried = core->retry_here(id, by);
            promise.deliver(retried.is_ok(), retried.is_ok() ? std::string() : retried.message(), code_of(retried.code()));
          }
          worker->quit();
        });
        return promise;
      },
      [=](fwd_sched_atom, const caf::message& command) -> caf::result<bool, std::string, int32_t> {
        auto promise = self->make_response_promise();
        if (core->cluster->epoch_of_shard(0) == 0) {
          promise.deliver(false, not_owner(0), code_of(StatusCode::unavailable));
          return promise;
        }
        self->request(core->scheduler, kSchedulerWait, command)
            .then([promise](const std::string& error) mutable {
                    promise.deliver(error.empty(), error, code_of(StatusCode::unknown));
                  },
                  [promise](caf::error& e) mutable {
                    promise.deliver(false, "scheduler: " + to_string(e), code_of(StatusCode::unavailable));
                  });
        return promise;
      },
      [=](peer_hello_atom, const std::string& node_id, const caf::actor& gateway) {
        if (core->shard_manager) self->send(core->shard_manager, peer_hello_atom::value, node_id, gateway);
      },
      [=](rstep_atom, const std::string& handler, const std::string& workflow_id, const std::string& path,
          int32_t attempt, bool compensation, const std::string& input, uint64_t token, const caf::actor& reply_to) {
        run_remote_step(*core, handler, workflow_id, path, attempt, compensation, input, token, reply_to);
      },
  };
}

}  // namespace

caf::actor spawn_node_gateway(caf::actor_system& system, Engine::Core& core) {
  return system.spawn(node_gateway, &core);
}

}  // namespace actorflow
