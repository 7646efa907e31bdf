#include "workflow/workflow_instance.hpp"
#include <actorflow/bounded_parse.hpp>

#include "cluster/cluster_messages.hpp"
#include "store/store_reader.hpp"
#include "workflow/start_request.hpp"
#include "workflow/workflow_runner.hpp"

#include <caf/all.hpp>

#include <stdexcept>

namespace actorflow {
namespace {

struct InstanceState {
  std::unique_ptr<WorkflowRunner> runner;
  static inline const char* name = "workflow-instance";
};

using Self = caf::stateful_actor<InstanceState>;

caf::behavior running_instance(Self* self, const std::string& workflow_id) {
  return {
      [=](step_done_atom, const std::string& path, uint64_t token, StepOutcome& outcome) {
        self->state.runner->on_step_done(path, token, std::move(outcome));
      },
      // From a node that ran the step for this instance (remote step workers).
      [=](rstep_done_atom, const std::string& path, uint64_t token, bool ok, const std::string& output,
          const std::string& error, bool retryable) {
        StepOutcome outcome = ok ? StepOutcome::success() : StepOutcome::failure(error, retryable);
        if (ok) {
          outcome.output = parse_json_or_discarded(output, stored_json_depth_max());
          if (outcome.output.is_discarded()) outcome = StepOutcome::failure("the remote step's output is not JSON within stored_json_depth_max", true);
        }
        self->state.runner->on_step_done(path, token, std::move(outcome));
      },
      [=](handoff_atom) { self->state.runner->begin_handoff(); },
      [=](start_atom, StartRequest& request) {
        self->state.runner->on_repeated_start(std::move(request));
        return true;
      },
      [=](timer_atom, const std::string& path, uint64_t token, TimerKind kind) {
        self->state.runner->on_timer(path, token, kind);
      },
      [=](child_done_atom, const std::string& path) {
        self->state.runner->on_child_done(path);
      },
      [=](signal_atom) { self->state.runner->on_signal_notice(); },
      [=](ping_atom) { return true; },
      [=](suspect_atom, const std::string& path, uint64_t token, SuspectStart& start) {
        self->state.runner->on_suspect_turn(path, token, std::move(start));
      },
      [=](release_atom) {
        self->state.runner->release_for_drain();
        return true;
      },
      [=](passivate_atom, uint64_t idle_token) {
        if (self->state.runner->on_passivate_check(idle_token)) self->quit();
      },
      [=](crash_atom) { throw std::runtime_error("injected crash of workflow instance '" + workflow_id + "'"); },
  };
}

caf::behavior workflow_instance(Self* self, Engine::Core* core, std::string workflow_id, InstanceStart start) {
  self->state.runner = std::make_unique<WorkflowRunner>(self, *core);
  // Nothing else is handled until the snapshot is here: the reader loads it on its own thread.
  self->request(core->store_reader, caf::infinite, load_atom::value, workflow_id)
      .await(
          [=](LoadedSnapshot& loaded) {
            if (!self->state.runner->load(workflow_id, start, std::move(loaded.stored), loaded.inbox)) self->quit();
          },
          [=](caf::error&) { self->quit(); });  // the engine is shutting down
  return running_instance(self, workflow_id);
}

caf::behavior new_workflow_instance(Self* self, Engine::Core* core, StartRequest request) {
  const std::string workflow_id = request.state.id;
  self->state.runner = std::make_unique<WorkflowRunner>(self, *core);
  self->state.runner->begin(std::move(request));
  return running_instance(self, workflow_id);
}

}  // namespace

caf::actor spawn_workflow_instance(caf::local_actor* supervisor, Engine::Core& core,
                                   const std::string& workflow_id, InstanceStart start) {
  return supervisor->spawn<caf::monitored>(workflow_instance, &core, workflow_id, start);
}

caf::actor spawn_new_workflow_instance(caf::local_actor* supervisor, Engine::Core& core, StartRequest request) {
  return supervisor->spawn<caf::monitored>(new_workflow_instance, &core, std::move(request));
}

}  // namespace actorflow
