#pragma once
// Calls that belong to a shard's owner, made on whichever node took them: forwarded to the owner's
// node gateway through the middleman, or run here when this node owns the shard. The blocking
// ones wait (bounded by ClusterOptions::route_timeout) while a shard has no owner or moves; they
// are for engine callers (HTTP threads, the CLI), never for actors.
#include "workflow/engine_core.hpp"

#include <caf/message.hpp>

#include <functional>
#include <optional>
#include <string>

namespace actorflow {

// What a forwarded call answered: every gateway request is answered (ok, error text, StatusCode
// as int32). An error starting with kNotOwner means the node asked does not own the shard (any
// more): ask again.
struct OwnerAnswer {
  bool ok = false;
  std::string error;
  bool unreachable = false;  // no owner answered within route_timeout
  StatusCode code = StatusCode::unknown;  // of an error

  static OwnerAnswer of(const Status& status) {
    return OwnerAnswer{status.is_ok(), status.is_ok() ? std::string() : status.message(), false, status.code()};
  }
  Status status() const {
    if (ok) return Status::ok();
    return Status::error(unreachable ? StatusCode::unavailable : code, error);
  }
};
inline constexpr const char* kNotOwner = "not the owner of shard ";
// The error text of a forwarded start that found the workflow there already (ok, not created).
inline constexpr const char* kStartExisted = "existed";

// Runs `here` when this node owns `shard` (nullopt from it: it lost the shard meanwhile, so ask
// again), else sends `request` to the owner's gateway. Retries until route_timeout, then answers
// an error naming the shard.
OwnerAnswer ask_shard_owner(Engine::Core& core, int shard, const caf::message& request,
                            const std::function<std::optional<OwnerAnswer>()>& here);

// Starting a workflow at its shard's owner (Engine::start in a cluster).
StartResult route_start(Engine::Core& core, const std::string& definition, const std::string& id, const Json& input);

// Tells the owner of the workflow that its inbox grew (no answer: the signalled index catches
// a lost notice), or that a child of the parent ended.
void notify_owner(Engine::Core& core, const std::string& workflow_id);
void forward_child_done(Engine::Core& core, const std::string& parent_id, const std::string& path);

}  // namespace actorflow
