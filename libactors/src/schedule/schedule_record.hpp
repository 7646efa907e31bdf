#pragma once
// A schedule as stored: its spec plus where its fires stand. Encoded as JSON (one store value per
// schedule, Store::schedule_put). Only the scheduler actor writes records; Engine reads them.
#include <actorflow/schedule.hpp>
#include <actorflow/status.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace actorflow {

struct ScheduleRecord {
  ScheduleSpec spec;
  bool paused = false;
  int64_t created_ms = 0;
  // Every fire at or before this time is decided. A decision is stored in the same write that
  // moves this forward, so a fire is decided exactly once.
  int64_t last_fire_ms = 0;
  // Fires decided "start" whose workflow is not known to be started yet, oldest first. Starting is
  // idempotent (the workflow id is derived from the fire), so they are started again after a
  // crash, and removed in the write that records them started.
  std::vector<int64_t> pending_fire_ms;
  int64_t buffered_fire_ms = 0;  // buffer-one: a fire waiting for the previous run; 0: none
  std::string last_workflow_id;
  uint64_t fires_started = 0;
  uint64_t fires_skipped = 0;
};

// JSON text, with "format": 1.
std::string encode_schedule(const ScheduleRecord& record);
// Nothing when `encoded` is not a schedule record; `error` then says why.
std::optional<ScheduleRecord> decode_schedule(const std::string& encoded, std::string* error);

// "<schedule id>@<fire_ms>": the workflow a fire starts.
std::string fire_workflow_id(const std::string& schedule_id, int64_t fire_ms);
// "2024-03-01T06:00:00Z" (ms dropped).
std::string format_utc(int64_t at_ms);
// The input of the workflow a fire starts: the spec's input plus `schedule: {id, fire_ms, fire_utc}`.
Json fire_input(const ScheduleSpec& spec, int64_t fire_ms);

// What is wrong with the spec apart from its definition, one problem per entry.
std::vector<std::string> schedule_spec_problems(const ScheduleSpec& spec);

}  // namespace actorflow
