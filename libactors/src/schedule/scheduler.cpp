#include "schedule/scheduler.hpp"

#include <actorflow/cron.hpp>
#include <actorflow/logging.hpp>
#include <actorflow/schedule_policy.hpp>

#include "cluster/cluster_messages.hpp"
#include "cluster/cluster_routing.hpp"
#include "workflow/workflow_state.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <variant>

namespace actorflow {
namespace {

using activate_atom = caf::atom_constant<caf::atom("schedact")>;      // engine -> scheduler: run
using deactivate_atom = caf::atom_constant<caf::atom("schedstop")>;   // cluster: another node runs it now
using fire_atom = caf::atom_constant<caf::atom("schedfire")>;         // clock -> scheduler: a fire is due
using poll_atom = caf::atom_constant<caf::atom("schedpoll")>;         // clock -> scheduler: check again
using create_atom = caf::atom_constant<caf::atom("schedmake")>;       // engine -> scheduler (answers)
using pause_atom = caf::atom_constant<caf::atom("schedpause")>;       // engine -> scheduler (answers)
using resume_atom = caf::atom_constant<caf::atom("schedresum")>;      // engine -> scheduler (answers)
using erase_atom = caf::atom_constant<caf::atom("scheddel")>;         // engine -> scheduler (answers)

// Missed fires are counted for the log and the skipped counter up to this many.
constexpr size_t kMissedCountMax = 10'000;
// An engine call waits this long for the scheduler's answer (it may be starting workflows).
constexpr auto kCommandWait = std::chrono::seconds(60);

// The fires in (after_ms, until_ms], counted up to `count_max`.
size_t count_fires(const CronExpression& cron, int64_t after_ms, int64_t until_ms, size_t count_max) {
  size_t count = 0;
  for (auto at = cron.next_after(after_ms); at && *at <= until_ms && count < count_max; at = cron.next_after(*at)) ++count;
  return count;
}

struct Entry {
  ScheduleRecord record;         // as stored
  std::optional<CronExpression> cron;
  TimerId timer = 0;
  int64_t armed_ms = 0;          // the fire the clock timer is armed for; 0: none
  bool start_failure_logged = false;
};

class Scheduler {
 public:
  static inline const char* name = "scheduler";

  void init(caf::stateful_actor<Scheduler>* self, Engine::Core* core) {
    self_ = self;
    core_ = core;
  }

  void activate() {
    if (active_) return;
    active_ = true;
    load();
  }

  // Back to idle: no fire is armed; the next activation loads the records again.
  void deactivate() {
    if (!active_) return;
    for (auto& [id, entry] : entries_) disarm(entry);
    entries_.clear();
    active_ = false;
    loaded_ = false;
    log_json(spdlog::level::info, {{"event", "scheduler_deactivated"}});
  }

  void on_fire(const std::string& id, int64_t due_ms) {
    if (!loaded_) return;
    auto it = entries_.find(id);
    if (it == entries_.end()) return;  // deleted since
    Entry& entry = it->second;
    if (entry.armed_ms == due_ms) {
      entry.armed_ms = 0;
      entry.timer = 0;
    }
    advance(entry, core_->clock->now_ms(), false);
  }

  void on_poll() {
    poll_armed_ = false;
    if (!active_) return;
    if (!loaded_) {
      load();
      return;
    }
    const int64_t now = core_->clock->now_ms();
    for (auto& [id, entry] : entries_) advance(entry, now, false);
  }

