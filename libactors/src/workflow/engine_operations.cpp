// Engine calls for operators: lists, metrics, breakers, dead-letter retry, drain.
#include <actorflow/actorflow.hpp>
#include <actorflow/actors/atoms.hpp>
#include <actorflow/logging.hpp>
#include <actorflow/logging.hpp>

#include "workflow/engine_core.hpp"
#include "workflow/messages.hpp"
#include "workflow/step_worker_pool.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>

namespace actorflow {

void LatencyHistogram::observe(double ms) {
  size_t bucket = 0;
  while (bucket < kBoundsMs.size() && ms > kBoundsMs[bucket]) ++bucket;
  ++buckets[bucket];
  ++count;
  sum_ms += ms;
}

void Engine::Core::Counters::step_finished(const std::string& handler, bool ok, int64_t duration_ms) {
  std::lock_guard lock(mutex);
  auto& step = steps[handler];
  step.latency.observe(static_cast<double>(duration_ms));
  ++(ok ? step.succeeded : step.failed);
}

void Engine::Core::Counters::step_timed_out(const std::string& handler) {
  std::lock_guard lock(mutex);
  ++steps[handler].timed_out;
}

std::vector<WorkflowSummary> Engine::list_workflows(const WorkflowFilter& filter) const {
  return core_->store->list_workflows(filter);
}

std::vector<std::pair<std::string, BreakerState>> Engine::breakers() const {
  std::vector<std::string> services;
  {
    std::shared_lock lock(core_->registry_mutex);
    for (const auto& [service, actor] : core_->breakers) services.push_back(service);
  }
  std::vector<std::pair<std::string, BreakerState>> states;
  for (const auto& service : services)
    if (auto state = breaker_state(service)) states.emplace_back(service, *state);
  return states;
}

EngineMetrics Engine::metrics() const {
  EngineMetrics metrics;
  metrics.workflows_by_status = core_->store->count_by_status();
  metrics.running_instances = running_instances();
  metrics.breakers = breakers();
  auto& counters = core_->counters;
  {
    std::lock_guard lock(counters.mutex);
    metrics.steps = counters.steps;
  }
  metrics.workflows_started = counters.workflows_started.load();
  metrics.step_retries = counters.step_retries.load();
  metrics.instance_restarts = counters.instance_restarts.load();
  metrics.dead_letter_retries = counters.dead_letter_retries.load();
  metrics.crash_suspected_steps = counters.crash_suspected_steps.load();
  metrics.chaos_injected = core_->chaos->counts();
  return metrics;
}

namespace {

// The process ends in order: every step still in flight (queued, abandoned, or dispatched after
// the drain began) is marked released in its snapshot, so the next owner runs it again without
// counting a crash. Bounded by kReleaseWait beyond the drain's deadline: these are small writes.
void release_steps_in_flight(Engine::Core& core) {
  constexpr std::chrono::milliseconds kReleaseWait{2'000};
  caf::scoped_actor self{*core.system};
  bool asked = false;
  self->request(core.supervisor, kReleaseWait, release_atom::value)
      .receive([&](bool) { asked = true; }, [&](caf::error&) {});
  if (asked) core.commits_pending->wait_idle(std::chrono::steady_clock::now() + kReleaseWait);
}

}  // namespace

// Steps first: once none runs, every result is in (or on its way to) an instance's mailbox; a
// ping through the supervisor passes behind them, so their commits are sent; then those are awaited.
Engine::DrainReport Engine::drain(Millis deadline) {
  Core& core = *core_;
  const auto started = std::chrono::steady_clock::now();
  const auto until = started + deadline;
  core.draining = true;
  log_json(spdlog::level::info, {{"event", "drain_started"}, {"steps_running", core.steps_running->value()},
                                 {"deadline_ms", deadline.count()}});
  core.step_pool->drain();

  DrainReport report;
  bool settled = core.steps_running->wait_idle(until);
  if (settled) {
    caf::scoped_actor self{*core.system};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    settled = false;
    self->request(core.supervisor, std::max(left, std::chrono::milliseconds(1)), ping_atom::value)
        .receive([&](bool) { settled = true; }, [&](caf::error&) {});
  }
  report.complete = settled && core.commits_pending->wait_idle(until);
  report.steps_abandoned = core.steps_running->value();
  release_steps_in_flight(core);
  report.waited_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  log_json(report.complete ? spdlog::level::info : spdlog::level::warn,
           {{"event", "drain_finished"}, {"complete", report.complete}, {"steps_abandoned", report.steps_abandoned},
            {"commits_pending", core.commits_pending->value()}, {"waited_ms", report.waited_ms}});
  return report;
}

bool Engine::draining() const { return core_->draining; }

std::string Engine::fenced() const { return core_->fence.reason(); }

}  // namespace actorflow
