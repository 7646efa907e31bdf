#pragma once
// The workflow supervisor: spawns and monitors the instance actors of running workflows. An
// instance that crashes is respawned from its snapshot; one that crashes more than
// `instance_restarts_max` times within `instance_restart_period` is dead-lettered instead of
// crash-looping. It also routes a child workflow's completion to its parent's current instance.
//   (spawn_atom, std::string id, bool recovered)           run the stored workflow `id`
//   (child_done_atom, std::string parent_id, std::string path)
//   (crash_atom, std::string id)                           fault injection
#include <actorflow/actorflow.hpp>

#include <caf/fwd.hpp>

namespace actorflow {

caf::actor spawn_workflow_supervisor(caf::actor_system& system, Engine::Core& core);

}  // namespace actorflow
