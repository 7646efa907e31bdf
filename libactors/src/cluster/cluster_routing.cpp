#include "cluster/cluster_routing.hpp"

#include <actorflow/logging.hpp>

#include "cluster/cluster_messages.hpp"
#include "cluster/cluster_state.hpp"
#include "workflow/messages.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <thread>

namespace actorflow {
namespace {

constexpr Millis kRouteRetryInitial{20};
constexpr Millis kRouteRetryMax{500};

// The owner of the shard by the store's leases now (the view may lag behind a move).
std::string current_owner(Engine::Core& core, int shard) {
  try {
    auto leases = core.cluster->coordination().leases(core.cluster->shards());
    const std::string owner = leases[static_cast<size_t>(shard)].owner;
    core.cluster->set_view(core.cluster->members(), std::move(leases));
    return owner;
  } catch (const StoreUnavailable&) {
    return core.cluster->owner_of(shard);
  }
}

}  // namespace

OwnerAnswer ask_shard_owner(Engine::Core& core, int shard, const caf::message& request,
                            const std::function<std::optional<OwnerAnswer>()>& here) {
  ClusterState& cluster = *core.cluster;
  const auto deadline = std::chrono::steady_clock::now() + cluster.options().route_timeout;
  Millis pause = kRouteRetryInitial;
  std::string last_problem = "no node owns it";
  bool fresh_view = false;
  while (true) {
    if (cluster.epoch_of_shard(shard) != 0) {
      if (auto answer = here()) return *answer;
      last_problem = "this node lost it meanwhile";
    } else {
      const std::string owner = fresh_view ? current_owner(core, shard) : cluster.owner_of(shard);
      caf::actor gateway = owner.empty() || owner == cluster.node_id() ? caf::actor{} : cluster.gateway_of(owner);
      if (owner.empty()) last_problem = "no node owns it";
      else if (owner == cluster.node_id()) last_problem = "this node is taking it over";
      else if (!gateway) last_problem = "its owner " + owner + " is not connected";
      if (gateway) {
        const auto remaining = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
        const Millis wait = std::max(Millis(1), std::min(remaining, cluster.options().peer_timeout));
        caf::scoped_actor self{*core.system};
        std::optional<OwnerAnswer> answer;
        self->request(gateway, wait, request)
            .receive([&](bool ok, std::string& error, int32_t code) {
                       answer = OwnerAnswer{ok, std::move(error), false, static_cast<StatusCode>(code)};
                     },
                     [&](caf::error& e) { last_problem = "its owner " + owner + " did not answer: " + core.system->render(e); });
        if (answer && answer->error.rfind(kNotOwner, 0) != 0) return *answer;
        if (answer) last_problem = owner + " answered that it does not own it";
      }
    }
    if (std::chrono::steady_clock::now() + pause >= deadline) break;
    std::this_thread::sleep_for(pause);  // the shard is moving: its new owner claims it shortly
    pause = std::min(pause * 2, kRouteRetryMax);
    fresh_view = true;
  }
  return OwnerAnswer{false,
                     "shard " + std::to_string(shard) + " has no reachable owner within " +
                         std::to_string(cluster.options().route_timeout.count()) + " ms (" + last_problem + ")",
                     true};
}

StartResult route_start(Engine::Core& core, const std::string& definition, const std::string& id, const Json& input) {
  const int shard = core.cluster->shard_of(id);
  const OwnerAnswer answer = ask_shard_owner(
      core, shard,
      caf::make_message(fwd_start_atom::value, definition, id, input.dump(-1, ' ', false, Json::error_handler_t::replace),
                        std::string(), std::string()),
      [&]() -> std::optional<OwnerAnswer> {
        const StartResult result = core.start_here(definition, id, input);
        if (result.unavailable) return std::nullopt;  // the shard moved away meanwhile: ask its owner
        if (!result.status) return OwnerAnswer::of(result.status);
        return OwnerAnswer{true, result.created ? "" : kStartExisted};
      });
  if (!answer.ok) return {answer.status(), false, answer.unreachable};
  return {Status::ok(), answer.error != kStartExisted};
}

void notify_owner(Engine::Core& core, const std::string& workflow_id) {
  ClusterState& cluster = *core.cluster;
  const int shard = cluster.shard_of(workflow_id);
  if (cluster.epoch_of_shard(shard) != 0) {
    core.send_from_outside(core.supervisor, caf::make_message(signal_atom::value, workflow_id));
    return;
  }
  const std::string owner = cluster.owner_of(shard);
  if (caf::actor gateway = owner.empty() ? caf::actor{} : cluster.gateway_of(owner))
    core.send_from_outside(gateway, caf::make_message(fwd_signal_atom::value, workflow_id));
}

void forward_child_done(Engine::Core& core, const std::string& parent_id, const std::string& path) {
  ClusterState& cluster = *core.cluster;
  const std::string owner = cluster.owner_of(cluster.shard_of(parent_id));
  caf::actor gateway = owner.empty() || owner == cluster.node_id() ? caf::actor{} : cluster.gateway_of(owner);
  if (!gateway) {
    // The parent's next owner resumes it and reads its child's state then.
    log_json(spdlog::level::info, {{"event", "child_done_unrouted"}, {"workflow_id", parent_id}, {"step", path}});
    return;
  }
  core.send_from_outside(gateway, caf::make_message(fwd_child_atom::value, parent_id, path));
}

}  // namespace actorflow
