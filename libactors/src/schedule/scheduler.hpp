#pragma once
// The scheduler: a detached actor (store calls block) that fires the stored cron schedules.
//
// It idles until activated (Engine::recover() or the first schedule command), so it never starts
// a workflow before the process has registered its definitions. Activated, it loads every
// schedule, starts the fires a crash left decided but unstarted, applies each schedule's
// catch-up policy to the fires missed while the engine was down, and arms a clock timer
// ("schedule <id> fire") for each schedule's next fire. On a fire it decides the overlap policy
// against the schedule's previous run (read from the store), writes the decision, starts the
// workflow "<id>@<fire ms>" (idempotent), writes that it started, and re-arms. While a schedule
// has a buffered fire (or a start or store write failed) a poll ("scheduler poll", every
// wake_poll_interval) checks again.
//
// It is the only writer of schedule records: Engine's create/pause/resume/delete are commands to
// it, so a fire and a pause never overwrite each other.
#include <actorflow/schedule.hpp>
#include <actorflow/status.hpp>

#include "schedule/schedule_record.hpp"
#include "workflow/engine_core.hpp"

#include <caf/fwd.hpp>

#include <string>

namespace actorflow {

caf::actor spawn_scheduler(caf::actor_system& system, Engine::Core& core);

// Lets the scheduler load the stored schedules and fire them (later calls change nothing).
void activate_scheduler(Engine::Core& core);
// Makes it idle again (a cluster node that no longer owns shard 0): nothing fires here.
void deactivate_scheduler(Engine::Core& core);

enum class ScheduleCommand { pause, resume, erase };

// Commands, answered once the scheduler has written the store. Block the caller: not for use
// inside actors.
Status scheduler_create(Engine::Core& core, const ScheduleRecord& record);
Status scheduler_command(Engine::Core& core, ScheduleCommand command, const std::string& schedule_id);

}  // namespace actorflow