  std::string create(const std::string& encoded) {
    activate();
    if (!loaded_) return "the stored schedules could not be read (store unavailable?); nothing created";
    std::string error;
    auto record = decode_schedule(encoded, &error);
    if (!record) return error;
    const std::string id = record->spec.id;
    if (auto it = entries_.find(id); it != entries_.end()) {
      const ScheduleSpec& stored = it->second.record.spec;
      if (same_schedule(stored, record->spec)) return {};  // idempotent: same spec, nothing changes
      return "schedule '" + id + "' exists with a different spec (cron '" + stored.cron + "', definition '" +
             stored.definition + "', overlap " + std::string(to_string(stored.overlap)) + ", catch-up " +
             std::string(to_string(stored.catch_up)) + "); delete it first to change it";
    }
    if (entries_.size() >= kSchedulesMax)
      return "schedule '" + id + "' not created: " + std::to_string(kSchedulesMax) + " schedules exist (kSchedulesMax)";
    Entry entry;
    entry.cron = std::get<CronExpression>(CronExpression::parse(record->spec.cron));
    if (!put(entry, *record, &error)) return "schedule '" + id + "' not created: " + error;
    Entry& added = entries_.emplace(id, std::move(entry)).first->second;
    const auto& spec = added.record.spec;
    log_json(spdlog::level::info, {{"event", "schedule_created"}, {"schedule_id", id}, {"cron", spec.cron},
                                   {"definition", spec.definition}, {"overlap", to_string(spec.overlap)},
                                   {"catch_up", to_string(spec.catch_up)}});
    advance(added, core_->clock->now_ms(), false);
    return {};
  }

  std::string command(ScheduleCommand command, const std::string& id) {
    activate();
    if (!loaded_) return "the stored schedules could not be read (store unavailable?); nothing changed";
    auto it = entries_.find(id);
    if (it == entries_.end()) {
      if (command == ScheduleCommand::erase) {
        // An unreadable record is not loaded, but deleting it is how an operator removes it.
        try {
          if (core_->store->schedule_erase(id)) {
            log_json(spdlog::level::info, {{"event", "schedule_deleted"}, {"schedule_id", id}, {"unreadable", true}});
            return {};
          }
        } catch (const std::exception& e) {
          return "schedule '" + id + "' not deleted: " + e.what();
        }
      }
      return "no schedule '" + id + "'";
    }
    Entry& entry = it->second;
    const int64_t now = core_->clock->now_ms();
    std::string error;
    switch (command) {
      case ScheduleCommand::pause: {
        if (entry.record.paused) return {};
        ScheduleRecord next = entry.record;
        next.paused = true;
        const int64_t dropped = next.buffered_fire_ms;
        if (dropped != 0) {
          next.buffered_fire_ms = 0;
          ++next.fires_skipped;
        }
        if (!put(entry, std::move(next), &error)) return "schedule '" + id + "' not paused: " + error;
        disarm(entry);
        log_json(spdlog::level::info, {{"event", "schedule_paused"}, {"schedule_id", id}, {"buffered_fire_dropped_ms", dropped}});
        return {};
      }
      case ScheduleCommand::resume: {
        if (!entry.record.paused) return {};
        ScheduleRecord next = entry.record;
        next.paused = false;
        // The fires that fell while paused are not run: the schedule goes on from now.
        next.last_fire_ms = std::max(next.last_fire_ms, now);
        if (!put(entry, std::move(next), &error)) return "schedule '" + id + "' not resumed: " + error;
        log_json(spdlog::level::info, {{"event", "schedule_resumed"}, {"schedule_id", id}});
        advance(entry, now, false);
        return {};
      }
      case ScheduleCommand::erase: {
        try {
          core_->store->schedule_erase(id);
        } catch (const std::exception& e) {
          return "schedule '" + id + "' not deleted: " + e.what();
        }
        disarm(entry);
        log_json(spdlog::level::info, {{"event", "schedule_deleted"}, {"schedule_id", id},
                                       {"pending_fires_dropped", entry.record.pending_fire_ms}});
        entries_.erase(it);
        return {};
      }
    }
    return "unknown schedule command";
  }

 private:
  void load() {
    std::vector<std::pair<std::string, std::string>> stored;
    try {
      stored = core_->store->schedules();
    } catch (const std::exception& e) {
      log_json(spdlog::level::warn, {{"event", "scheduler_load_failed"}, {"detail", e.what()}});
      ensure_poll();
      return;
    }
    for (const auto& [id, encoded] : stored) {
      std::string error;
      auto record = decode_schedule(encoded, &error);
      if (record && record->spec.id != id) error = "stored under id '" + id + "' but names '" + record->spec.id + "'";
      if (!record || !error.empty()) {
        log_json(spdlog::level::err, {{"event", "schedule_unreadable"}, {"schedule_id", id}, {"detail", error}});
        continue;
      }
      Entry entry;
      entry.cron = std::get<CronExpression>(CronExpression::parse(record->spec.cron));
      entry.record = std::move(*record);
      entries_.emplace(id, std::move(entry));
    }
    loaded_ = true;
    const int64_t now = core_->clock->now_ms();
    log_json(spdlog::level::info, {{"event", "scheduler_started"}, {"schedules", entries_.size()}, {"now_ms", now}});
    core_->start_waker();  // the workflows it starts may sleep and passivate
    for (auto& [id, entry] : entries_) advance(entry, now, true);
  }

