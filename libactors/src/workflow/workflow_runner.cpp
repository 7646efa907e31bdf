#include "workflow/workflow_runner.hpp"

#include <actorflow/logging.hpp>

#include <caf/all.hpp>

#include <algorithm>

namespace actorflow {
namespace {

// The step's input: the whole data, one JSON pointer into it, or an object of named pointers.
std::optional<Json> map_input(const StepSpec& step, const Json& data, std::string* error) {
  auto pick = [&](const std::string& pointer) -> std::optional<Json> {
    Json::json_pointer ptr(pointer);
    if (!data.contains(ptr)) {
      *error = "input mapping: '" + pointer + "' not found in the workflow data";
      return std::nullopt;
    }
    return data.at(ptr);
  };
  if (!step.input_fields.empty()) {
    Json input = Json::object();
    for (const auto& [field, pointer] : step.input_fields) {
      auto value = pick(pointer);
      if (!value) return std::nullopt;
      input[field] = std::move(*value);
    }
    return input;
  }
  if (!step.input_pointer.empty()) return pick(step.input_pointer);
  return data;
}

std::string label(const std::string& id, const std::string& path, std::string_view what) {
  return id + "/" + path + " " + std::string(what);
}

}  // namespace

WorkflowRunner::WorkflowRunner(caf::event_based_actor* self, Engine::Core& core) : self_(self), core_(core) {}

WorkflowRunner::~WorkflowRunner() {
  for (const auto& [path, flight] : in_flight_)
    if (flight.timer != 0) core_.clock->cancel(flight.timer);
  if (idle_timer_ != 0) core_.clock->cancel(idle_timer_);
}

bool WorkflowRunner::load(const std::string& workflow_id, InstanceStart start, std::optional<StoredSnapshot> stored,
                          const std::vector<InboxSignal>& inbox) {
  epoch_ = core_.write_epoch(workflow_id);
  if (epoch_ == 0) {
    // The shard moved to another node since this instance was asked for: that node runs it.
    log_json(spdlog::level::info, {{"event", "instance_not_owner"}, {"workflow_id", workflow_id}});
    return false;
  }
  if (!stored) {
    log_json(spdlog::level::err, {{"event", "instance_missing"}, {"workflow_id", workflow_id}});
    return false;
  }
  std::string error;
  auto state = decode_state(stored->snapshot, &error);
  if (!state) {
    quarantine(workflow_id, stored->snapshot, error);
    return false;
  }
  state_ = std::move(*state);
  if (terminal()) return false;
  definition_ = core_.find_definition(state_.definition, state_.version);
  if (!definition_) {
    // Left as stored: a process that registers the definition (and recovers) runs it on.
    log_json(spdlog::level::err, {{"event", "definition_missing"}, {"workflow_id", workflow_id},
                                  {"detail", "definition '" + state_.definition + "' v" + std::to_string(state_.version) +
                                                 " is not registered; the workflow stays as stored"}});
    return false;
  }
  index(definition_->root);

  if (state_.history_seq == 0) record("workflow_started", {}, 0, {}, "running");
  if (start == InstanceStart::restarted) {
    ++state_.restarts;
    record("instance_restarted", {}, 0, {}, {}, -1, "restart " + std::to_string(state_.restarts));
  } else if (start == InstanceStart::recovered) {
    record("workflow_recovered", {}, 0, {}, std::string(to_string(state_.status)), -1,
           "resumed by " + (core_.options.node_id.empty() ? std::string("epoch ") : core_.options.node_id + ", epoch ") +
               std::to_string(epoch_));
  }
  // Resume what the previous incarnation had in flight: same step, same idempotency key.
  const int64_t now = core_.clock->now_ms();
  for (auto& [path, rec] : state_.steps) {
    auto node_it = nodes_.find(path);
    if (node_it == nodes_.end()) continue;
    const Node& node = *node_it->second;
    switch (rec.status) {
      case StepStatus::running:
        if (died_in_flight(start, node, rec, false)) {
          step_died(node);
          break;
        }
        record("step_redispatched", path, rec.attempts + 1);
        rec.outcome_unknown = true;  // the attempt of the instance that died may have taken effect
        start_step(node);
        break;
      case StepStatus::compensating:
        if (died_in_flight(start, node, rec, true)) {
          compensation_died(node);
          break;
        }
        record("compensation_redispatched", path, rec.compensation_attempts + 1);
        start_compensation(node);
        break;
      case StepStatus::retry_wait:
      case StepStatus::compensation_wait:
        schedule_retry(node, Millis(std::max<int64_t>(0, rec.retry_at_ms - now)), TimerKind::backoff);
        break;
      case StepStatus::sleeping:
      case StepStatus::waiting:
        if (rec.retry_at_ms > 0) schedule_wake(node);
        break;
      default: break;
    }
  }
  take_signals(inbox);
  advance();
  commit();
  return true;
}

// The snapshot cannot be read: park the workflow with the reason, keeping the bytes as they are.
void WorkflowRunner::quarantine(const std::string& workflow_id, const std::string& snapshot, const std::string& error) {
  log_json(spdlog::level::err, {{"event", "snapshot_quarantined"}, {"workflow_id", workflow_id}, {"detail", error}});
  WorkflowWrite write;
  write.workflow_id = workflow_id;
  write.epoch = epoch_;
  write.shard = core_.write_shard(workflow_id);
  write.snapshot = snapshot;
  write.live = false;
  write.dead_letter = DeadLetter{workflow_id, error, core_.clock->now_ms()};
  write.summary = WorkflowSummary{workflow_id, {}, 0, WorkflowStatus::dead_lettered, 0, core_.clock->now_ms()};
  Engine::Core* core = &core_;
  self_->request(core_.store_writer, caf::infinite, write_atom::value, std::move(write))
      .then([core, workflow_id](WriteResult) { core->workflow_ended(workflow_id, WorkflowStatus::dead_lettered); });
}

void WorkflowRunner::index(const Node& node) {
  if (node.kind != Node::Kind::sequence && node.kind != Node::Kind::parallel && node.kind != Node::Kind::choice)
    nodes_[node.path] = &node;
  for (const auto& child : node.children) index(child);
}

// ---- walking the definition ----------------------------------------------------------------

void WorkflowRunner::advance() {
  if (state_.status == WorkflowStatus::running) {
    if (state_.failed_step.empty() && drive(definition_->root) == Progress::done) {
      finish(WorkflowStatus::completed);
      return;
    }
    if (!state_.failed_step.empty()) {
      cancel_waiting_steps();
      if (anything_in_flight()) return;  // running siblings finish first, then are compensated too
      handle_failure();
    }
  }
  if (state_.status == WorkflowStatus::compensating) compensate_next();
}

WorkflowRunner::Progress WorkflowRunner::drive(const Node& node) {
  switch (node.kind) {
    case Node::Kind::step:
    case Node::Kind::child: {
      auto& rec = state_.steps[node.path];
      if (rec.status == StepStatus::completed) return Progress::done;
      if (rec.status == StepStatus::pending && state_.failed_step.empty()) start_step(node);
      return Progress::waiting;
    }
    case Node::Kind::sequence:
      for (const auto& child : node.children)
        if (drive(child) == Progress::waiting) return Progress::waiting;
      return Progress::done;
    case Node::Kind::parallel: {
      Progress all = Progress::done;
      for (const auto& branch : node.children)
        if (drive(branch) == Progress::waiting) all = Progress::waiting;
      return all;
    }
    case Node::Kind::choice: {
      int branch = choose_branch(node);
      if (branch < 0) return Progress::done;
      return drive(node.children[static_cast<size_t>(branch)]);
    }
    case Node::Kind::sleep: return drive_sleep(node);
    case Node::Kind::wait: return drive_wait(node);
  }
  return Progress::waiting;
}

// Decided once and kept in the snapshot, so a restored instance takes the same branch.
int WorkflowRunner::choose_branch(const Node& node) {
  auto it = state_.choices.find(node.path);
  if (it != state_.choices.end()) return it->second;
  int chosen = -1;
  std::string why = "no condition held";
  for (size_t i = 0; i < node.conditions.size(); ++i) {
    if (node.conditions[i](state_.data)) {  // a throwing condition is a bug: it crashes the instance
      chosen = static_cast<int>(i);
      why = node.condition_texts[i];
      break;
    }
  }
  if (chosen < 0 && node.children.size() > node.conditions.size()) {
    chosen = static_cast<int>(node.conditions.size());
    why = "otherwise";
  }
  state_.choices[node.path] = chosen;
  record("branch_chosen", node.path, 0, {}, chosen < 0 ? "none" : node.children[static_cast<size_t>(chosen)].name, -1, why);
  return chosen;
}

void WorkflowRunner::cancel_waiting_steps() {
  for (auto& [path, rec] : state_.steps) {
    if (rec.status != StepStatus::retry_wait && rec.status != StepStatus::sleeping && rec.status != StepStatus::waiting)
      continue;
    clear_flight(path);
    record("step_cancelled", path, rec.attempts, std::string(to_string(rec.status)), "cancelled", -1,
           state_.failed_step == kCancelledMarker ? state_.error : "step '" + state_.failed_step + "' failed");
    rec.status = StepStatus::cancelled;
    rec.retry_at_ms = 0;
  }
}

bool WorkflowRunner::anything_in_flight() const {
  for (const auto& [path, rec] : state_.steps)
    if (rec.status == StepStatus::running) return true;
  return false;
}

void WorkflowRunner::handle_failure() {
  if (state_.failed_step == kCancelledMarker) {
    record("workflow_compensating", {}, 0, "running", "compensating", -1, state_.error);
    state_.status = WorkflowStatus::compensating;
    return;
  }
  const Node& failed = *nodes_.at(state_.failed_step);
  switch (strategy_of(failed)) {
    case ErrorStrategy::retry:
      finish(WorkflowStatus::failed, state_.error);
      return;
    case ErrorStrategy::dead_letter:
      dead_letter(state_.error);
      return;
    case ErrorStrategy::compensate:
    case ErrorStrategy::retry_then_compensate:
      record("workflow_compensating", {}, 0, "running", "compensating", -1, state_.error);
      state_.status = WorkflowStatus::compensating;
      return;
  }
}

// ---- steps ----------------------------------------------------------------------------------

void WorkflowRunner::start_step(const Node& node) {
  auto& rec = state_.steps[node.path];
  rec.status = StepStatus::running;
  const uint64_t token = new_flight(node.path);
  if (node.step.breaker.empty() || node.kind == Node::Kind::child) {
    dispatch(node, false);
    return;
  }
  rec.released = true;  // waiting for its breaker's permit: no handler runs it yet
  caf::actor breaker = core_.find_breaker(node.step.breaker);
  const std::string path = node.path;
  after_dispatch(path, token, [this, breaker, path, token] {
    self_->request(breaker, caf::infinite, acquire_atom::value)
        .then([this, path, token](const BreakerPermit& permit) { on_permit(path, token, permit); },
              [this, path, token](const caf::error& e) {
                on_permit(path, token, BreakerPermit{false, 1000, BreakerState::open});
                log_json(spdlog::level::err, {{"event", "breaker_unreachable"}, {"workflow_id", state_.id},
                                              {"step", path}, {"detail", core_.system->render(e)}});
              });
  });
}

void WorkflowRunner::on_permit(const std::string& path, uint64_t token, const BreakerPermit& permit) {
  auto flight = in_flight_.find(path);
  if (flight == in_flight_.end() || flight->second.token != token) return;
  const Node& node = *nodes_.at(path);
  auto& rec = state_.steps[path];
  if (rec.status != StepStatus::running) return;
  if (permit.allowed) {
    dispatch(node, false);
  } else if (++rec.breaker_waits > core_.options.breaker_waits_max) {
    step_failed(node, StepOutcome::failure("circuit breaker '" + node.step.breaker + "' denied the step " +
                                               std::to_string(core_.options.breaker_waits_max) +
                                               " times (breaker_waits_max)", false), -1);
  } else {
    // An open breaker does not burn an attempt: the step waits until a call may pass.
    record("step_breaker_open", path, rec.attempts + 1, "running", "retry-wait", -1,
           "breaker '" + node.step.breaker + "' is " + std::string(to_string(permit.state)) + "; retry in " +
               std::to_string(permit.retry_after_ms) + " ms");
    rec.status = StepStatus::retry_wait;
    rec.retry_at_ms = core_.clock->now_ms() + permit.retry_after_ms;
    schedule_retry(node, Millis(permit.retry_after_ms), TimerKind::breaker_wait);
  }
  commit();
}

void WorkflowRunner::dispatch(const Node& node, bool compensation) {
  auto& rec = state_.steps[node.path];
  int attempt = compensation ? ++rec.compensation_attempts : ++rec.attempts;
  // Held back (hand-over), left queued (drain), or a suspect waiting for its turn (it commits
  // when it runs: on_suspect_turn): no handler runs it yet.
  const bool suspect = (compensation ? rec.compensation_crashes : rec.crashes) > 0;
  rec.released = handing_off_ || core_.draining || suspect;
  auto& flight = in_flight_[node.path];
  flight.dispatched_ms = core_.clock->now_ms();
  flight.sent = false;  // a breaker's permit came back: what is sent now is the job

  std::string error;
  auto input = map_input(node.step, state_.data, &error);
  if (!input) {
    if (compensation) compensation_failed(node, error, 0);
    else step_failed(node, StepOutcome::failure(error, false), 0);
    return;
  }
  record(compensation ? "compensation_dispatched" : "step_dispatched", node.path, attempt, {},
         compensation ? "compensating" : "running");

  const uint64_t token = flight.token;
  const std::string path = node.path;
  caf::actor me = caf::actor_cast<caf::actor>(self_);
  const bool is_child = node.kind == Node::Kind::child && !compensation;
  if (!is_child) {
    flight.timer = core_.schedule(timeout_of(node), label(state_.id, path, "timeout"), me,
                                  caf::make_message(timer_atom::value, path, token, TimerKind::timeout));
  }

  if (is_child) {
    after_dispatch(path, token, [this, path, input = std::move(*input), definition = node.child_definition] {
      start_child(path, definition, input);
    });
    return;
  }

  const std::string& handler_name = compensation ? node.step.compensation : node.step.handler;
  if (core_.is_remote_handler(handler_name)) {
    after_dispatch(path, token, [this, handler_name, path, attempt, compensation, token, input = std::move(*input)] {
      dispatch_remote(handler_name, path, attempt, compensation, input, token);
    });
    return;
  }
  auto context = std::make_shared<const StepContext>(state_.id, path, attempt, compensation, std::move(*input),
                                                     core_.store.get());
  StepJob job;
  job.context = std::move(context);
  job.reply_to = me;
  job.path = path;
  job.token = token;
  job.suspect = suspect;
  job.suspect_hold = timeout_of(node);
  if (suspect) job.announce = announce_suspect(path, token, timeout_of(node));
  job.handler = core_.find_sync_handler(handler_name);
  if (!job.handler) {
    job.async_handler = core_.find_async_handler(handler_name);
    std::weak_ptr<Engine::Core> weak_core = core_.shared_from_this();
    job.complete = [weak_core, me, path, token](StepOutcome outcome) {
      if (auto core = weak_core.lock())
        core->send_from_outside(me, caf::make_message(step_done_atom::value, path, token, std::move(outcome)));
    };
  }
  arm_chaos(node, compensation, attempt, job);  // fault injection (actorflow/chaos.hpp); nothing when off
  after_dispatch(path, token, [this, job = std::move(job)]() mutable { core_.run_step(std::move(job)); });
}

void WorkflowRunner::on_step_done(const std::string& path, uint64_t token, StepOutcome outcome) {
  auto flight = in_flight_.find(path);
  if (flight == in_flight_.end() || flight->second.token != token) return;  // late or stale answer
  crash_if_planned(path, token);  // chaos
  const Node& node = *nodes_.at(path);
  const auto status = state_.steps[path].status;
  const int64_t duration_ms = core_.clock->now_ms() - flight->second.dispatched_ms;
  if (status == StepStatus::running || status == StepStatus::compensating)
    core_.counters.step_finished(handler_label(node, status == StepStatus::compensating), outcome.ok, duration_ms);
  if (status == StepStatus::running) state_.steps[path].crashes = 0;  // an answer: the deaths in a row end
  if (status == StepStatus::compensating) state_.steps[path].compensation_crashes = 0;
  if (status == StepStatus::running) {
    if (!node.step.breaker.empty() && node.kind == Node::Kind::step) {
      caf::actor breaker = core_.find_breaker(node.step.breaker);
      bool success = outcome.ok;
      after_commit([this, breaker, success] { self_->send(breaker, record_atom::value, success); });
    }
    clear_flight(path);
    if (outcome.ok) step_succeeded(node, std::move(outcome.output), duration_ms);
    else step_failed(node, outcome, duration_ms);
  } else if (status == StepStatus::compensating) {
    clear_flight(path);
    if (outcome.ok) compensation_succeeded(node, duration_ms);
    else compensation_failed(node, outcome.error, duration_ms);
  }
  commit();
}

void WorkflowRunner::on_timer(const std::string& path, uint64_t token, TimerKind kind) {
  auto flight = in_flight_.find(path);
  if (flight == in_flight_.end() || flight->second.token != token) return;
  flight->second.timer = 0;  // fired
  const Node& node = *nodes_.at(path);
  if (kind == TimerKind::wake) {
    on_wake(node);
    commit();
    return;
  }
  auto& rec = state_.steps[path];
  if (kind == TimerKind::timeout) {
    const std::string error = "timed out after " + std::to_string(timeout_of(node).count()) + " ms";
    record("step_timed_out", path, rec.status == StepStatus::compensating ? rec.compensation_attempts : rec.attempts,
           {}, {}, timeout_of(node).count(), error);
    core_.counters.step_timed_out(handler_label(node, rec.status == StepStatus::compensating));
    if (core_.options.on_step_timed_out) {
      const bool compensating = rec.status == StepStatus::compensating;
      core_.options.on_step_timed_out(state_.id, path, compensating ? rec.compensation_attempts : rec.attempts,
                                      compensating);
    }
    if (rec.status == StepStatus::running) rec.outcome_unknown = true;
    on_step_done(path, token, StepOutcome::failure(error, true));
    return;
  }
  clear_flight(path);
  if (rec.status == StepStatus::retry_wait) {
    if (state_.failed_step.empty()) start_step(node);
    advance();
  } else if (rec.status == StepStatus::compensation_wait) {
    start_compensation(node);
  }
  commit();
}

// Creates the child durably, then has the supervisor run it; a child that exists already may
// have ended while this instance was down, so its state is checked at once.
void WorkflowRunner::start_child(const std::string& path, const std::string& definition, const Json& input) {
  const uint64_t token = in_flight_[path].token;
  auto prepared = core_.make_start_write(definition, state_.id + "/" + path, input, state_.id, path);
  if (auto* problem = std::get_if<Status>(&prepared)) {
    on_step_done(path, token, StepOutcome::failure("child workflow: " + problem->message(), false));
    return;
  }
  const std::string child_id = state_.id + "/" + path;
  if (std::get<WorkflowWrite>(prepared).epoch == 0) {
    start_remote_child(path, definition, input, token);  // the child's shard is another node's
    return;
  }
  self_->request(core_.store_writer, caf::infinite, write_atom::value, std::move(std::get<WorkflowWrite>(prepared)))
      .then([this, path, token, child_id](WriteResult written) {
        if (written == WriteResult::ok) {
          ++core_.counters.workflows_started;
          self_->send(core_.supervisor, spawn_atom::value, child_id, false);
        }
        else if (written == WriteResult::exists) on_child_done(path);
        else on_step_done(path, token, StepOutcome::failure("child workflow not stored: " + std::string(to_string(written))));
      });
}

void WorkflowRunner::on_child_done(const std::string& path) {
  if (in_flight_.count(path) == 0 || state_.steps[path].status != StepStatus::running) return;
  self_->request(core_.store_reader, caf::infinite, load_atom::value, state_.id + "/" + path)
      .then([this, path](LoadedSnapshot& loaded) { child_ended(path, loaded.stored); });
}

void WorkflowRunner::child_ended(const std::string& path, const std::optional<StoredSnapshot>& stored) {
  auto flight = in_flight_.find(path);
  if (flight == in_flight_.end() || state_.steps[path].status != StepStatus::running) return;
  std::string error = "not found";
  auto child = stored ? decode_state(stored->snapshot, &error) : std::nullopt;
  if (child && !is_terminal(child->status)) return;
  StepOutcome outcome = !child ? StepOutcome::failure("child workflow unreadable: " + error, false)
                        : child->status == WorkflowStatus::completed
                            ? StepOutcome::success(child->data)
                            : StepOutcome::failure("child workflow ended " + std::string(to_string(child->status)) +
                                                       ": " + child->error, false);
  on_step_done(path, flight->second.token, std::move(outcome));
}

void WorkflowRunner::step_succeeded(const Node& node, Json output, int64_t duration_ms) {
  auto& rec = state_.steps[node.path];
  record("step_completed", node.path, rec.attempts, "running", "completed", duration_ms);
  rec.status = StepStatus::completed;
  rec.error.clear();
  state_.data[node.name] = std::move(output);
  state_.completed.push_back(node.path);
  advance();
}

void WorkflowRunner::step_failed(const Node& node, const StepOutcome& outcome, int64_t duration_ms,
                                 bool then_advance) {
  auto& rec = state_.steps[node.path];
  ++rec.failures;
  rec.error = outcome.error;
  const RetryPolicy& policy = retry_of(node);
  const bool retry = state_.failed_step.empty() && outcome.retryable && strategy_retries(strategy_of(node)) &&
                     rec.failures <= policy.retries_max;
  if (retry) {
    Millis delay = core_.jittered_delay(policy, rec.failures);
    ++core_.counters.step_retries;
    record("step_retrying", node.path, rec.attempts, "running", "retry-wait", duration_ms,
           "retry " + std::to_string(rec.failures) + " of " + std::to_string(policy.retries_max) + " in " +
               std::to_string(delay.count()) + " ms: " + outcome.error);
    rec.status = StepStatus::retry_wait;
    rec.retry_at_ms = core_.clock->now_ms() + delay.count();
    schedule_retry(node, delay, TimerKind::backoff);
    return;
  }
  record("step_failed", node.path, rec.attempts, "running", "failed", duration_ms,
         outcome.error + (outcome.retryable ? "" : " (not retryable)"));
  rec.status = StepStatus::failed;
  if (rec.outcome_unknown && !node.step.compensation.empty() &&
      std::find(state_.completed.begin(), state_.completed.end(), node.path) == state_.completed.end()) {
    // An attempt that timed out (this one or an earlier one), or that was running when its
    // instance died, may still have taken effect: undo it too (compensations must tolerate
    // having nothing to undo).
    state_.completed.push_back(node.path);
  }
  if (state_.failed_step.empty()) {
    state_.failed_step = node.path;
    state_.error = "step '" + node.path + "' failed after " + std::to_string(rec.attempts) +
                   (rec.attempts == 1 ? " attempt: " : " attempts: ") + outcome.error;
  }
  if (then_advance) advance();
}

void WorkflowRunner::schedule_retry(const Node& node, Millis delay, TimerKind kind) {
  const uint64_t token = new_flight(node.path);
  const char* what = kind == TimerKind::breaker_wait ? "breaker-wait" : "backoff";
  in_flight_[node.path].timer =
      core_.schedule(delay, label(state_.id, node.path, what), caf::actor_cast<caf::actor>(self_),
                     caf::make_message(timer_atom::value, node.path, token, kind));
}

// ---- compensation ---------------------------------------------------------------------------

// Undoes completed steps one at a time, newest first.
void WorkflowRunner::compensate_next() {
  while (state_.compensations_done < state_.completed.size()) {
    const std::string& path = state_.completed[state_.completed.size() - 1 - state_.compensations_done];
    const Node& node = *nodes_.at(path);
    auto& rec = state_.steps[path];
    if (node.step.compensation.empty() || rec.status == StepStatus::compensated) {
      ++state_.compensations_done;
      continue;
    }
    if (rec.status == StepStatus::completed || rec.status == StepStatus::failed) {
      record("compensation_started", path, rec.compensation_attempts + 1, std::string(to_string(rec.status)),
             "compensating");
      start_compensation(node);
    }
    return;  // one compensation at a time
  }
  finish(WorkflowStatus::compensated, state_.error);
}

void WorkflowRunner::start_compensation(const Node& node) {
  state_.steps[node.path].status = StepStatus::compensating;
  new_flight(node.path);
  dispatch(node, true);
}

void WorkflowRunner::compensation_succeeded(const Node& node, int64_t duration_ms) {
  auto& rec = state_.steps[node.path];
  record("compensation_completed", node.path, rec.compensation_attempts, "compensating", "compensated", duration_ms);
  rec.status = StepStatus::compensated;
  ++state_.compensations_done;
  compensate_next();
}

void WorkflowRunner::compensation_failed(const Node& node, const std::string& error, int64_t duration_ms,
                                         bool retryable) {
  auto& rec = state_.steps[node.path];
  ++rec.compensation_failures;
  rec.error = error;
  const RetryPolicy& policy = retry_of(node);
  if (retryable && rec.compensation_failures <= policy.retries_max) {
    Millis delay = core_.jittered_delay(policy, rec.compensation_failures);
    ++core_.counters.step_retries;
    record("compensation_retrying", node.path, rec.compensation_attempts, "compensating", "compensation-wait",
           duration_ms, "retry " + std::to_string(rec.compensation_failures) + " of " +
                            std::to_string(policy.retries_max) + " in " + std::to_string(delay.count()) + " ms: " + error);
    rec.status = StepStatus::compensation_wait;
    rec.retry_at_ms = core_.clock->now_ms() + delay.count();
    schedule_retry(node, delay, TimerKind::backoff);
    return;
  }
  record("compensation_failed", node.path, rec.compensation_attempts, "compensating", "failed", duration_ms, error);
  dead_letter("compensation of step '" + node.path + "' failed after " + std::to_string(rec.compensation_attempts) +
              " attempts: " + error + "; while compensating for: " + state_.error);
}

// ---- ends -----------------------------------------------------------------------------------

void WorkflowRunner::finish(WorkflowStatus status, const std::string& error) {
  const std::string from(to_string(state_.status));
  state_.status = status;
  state_.error = error;
  record("workflow_" + std::string(to_string(status)), {}, 0, from, std::string(to_string(status)), -1, error);
  if (!state_.parent_id.empty()) {
    after_commit([this] {
      self_->send(core_.supervisor, child_done_atom::value, state_.parent_id, state_.parent_path);
    });
  }
}

void WorkflowRunner::dead_letter(const std::string& reason) {
  state_.unsaved_dead_letter = DeadLetter{state_.id, reason, core_.clock->now_ms()};
  for (auto& [path, flight] : in_flight_)
    if (flight.timer != 0) core_.clock->cancel(flight.timer);
  in_flight_.clear();
  finish(WorkflowStatus::dead_lettered, reason);
}

// ---- helpers --------------------------------------------------------------------------------

std::string WorkflowRunner::handler_label(const Node& node, bool compensation) const {
  if (compensation) return node.step.compensation;
  if (node.kind == Node::Kind::child) return "child:" + node.child_definition;
  return node.step.handler;
}

Millis WorkflowRunner::timeout_of(const Node& node) const {
  if (node.step.timeout) return *node.step.timeout;
  if (definition_->timeout) return *definition_->timeout;
  return core_.options.step_timeout_default;
}

const RetryPolicy& WorkflowRunner::retry_of(const Node& node) const {
  if (node.step.retry) return *node.step.retry;
  if (definition_->retry) return *definition_->retry;
  return core_.options.retry_default;
}

ErrorStrategy WorkflowRunner::strategy_of(const Node& node) const {
  if (node.step.strategy) return *node.step.strategy;
  if (definition_->strategy) return *definition_->strategy;
  return core_.options.strategy_default;
}

void WorkflowRunner::record(std::string_view type, std::string_view step, int attempt, std::string_view from,
                            std::string_view to, int64_t duration_ms, std::string_view detail) {
  core_.record(state_, EventFields{type, step, attempt, from, to, duration_ms, detail, {}});
}

uint64_t WorkflowRunner::new_flight(const std::string& path) {
  auto& flight = in_flight_[path];
  if (flight.timer != 0) core_.clock->cancel(flight.timer);
  flight = InFlight{next_token_++, 0, 0};
  return flight.token;
}

void WorkflowRunner::clear_flight(const std::string& path) {
  auto it = in_flight_.find(path);
  if (it == in_flight_.end()) return;
  if (it->second.timer != 0) core_.clock->cancel(it->second.timer);
  in_flight_.erase(it);
}

// Write-ahead: the messages a transition causes leave only after its snapshot is committed.
// Commits are answered in order, so effects also run in transition order.
void WorkflowRunner::commit() {
  auto effects = std::move(outbox_);
  outbox_.clear();
  ++idle_token_;
  const bool ended = terminal();
  ++commits_in_flight_;
  WorkflowWrite write = core_.make_write(state_, epoch_);
  const bool creating = start_reply_.has_value();
  write.create = creating;
  auto acknowledged = [this, creating, effects = std::move(effects), ended,
                       pending = core_.commits_pending->enter()](WriteResult written) mutable {
    --commits_in_flight_;
    if (creating && !start_acknowledged(written)) return;
    if (written != WriteResult::ok) {
      // Another owner holds a newer epoch (or the engine is stopping): this one steps down.
      log_json(spdlog::level::warn, {{"event", "instance_fenced"}, {"workflow_id", state_.id},
                                     {"epoch", epoch_}, {"detail", std::string(to_string(written))}});
      if (written == WriteResult::stale_epoch) core_.shard_fenced(state_.id);
      self_->quit();
      return;
    }
    for (auto& effect : effects) effect();
    if (ended) {
      core_.workflow_ended(state_.id, state_.status);
      if (commits_in_flight_ == 0) self_->quit();
    } else if (handing_off_) {
      quit_if_handed_off();
    } else {
      arm_passivation();
    }
  };
  auto request = self_->request(core_.store_writer, caf::infinite, write_atom::value, std::move(write));
  // Until the creating commit is answered nothing else is handled: if the id exists, this
  // instance must write nothing more.
  if (creating) request.await(std::move(acknowledged));
  else request.then(std::move(acknowledged));
}

// Effects that start work (a step's job, a breaker's permit, a child) are held back while the
// workflow is being handed to another node: the snapshot says the step runs, so the new owner
// dispatches it. A job that does leave is marked sent, so a hand-over waits for its result.
void WorkflowRunner::after_dispatch(const std::string& path, uint64_t token, std::function<void()> effect) {
  after_commit([this, path, token, effect = std::move(effect)] {
    if (handing_off_) return;
    auto flight = in_flight_.find(path);
    if (flight != in_flight_.end() && flight->second.token == token) flight->second.sent = true;
    effect();
  });
}

void WorkflowRunner::begin_handoff() {
  handing_off_ = true;
  quit_if_handed_off();
}

void WorkflowRunner::quit_if_handed_off() {
  if (commits_in_flight_ > 0) return;
  for (const auto& [path, flight] : in_flight_)
    if (flight.sent) return;  // its result is still to come
  // What is still in flight was held back: the new owner dispatches it, and must not count a crash.
  if (release_in_flight()) {
    commit();  // its acknowledgement comes back here
    return;
  }
  self_->quit();
}

}  // namespace actorflow
