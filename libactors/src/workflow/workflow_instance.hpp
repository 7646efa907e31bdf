#pragma once
// The workflow instance actor: runs one workflow from its snapshot in the store to a terminal
// state. Every transition is written to the store before any message it causes is sent
// (write-ahead), so a respawned instance resumes from the last transition and re-dispatches the
// steps that were in flight, with the same idempotency keys.
#include <actorflow/actorflow.hpp>

#include <caf/fwd.hpp>

#include <string>

namespace actorflow {

enum class InstanceStart {
  fresh,      // just started
  restarted,  // the previous incarnation crashed
  recovered,  // the process restarted (Engine::recover)
  rehydrated, // it was passivated; a signal or a timer brings it back
};

// Spawned (monitored) by the workflow supervisor.
caf::actor spawn_workflow_instance(caf::local_actor* supervisor, Engine::Core& core,
                                   const std::string& workflow_id, InstanceStart start);
// A new workflow (Engine::start): runs from the request's state without reading the store; its
// first commit creates it. When the id exists already, the start is answered "not created" and
// the instance stops without having sent anything.
struct StartRequest;
caf::actor spawn_new_workflow_instance(caf::local_actor* supervisor, Engine::Core& core, StartRequest request);

}  // namespace actorflow