  // Brings the schedule up to `now`: starts the fires decided earlier, releases a buffered fire
  // whose predecessor ended, decides the fires due and re-arms the timer. After a downtime every
  // due fire was missed (catch-up policy); otherwise the latest due fire is the regular one and
  // only older ones (the engine lagged) were missed.
  void advance(Entry& entry, int64_t now, bool after_downtime) {
    try {
      if (start_pending(entry) && !entry.record.paused && release_buffered(entry) &&
          decide_due(entry, now, after_downtime))
        start_pending(entry);
    } catch (const std::exception& e) {  // a store read failed: try again at the next poll
      log_json(spdlog::level::warn, {{"event", "schedule_check_failed"}, {"schedule_id", entry.record.spec.id},
                                     {"detail", e.what()}});
      ensure_poll();
    }
    arm(entry, now);
    if (!entry.record.pending_fire_ms.empty() || entry.record.buffered_fire_ms != 0) ensure_poll();
  }

  bool still_running(const std::string& workflow_id) const {
    if (workflow_id.empty()) return false;
    auto stored = core_->store->load(workflow_id);
    if (!stored) return false;
    std::string error;
    auto state = decode_state(stored->snapshot, &error);
    return state && !is_terminal(state->status);
  }

  bool release_buffered(Entry& entry) {
    const ScheduleRecord& record = entry.record;
    if (record.buffered_fire_ms == 0 || still_running(record.last_workflow_id)) return true;
    ScheduleRecord next = record;
    next.pending_fire_ms.push_back(record.buffered_fire_ms);
    next.buffered_fire_ms = 0;
    if (!put(entry, std::move(next))) return false;
    log_json(spdlog::level::info, {{"event", "schedule_buffered_released"}, {"schedule_id", record.spec.id},
                                   {"fire_ms", entry.record.pending_fire_ms.back()},
                                   {"previous_workflow_id", record.last_workflow_id}});
    return start_pending(entry);
  }

  bool decide_due(Entry& entry, int64_t now, bool after_downtime) {
    const ScheduleRecord& record = entry.record;
    const ScheduleSpec& spec = record.spec;
    const CronExpression& cron = *entry.cron;
    const auto latest = cron.last_at_or_before(now);
    if (!latest || *latest <= record.last_fire_ms) return true;
    std::vector<int64_t> fires;
    if (after_downtime) {
      fires = missed_fires(cron, record.last_fire_ms, now, spec.catch_up, spec.catch_up_fires_max);
    } else {
      fires = missed_fires(cron, record.last_fire_ms, *latest - 1, spec.catch_up, spec.catch_up_fires_max);
      fires.push_back(*latest);
    }
    const size_t due = count_fires(cron, record.last_fire_ms, *latest, kMissedCountMax);
    const size_t missed = after_downtime ? due : due - 1;
    const bool previous_running = still_running(record.last_workflow_id);

    ScheduleRecord next = record;
    std::vector<std::pair<int64_t, OverlapDecision>> decisions;
    for (int64_t fire_ms : fires) {
      const auto decision = decide_overlap(spec.overlap, previous_running || !next.pending_fire_ms.empty(),
                                           next.buffered_fire_ms != 0);
      if (decision == OverlapDecision::start) next.pending_fire_ms.push_back(fire_ms);
      else if (decision == OverlapDecision::buffer) next.buffered_fire_ms = fire_ms;
      else ++next.fires_skipped;
      decisions.emplace_back(fire_ms, decision);
    }
    if (due > fires.size()) next.fires_skipped += due - fires.size();  // dropped by the catch-up policy
    next.last_fire_ms = *latest;
    const int64_t since_ms = record.last_fire_ms;
    if (!put(entry, std::move(next))) return false;

    if (missed > 0) {
      Json run = Json::array();
      for (int64_t fire_ms : fires)
        if (after_downtime || fire_ms != *latest) run.push_back(fire_ms);
      log_json(spdlog::level::info, {{"event", "schedule_catch_up"}, {"schedule_id", spec.id},
                                     {"reason", after_downtime ? "engine was down" : "engine lagged"},
                                     {"policy", to_string(spec.catch_up)}, {"since_ms", since_ms},
                                     {"since_utc", format_utc(since_ms)}, {"missed", missed},
                                     {"missed_count_capped", due >= kMissedCountMax}, {"catch_up_fires_ms", run}});
    }
    for (const auto& [fire_ms, decision] : decisions) {
      if (decision == OverlapDecision::start) continue;  // logged as schedule_fired once started
      log_json(spdlog::level::info,
               {{"event", decision == OverlapDecision::skip ? "schedule_fire_skipped" : "schedule_fire_buffered"},
                {"schedule_id", spec.id}, {"fire_ms", fire_ms}, {"fire_utc", format_utc(fire_ms)},
                {"overlap", to_string(spec.overlap)}, {"running_workflow_id", entry.record.last_workflow_id}});
    }
    return true;
  }

