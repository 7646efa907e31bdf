#pragma once
// Cron schedules: a stored rule that starts a workflow on a cron expression (5 fields, UTC).
// Create, list, pause, resume and delete them through Engine (actorflow/engine.hpp).
//
// Each fire at time T starts workflow "<schedule id>@<T in ms since the Unix epoch>" with the
// schedule's input plus `schedule: {id, fire_ms, fire_utc}` (fire_utc like "2024-03-01T06:00:00Z").
// The id makes a fire idempotent: a fire repeated after a crash finds its workflow and starts
// nothing. Overlap (a fire while the schedule's previous run still runs) and catch-up (fires
// missed while the engine was down) follow the policies in actorflow/schedule_policy.hpp:
//  - The fires a catch-up keeps are decided oldest first through the overlap policy, like
//    regular ones; they start together, so with overlap `skip` only the first of them runs (use
//    `allow` with catch-up `all` to run every one).
//  - A running engine that finds several fires due at once (the process stalled, the machine
//    slept, a virtual clock jumped) runs the latest as the regular fire and treats the older ones
//    as missed (catch-up policy).
//  - "Running" means the schedule's last started workflow is not terminal (a passivated,
//    waiting workflow is running). buffer-one starts the buffered fire when it ends, checked at
//    every fire and every wake_poll_interval.
// Durability: the decision on a fire (start, skip, buffer) is stored in the same schedule write
// that marks the fire handled; a fire decided "start" stays listed as pending in the schedule
// until a later write records its workflow started, and a restarted engine starts every pending
// fire again before anything else (the derived workflow id makes that idempotent). So a kill -9
// at any point neither loses a fire nor starts one twice; only the policies drop fires.
#include <actorflow/export.hpp>
#include <actorflow/limits.hpp>
#include <actorflow/json.hpp>
#include <actorflow/schedule_policy.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace ACTORFLOW_API actorflow {

// Limits, named in the errors they cause.
inline constexpr size_t kScheduleIdBytesMax = limits::kNameBytesMax;  // + "@<ms>" stays a valid workflow id
inline constexpr size_t kSchedulesMax = 10'000;             // per store
inline constexpr size_t kCatchUpFiresMaxLimit = 10'000;     // ScheduleSpec::catch_up_fires_max at most

struct ScheduleSpec {
  std::string id;          // a name (actorflow/names.hpp): [A-Za-z0-9_.-], 1..128 bytes, no leading dot
  std::string cron;        // CronExpression::parse syntax, UTC, e.g. "0 6 * * *" (daily 06:00)
  std::string definition;  // a registered workflow definition; each fire starts its latest version
  Json input = Json::object();  // a JSON object without a "schedule" field (the engine adds it)
  OverlapPolicy overlap = OverlapPolicy::skip;
  CatchUpPolicy catch_up = CatchUpPolicy::once;
  // Catch-up `all` runs at most this many missed fires (the latest ones), 1..kCatchUpFiresMaxLimit.
  size_t catch_up_fires_max = 100;
};

// Two specs describe the same schedule (create_schedule with an existing id is then a no-op).
bool same_schedule(const ScheduleSpec& a, const ScheduleSpec& b);

struct ScheduleInfo {
  ScheduleSpec spec;
  bool paused = false;
  int64_t created_ms = 0;
  // Every fire at or before this time has been handled: started, skipped, buffered or dropped by
  // the catch-up policy. Starts at the creation (or last resume) time.
  int64_t last_fire_ms = 0;
  // The next regular fire after now; 0 when paused or when the expression never fires again.
  int64_t next_fire_ms = 0;
  std::string last_workflow_id;  // the workflow the schedule started last; empty: none yet
  int64_t buffered_fire_ms = 0;  // buffer-one: the fire waiting for the running one; 0: none
  uint64_t fires_started = 0;    // workflows started (a repeat after a crash is not counted twice)
  uint64_t fires_skipped = 0;    // fires dropped by the overlap or catch-up policy, or by a pause
};

}  // namespace actorflow
