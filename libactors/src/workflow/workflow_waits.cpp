// The runner's waits: durable sleeps and waits for signals (approvals among them), and
// passivation of an instance that only waits. A wait's deadline and a sleep's wake-up time live in
// the snapshot (StepRecord::retry_at_ms) and in the store's wake-up index, so they fire after a
// restart and for a passivated instance.
#include "workflow/workflow_runner.hpp"
#include <actorflow/bounded_parse.hpp>

#include <actorflow/logging.hpp>

#include <caf/all.hpp>

#include <algorithm>

namespace actorflow {
namespace {

std::string describe_deadline(const WaitSpec& wait, int timeouts) {
  std::optional<Millis> limit = timeouts == 0 ? wait.timeout : wait.escalation_timeout;
  return limit ? " for up to " + std::to_string(limit->count()) + " ms" : "";
}

// An approval signal must say approve or reject, and who decided.
std::optional<std::string> approval_problem(const Json& payload) {
  if (!payload.is_object()) return "payload is not a JSON object";
  auto decision = payload.find("decision");
  if (decision == payload.end() || !decision->is_string() || (*decision != "approve" && *decision != "reject"))
    return "\"decision\" must be \"approve\" or \"reject\"";
  auto by = payload.find("by");
  if (by == payload.end() || !by->is_string() || by->get<std::string>().empty()) return "\"by\" must name who decided";
  return std::nullopt;
}

}  // namespace

WorkflowRunner::Progress WorkflowRunner::drive_sleep(const Node& node) {
  auto& rec = state_.steps[node.path];
  if (rec.status == StepStatus::completed) return Progress::done;
  if (rec.status != StepStatus::pending || !state_.failed_step.empty()) return Progress::waiting;
  const int64_t now = core_.clock->now_ms();
  int64_t due = now + node.sleep_for.count();
  if (!node.sleep_until_pointer.empty()) {
    Json::json_pointer pointer(node.sleep_until_pointer);
    if (!state_.data.contains(pointer) || !state_.data.at(pointer).is_number_integer()) {
      fail_wait(node, "sleep until '" + node.sleep_until_pointer + "': no time (ms since epoch) there in the data");
      return Progress::waiting;
    }
    due = state_.data.at(pointer).get<int64_t>();
  }
  rec.status = StepStatus::sleeping;
  rec.retry_at_ms = std::max(due, now);
  record("timer_started", node.path, 0, "pending", "sleeping", -1, "until " + std::to_string(rec.retry_at_ms));
  schedule_wake(node);
  return Progress::waiting;
}

WorkflowRunner::Progress WorkflowRunner::drive_wait(const Node& node) {
  auto& rec = state_.steps[node.path];
  const WaitSpec& wait = node.wait;
  if (rec.status == StepStatus::pending && state_.failed_step.empty()) {
    rec.status = StepStatus::waiting;
    rec.retry_at_ms = wait.timeout ? core_.clock->now_ms() + wait.timeout->count() : 0;
    record(wait.approval ? "approval_waiting" : "signal_waiting", node.path, 0, "pending", "waiting", -1,
           "signal '" + wait.signal + "'" + describe_deadline(wait, 0));
    if (rec.retry_at_ms > 0) schedule_wake(node);
  }
  if (rec.status == StepStatus::waiting && take_signal_for(node) && rec.status == StepStatus::failed)
    return Progress::waiting;
  // The timeout branch (branch or escalate) runs once a deadline has passed.
  Progress branch = Progress::done;
  if (rec.timeouts > 0 && !node.children.empty()) branch = drive(node.children[0]);
  return rec.status == StepStatus::completed && branch == Progress::done ? Progress::done : Progress::waiting;
}

// Takes the earliest pending signal with the wait's name, if any. True when one was taken.
bool WorkflowRunner::take_signal_for(const Node& node) {
  const WaitSpec& wait = node.wait;
  auto it = std::find_if(state_.pending_signals.begin(), state_.pending_signals.end(),
                         [&](const PendingSignal& s) { return s.name == wait.signal; });
  if (it == state_.pending_signals.end()) return false;
  PendingSignal signal = std::move(*it);
  state_.pending_signals.erase(it);
  auto& rec = state_.steps[node.path];
  if (wait.approval) {
    if (auto problem = approval_problem(signal.payload)) {
      record("approval_signal_invalid", node.path, 0, {}, {}, -1, "signal #" + std::to_string(signal.seq) + ": " + *problem);
      return take_signal_for(node);  // a later valid one may be pending
    }
    const std::string by = signal.payload["by"].get<std::string>();
    const std::string reason = signal.payload.value("reason", "");
    const bool approved = signal.payload["decision"] == "approve";
    clear_flight(node.path);
    record(approved ? "approval_granted" : "approval_rejected", node.path, 0, "waiting",
           approved ? "completed" : "failed", -1, "by " + by + (reason.empty() ? "" : ": " + reason));
    // One decision is taken; the others sent with it are refused where they can be seen.
    const std::string taken = std::string(approved ? "approved" : "rejected") + " by " + by + " (signal #" +
                              std::to_string(signal.seq) + ")";
    std::erase_if(state_.pending_signals, [&](const PendingSignal& other) {
      if (other.name != wait.signal) return false;
      refuse_decision(node, other, taken);
      return true;
    });
    if (!approved) {
      state_.data[node.name] = signal.payload;
      fail_wait(node, "approval '" + node.name + "' rejected by " + by + (reason.empty() ? "" : ": " + reason));
      return true;
    }
  } else {
    record("signal_taken", node.path, 0, "waiting", "completed", -1,
           "signal '" + signal.name + "' #" + std::to_string(signal.seq));
  }
  clear_flight(node.path);
  rec.status = StepStatus::completed;
  rec.retry_at_ms = 0;
  state_.data[node.name] = std::move(signal.payload);
  return true;
}

void WorkflowRunner::on_wake(const Node& node) {
  auto& rec = state_.steps[node.path];
  clear_flight(node.path);
  if (rec.status == StepStatus::sleeping) {
    record("timer_fired", node.path, 0, "sleeping", "completed");
    rec.status = StepStatus::completed;
    state_.data[node.name] = Json{{"woke_at_ms", core_.clock->now_ms()}};
    rec.retry_at_ms = 0;
  } else if (rec.status == StepStatus::waiting) {
    wait_timed_out(node);
  }
  advance();
}

void WorkflowRunner::wait_timed_out(const Node& node) {
  auto& rec = state_.steps[node.path];
  const WaitSpec& wait = node.wait;
  ++rec.timeouts;
  const std::string what = "no signal '" + wait.signal + "' in time";
  const bool escalating = wait.on_timeout == OnTimeout::escalate && rec.timeouts == 1;
  if (wait.on_timeout == OnTimeout::fail || (wait.on_timeout == OnTimeout::escalate && !escalating)) {
    record("wait_timed_out", node.path, 0, "waiting", "failed", -1, what);
    fail_wait(node, "wait '" + node.name + "': " + what);
    return;
  }
  if (escalating) {
    rec.retry_at_ms = wait.escalation_timeout ? core_.clock->now_ms() + wait.escalation_timeout->count() : 0;
    record("wait_escalated", node.path, 0, "waiting", "waiting", -1, what + "; escalating" + describe_deadline(wait, 1));
    if (rec.retry_at_ms > 0) schedule_wake(node);
    return;
  }
  record("wait_timed_out", node.path, 0, "waiting", "completed", -1, what + "; taking the timeout branch");
  rec.status = StepStatus::completed;
  rec.retry_at_ms = 0;
  state_.data[node.name] = Json{{"timed_out", true}};
}

void WorkflowRunner::fail_wait(const Node& node, const std::string& error) {
  auto& rec = state_.steps[node.path];
  clear_flight(node.path);
  rec.status = StepStatus::failed;
  rec.retry_at_ms = 0;
  rec.error = error;
  if (state_.failed_step.empty()) {
    state_.failed_step = node.path;
    state_.error = error;
  }
}

void WorkflowRunner::schedule_wake(const Node& node) {
  const auto& rec = state_.steps[node.path];
  const uint64_t token = new_flight(node.path);
  const Millis delay(std::max<int64_t>(0, rec.retry_at_ms - core_.clock->now_ms()));
  in_flight_[node.path].timer =
      core_.schedule(delay, state_.id + "/" + node.path + (rec.status == StepStatus::sleeping ? " sleep" : " deadline"),
                     caf::actor_cast<caf::actor>(self_), caf::make_message(timer_atom::value, node.path, token, TimerKind::wake));
}

void WorkflowRunner::take_signals(const std::vector<InboxSignal>& inbox) {
  for (const auto& signal : inbox) {
    if (signal.seq <= state_.inbox_seen) continue;
    state_.inbox_seen = signal.seq;
    Json payload = parse_json_or_discarded(signal.payload, stored_json_depth_max());
    if (payload.is_discarded()) payload = signal.payload;  // kept as text rather than lost
    if (signal.name == kCancelSignal) {
      cancel_requested(payload);
      continue;
    }
    PendingSignal received{signal.seq, signal.name, std::move(payload), signal.at_ms};
    if (const Node* gate = decided_approval(signal.name)) {
      refuse_decision(*gate, received, "decided before it came");
      continue;
    }
    record("signal_received", {}, 0, {}, {}, -1, "signal '" + signal.name + "' #" + std::to_string(signal.seq));
    state_.pending_signals.push_back(std::move(received));
  }
}

// The approval gate waiting for `signal_name` when every gate waiting for it has decided.
const Node* WorkflowRunner::decided_approval(const std::string& signal_name) const {
  const Node* decided = nullptr;
  for (const auto& [path, node] : nodes_) {
    if (node->kind != Node::Kind::wait || node->wait.signal != signal_name) continue;
    if (!node->wait.approval) return nullptr;
    auto rec = state_.steps.find(path);
    if (rec == state_.steps.end() || rec->second.status == StepStatus::pending ||
        rec->second.status == StepStatus::waiting)
      return nullptr;
    decided = node;
  }
  return decided;
}

void WorkflowRunner::refuse_decision(const Node& gate, const PendingSignal& signal, const std::string& taken) {
  std::string from;
  if (signal.payload.is_object())
    if (auto by = signal.payload.find("by"); by != signal.payload.end() && by->is_string())
      from = " from " + by->get<std::string>();
  record("approval_duplicate_refused", gate.path, 0, {}, {}, -1,
         "signal #" + std::to_string(signal.seq) + from + " refused: approval '" + gate.name + "' was already " + taken);
}

// Cancellation works like a failure of the whole workflow: nothing new starts, waits and backoffs
// are cancelled, running steps finish, then completed steps are compensated, newest first.
void WorkflowRunner::cancel_requested(const Json& request) {
  const std::string by = request.value("by", "");
  const std::string reason = request.value("reason", "");
  record("workflow_cancel_requested", {}, 0, {}, {}, -1, (by.empty() ? "" : "by " + by + ": ") + reason);
  if (state_.status != WorkflowStatus::running || state_.failed_step == kCancelledMarker) return;
  if (!state_.failed_step.empty()) return;  // already failing: it compensates anyway
  state_.failed_step = kCancelledMarker;
  state_.error = "cancelled" + (by.empty() ? std::string() : " by " + by) + (reason.empty() ? "" : ": " + reason);
}

void WorkflowRunner::on_signal_notice() {
  if (terminal()) return;
  self_->request(core_.store_reader, caf::infinite, inbox_atom::value, state_.id, state_.inbox_seen)
      .then([this](std::vector<InboxSignal>& inbox) {
        const uint64_t seen = state_.inbox_seen;
        take_signals(inbox);
        if (state_.inbox_seen == seen || terminal()) return;
        advance();
        commit();
      });
}

// Only waiting: no step, compensation or child is running.
bool WorkflowRunner::idle() const {
  if (terminal() || !outbox_.empty() || commits_in_flight_ > 0) return false;
  for (const auto& [path, rec] : state_.steps)
    if (rec.status == StepStatus::running || rec.status == StepStatus::compensating) return false;
  return true;
}

void WorkflowRunner::arm_passivation() {
  const auto& after = core_.options.passivate_after;
  if (!after || !idle()) return;
  if (idle_timer_ != 0) core_.clock->cancel(idle_timer_);
  idle_timer_ = core_.schedule(*after, state_.id + " passivate", caf::actor_cast<caf::actor>(self_),
                               caf::make_message(passivate_atom::value, idle_token_));
}

bool WorkflowRunner::on_passivate_check(uint64_t idle_token) {
  if (idle_token != idle_token_) return false;
  idle_timer_ = 0;
  if (!idle()) return false;
  log_json(spdlog::level::debug, {{"event", "instance_passivated"}, {"workflow_id", state_.id},
                                  {"wake_at_ms", next_wake_ms(state_)}});
  return true;
}

}  // namespace actorflow