  // Starts every pending fire (idempotent on the workflow id), then records them started.
  bool start_pending(Entry& entry) {
    const ScheduleRecord& record = entry.record;
    if (record.pending_fire_ms.empty()) return true;
    size_t started = 0;
    std::string last_id;
    for (int64_t fire_ms : record.pending_fire_ms) {
      const std::string workflow_id = fire_workflow_id(record.spec.id, fire_ms);
      auto result = core_->start_workflow(record.spec.definition, workflow_id, fire_input(record.spec, fire_ms));
      if (!result.status) {
        if (!entry.start_failure_logged)
          log_json(spdlog::level::err, {{"event", "schedule_start_failed"}, {"schedule_id", record.spec.id},
                                        {"workflow_id", workflow_id}, {"detail", result.status.message()},
                                        {"retry", "every poll interval until it starts"}});
        entry.start_failure_logged = true;
        break;
      }
      entry.start_failure_logged = false;
      log_json(spdlog::level::info, {{"event", "schedule_fired"}, {"schedule_id", record.spec.id},
                                     {"workflow_id", workflow_id}, {"fire_ms", fire_ms}, {"fire_utc", format_utc(fire_ms)},
                                     {"already_started", !result.created}});
      ++started;
      last_id = workflow_id;
    }
    if (started > 0) {
      ScheduleRecord next = record;
      next.pending_fire_ms.erase(next.pending_fire_ms.begin(), next.pending_fire_ms.begin() + static_cast<ptrdiff_t>(started));
      next.last_workflow_id = last_id;
      next.fires_started += started;
      if (!put(entry, std::move(next))) return false;
    }
    if (!entry.record.pending_fire_ms.empty()) {
      ensure_poll();
      return false;
    }
    return true;
  }

  // Writes `next` to the store, then makes it the entry's record. False (and a poll armed) when
  // the store refused.
  bool put(Entry& entry, ScheduleRecord next, std::string* error = nullptr) {
    try {
      core_->store->schedule_put(next.spec.id, encode_schedule(next));
    } catch (const std::exception& e) {
      log_json(spdlog::level::warn, {{"event", "schedule_write_failed"}, {"schedule_id", next.spec.id}, {"detail", e.what()}});
      if (error) *error = e.what();
      ensure_poll();
      return false;
    }
    entry.record = std::move(next);
    return true;
  }

  void arm(Entry& entry, int64_t now) {
    const ScheduleRecord& record = entry.record;
    std::optional<int64_t> next;
    if (!record.paused) next = entry.cron->next_after(std::max(now, record.last_fire_ms));
    if (!next) {
      disarm(entry);
      return;
    }
    if (entry.armed_ms == *next) return;
    disarm(entry);
    entry.timer = core_->schedule(Millis(std::max<int64_t>(0, *next - now)), "schedule " + record.spec.id + " fire",
                                  caf::actor_cast<caf::actor>(self_), caf::make_message(fire_atom::value, record.spec.id, *next));
    entry.armed_ms = *next;
  }

