#pragma once
// A workflow start on its way from Engine::start/start_async through the supervisor to a new
// instance: the caller's answer travels with it and is given exactly once.
#include <actorflow/actorflow.hpp>

#include "workflow/workflow_state.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include <memory>
#include <string>

namespace actorflow {

using start_atom = caf::atom_constant<caf::atom("start")>;  // engine -> supervisor: start this workflow

// Copies share one answer. The first call answers; later calls do nothing. When the last copy goes
// unanswered (the message was dropped, the instance died first) the caller hears why.
class StartReply {
 public:
  StartReply(Engine::StartCallback done, std::string workflow_id);
  void operator()(StartResult result) const;
  bool answered() const;

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
};

// The new instance runs the workflow from `state` at once, without reading the store: its first
// commit creates the workflow (refused when the id exists) and carries the first transition.
struct StartRequest {
  WorkflowState state;
  std::shared_ptr<const WorkflowDefinition> definition;
  StartReply reply;
};

}  // namespace actorflow

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actorflow::StartRequest)
