// Engine's cron schedule methods. Checks run on the caller's thread; every change is a command to
// the scheduler actor, the only writer of schedule records.
#include <actorflow/cron.hpp>
#include <actorflow/actorflow.hpp>
#include <actorflow/logging.hpp>

#include "schedule/schedule_record.hpp"
#include "schedule/scheduler.hpp"
#include "workflow/engine_core.hpp"

#include <algorithm>
#include <variant>

namespace actorflow {

Status Engine::create_schedule(ScheduleSpec spec) {
  auto problems = schedule_spec_problems(spec);
  if (!spec.definition.empty() && !core_->latest_definition(spec.definition))
    problems.push_back("schedule '" + spec.id + "': unknown workflow definition '" + spec.definition +
                       "' (register it before creating the schedule)");
  if (!problems.empty()) return Status::errors(problems);
  ScheduleRecord record;
  record.spec = std::move(spec);
  record.created_ms = core_->clock->now_ms();
  record.last_fire_ms = record.created_ms;  // fires before the creation are not missed ones
  return scheduler_create(*core_, record);
}

std::vector<ScheduleInfo> Engine::schedules() const {
  std::vector<ScheduleInfo> infos;
  const int64_t now = core_->clock->now_ms();
  for (const auto& [id, encoded] : core_->store->schedules()) {
    std::string error;
    auto record = decode_schedule(encoded, &error);
    if (!record) {
      log_json(spdlog::level::err, {{"event", "schedule_unreadable"}, {"schedule_id", id}, {"detail", error}});
      continue;
    }
    ScheduleInfo info;
    info.paused = record->paused;
    info.created_ms = record->created_ms;
    info.last_fire_ms = record->last_fire_ms;
    if (!record->paused) {
      auto cron = CronExpression::parse(record->spec.cron);
      if (auto* expression = std::get_if<CronExpression>(&cron))
        info.next_fire_ms = expression->next_after(std::max(now, record->last_fire_ms)).value_or(0);
    }
    info.last_workflow_id = record->last_workflow_id;
    info.buffered_fire_ms = record->buffered_fire_ms;
    info.fires_started = record->fires_started;
    info.fires_skipped = record->fires_skipped;
    info.spec = std::move(record->spec);
    infos.push_back(std::move(info));
  }
  std::sort(infos.begin(), infos.end(), [](const auto& a, const auto& b) { return a.spec.id < b.spec.id; });
  return infos;
}

std::optional<ScheduleInfo> Engine::schedule(const std::string& schedule_id) const {
  for (auto& info : schedules())
    if (info.spec.id == schedule_id) return std::move(info);
  return std::nullopt;
}

Status Engine::pause_schedule(const std::string& schedule_id) {
  return scheduler_command(*core_, ScheduleCommand::pause, schedule_id);
}

Status Engine::resume_schedule(const std::string& schedule_id) {
  return scheduler_command(*core_, ScheduleCommand::resume, schedule_id);
}

Status Engine::delete_schedule(const std::string& schedule_id) {
  return scheduler_command(*core_, ScheduleCommand::erase, schedule_id);
}

}  // namespace actorflow