  void disarm(Entry& entry) {
    if (entry.armed_ms != 0) core_->clock->cancel(entry.timer);
    entry.armed_ms = 0;
    entry.timer = 0;
  }

  void ensure_poll() {
    if (poll_armed_) return;
    poll_armed_ = true;
    core_->schedule(core_->options.wake_poll_interval, "scheduler poll", caf::actor_cast<caf::actor>(self_),
                    caf::make_message(poll_atom::value));
  }

  caf::stateful_actor<Scheduler>* self_ = nullptr;
  Engine::Core* core_ = nullptr;
  bool active_ = false;
  bool loaded_ = false;
  bool poll_armed_ = false;
  std::map<std::string, Entry> entries_;
};

caf::behavior scheduler(caf::stateful_actor<Scheduler>* self, Engine::Core* core) {
  self->state.init(self, core);
  return {
      [=](activate_atom) { self->state.activate(); },
      [=](deactivate_atom) { self->state.deactivate(); },
      [=](fire_atom, const std::string& id, int64_t due_ms) { self->state.on_fire(id, due_ms); },
      [=](poll_atom) { self->state.on_poll(); },
      [=](create_atom, const std::string& encoded) { return self->state.create(encoded); },
      [=](pause_atom, const std::string& id) { return self->state.command(ScheduleCommand::pause, id); },
      [=](resume_atom, const std::string& id) { return self->state.command(ScheduleCommand::resume, id); },
      [=](erase_atom, const std::string& id) { return self->state.command(ScheduleCommand::erase, id); },
  };
}

Status ask_local(Engine::Core& core, const caf::message& command) {
  if (!core.scheduler) return Status::error("the engine is stopping: no scheduler");
  if (auto refused = core.write_refusal("the schedule command was not applied")) return *refused;
  caf::scoped_actor self{*core.system};
  Status result = Status::error("the scheduler did not answer");
  self->request(core.scheduler, kCommandWait, command)
      .receive([&](const std::string& error) { result = error.empty() ? Status::ok() : Status::error(error); },
               [&](caf::error& e) { result = Status::error("scheduler: " + core.system->render(e)); });
  return result;
}

// In a cluster the scheduler of shard 0's owner is the one that runs: commands go there.
template <class... Ts>
Status ask(Engine::Core& core, Ts&&... xs) {
  const caf::message command = caf::make_message(std::forward<Ts>(xs)...);
  if (!core.cluster) return ask_local(core, command);
  const OwnerAnswer answer = ask_shard_owner(core, 0, caf::make_message(fwd_sched_atom::value, command),
                                             [&]() -> std::optional<OwnerAnswer> {
                                               const Status status = ask_local(core, command);
                                               return OwnerAnswer::of(status);
                                             });
  return answer.status();
}

}  // namespace

caf::actor spawn_scheduler(caf::actor_system& system, Engine::Core& core) {
  return system.spawn<caf::detached>(scheduler, &core);
}

void activate_scheduler(Engine::Core& core) {
  core.send_from_outside(core.scheduler, caf::make_message(activate_atom::value));
}

void deactivate_scheduler(Engine::Core& core) {
  core.send_from_outside(core.scheduler, caf::make_message(deactivate_atom::value));
}

Status scheduler_create(Engine::Core& core, const ScheduleRecord& record) {
  return ask(core, create_atom::value, encode_schedule(record));
}

Status scheduler_command(Engine::Core& core, ScheduleCommand command, const std::string& schedule_id) {
  switch (command) {
    case ScheduleCommand::pause:
      return ask(core, pause_atom::value, schedule_id);
    case ScheduleCommand::resume:
      return ask(core, resume_atom::value, schedule_id);
    case ScheduleCommand::erase:
      return ask(core, erase_atom::value, schedule_id);
  }
  return Status::error("unknown schedule command");
}

}  // namespace actorflow
