#include "saga_load.hpp"

#include "process_stats.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace bench {

using namespace actorflow;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kIdPrefix = "saga-";
constexpr auto kSettleLimit = std::chrono::seconds(60);

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch()).count();
}

int64_t* zeroed(int64_t count) {
  auto* p = static_cast<int64_t*>(std::calloc(static_cast<size_t>(count), sizeof(int64_t)));
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

double seconds_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

void SagaLoad::FreeDeleter::operator()(int64_t* p) const { std::free(p); }

SagaLoad::SagaLoad(int64_t workflows_max)
    : capacity_(workflows_max), start_ns_(zeroed(workflows_max)), end_ns_(zeroed(workflows_max)) {}

void SagaLoad::attach(EngineOptions& options) {
  options.on_workflow_ended = [this](const std::string& id, WorkflowStatus status) { ended(id, status); };
}

Status SagaLoad::install(Engine& engine) {
  for (const char* handler : {"reserve", "release", "charge", "refund", "ship", "unship"})
    engine.register_handler(handler, [](const StepContext&) { return Json::object(); });
  return engine.register_workflow(WorkflowBuilder("saga")
                                      .step(StepSpec("reserve", "reserve").compensate_with("release"))
                                      .step(StepSpec("charge", "charge").compensate_with("refund"))
                                      .step(StepSpec("ship", "ship").compensate_with("unship"))
                                      .build());
}

int64_t SagaLoad::start_next(Engine& engine) {
  if (next_ >= capacity_) throw std::runtime_error("more than " + std::to_string(capacity_) + " workflows: raise --workflows-max");
  const int64_t n = next_++;
  std::atomic_ref<int64_t>(start_ns_[n]).store(now_ns(), std::memory_order_relaxed);
  engine.start_async("saga", std::string(kIdPrefix) + std::to_string(n), Json{{"order", n}},
                     [this](StartResult started) {
                       if (!started.status || !started.created) ++refused_;
                     });
  return n;
}

void SagaLoad::ended(const std::string& id, WorkflowStatus status) {
  int64_t n = -1;
  const char* digits = id.data() + kIdPrefix.size();
  std::from_chars(digits, id.data() + id.size(), n);
  if (n < 0 || n >= capacity_) return;
  std::atomic_ref<int64_t>(end_ns_[n]).store(now_ns(), std::memory_order_relaxed);
  if (status != WorkflowStatus::completed) ++not_completed_;
  if (++ended_ >= wake_at_ended_.load()) {
    std::lock_guard lock(mutex_);
    changed_.notify_one();
  }
}

void SagaLoad::await_ended(int64_t count, SteadyClock::time_point deadline) {
  wake_at_ended_ = count;
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, deadline, [&] { return ended_.load() >= count; });
  wake_at_ended_ = INT64_MAX;
}

bool SagaLoad::settle(std::chrono::milliseconds limit) {
  await_ended(next_, SteadyClock::now() + limit);
  return ended_.load() >= next_;
}

Throughput SagaLoad::saturate(Engine& engine, const actorflow::testing::CountingStore& counts, int64_t window,
                              std::chrono::milliseconds warm_up, std::chrono::milliseconds duration, pid_t server) {
  // Refilled in batches: waking the driver for every single end would cost more than the ends.
  const int64_t refill = std::max<int64_t>(1, window / 16);
  auto keep_full_until = [&](SteadyClock::time_point until) {
    while (SteadyClock::now() < until) {
      const int64_t in_flight = next_ - ended_.load();
      if (in_flight <= window - refill) {
        for (int64_t i = in_flight; i < window; ++i) start_next(engine);
      } else {
        await_ended(next_ - window + refill, std::min(until, SteadyClock::now() + std::chrono::milliseconds(10)));
      }
    }
  };
  keep_full_until(SteadyClock::now() + warm_up);
  const auto begin = SteadyClock::now();
  const int64_t ended_before = ended_.load(), writes_before = counts.writes(), commits_before = counts.commits();
  const double cpu_before = cpu_seconds(getpid()), server_cpu_before = server > 0 ? cpu_seconds(server) : 0;
  const int64_t switches_before = context_switches_of_this_process();
  keep_full_until(begin + duration);
  const auto end = SteadyClock::now();
  const double cpu_after = cpu_seconds(getpid()), server_cpu_after = server > 0 ? cpu_seconds(server) : 0;
  const int64_t switches = context_switches_of_this_process() - switches_before;
  Throughput result;
  result.completed = ended_.load() - ended_before;
  const int64_t writes = counts.writes() - writes_before, commits = counts.commits() - commits_before;
  result.seconds = seconds_between(begin, end);
  result.per_second = static_cast<double>(result.completed) / result.seconds;
  result.writes_per_workflow = result.completed > 0 ? static_cast<double>(writes) / static_cast<double>(result.completed) : 0;
  result.writes_per_commit = commits > 0 ? static_cast<double>(writes) / static_cast<double>(commits) : 0;
  result.process_cores = (cpu_after - cpu_before) / result.seconds;
  if (result.completed > 0) result.context_switches_per_workflow = static_cast<double>(switches) / static_cast<double>(result.completed);
  if (server > 0) result.server_cores = (server_cpu_after - server_cpu_before) / result.seconds;
  settle(kSettleLimit);
  return result;
}

int64_t SagaLoad::run_count(Engine& engine, int64_t count, int64_t window) {
  const int64_t first = next_, ended_before = ended_.load();
  while (next_ - first < count) {
    while (next_ - first < count && next_ - ended_.load() < window) start_next(engine);
    await_ended(next_ - window + 1, SteadyClock::now() + std::chrono::milliseconds(10));
  }
  settle(kSettleLimit);
  return ended_.load() - ended_before;
}

LatencyRun SagaLoad::at_rate(Engine& engine, double per_second, std::chrono::milliseconds duration) {
  const int64_t first = next_;
  const auto begin = SteadyClock::now();
  const auto end = begin + duration;
  auto tick = begin;
  while (tick < end) {
    const double elapsed_s = seconds_between(begin, SteadyClock::now());
    const auto due = static_cast<int64_t>(per_second * std::min(elapsed_s, seconds_between(begin, end)));
    while (next_ - first < due) start_next(engine);
    tick += std::chrono::milliseconds(1);
    std::this_thread::sleep_until(tick);
  }
  const int64_t last = next_;
  settle(kSettleLimit);
  return summarise_range(first, last, seconds_between(begin, end));
}

LatencyRun SagaLoad::one_at_a_time(Engine& engine, std::chrono::milliseconds duration, int64_t count_max) {
  const int64_t first = next_;
  const auto begin = SteadyClock::now();
  const auto end = begin + duration;
  while (SteadyClock::now() < end && next_ - first < count_max) {
    start_next(engine);
    await_ended(next_, SteadyClock::now() + kSettleLimit);
  }
  return summarise_range(first, next_, seconds_between(begin, SteadyClock::now()));
}

LatencyRun SagaLoad::summarise_range(int64_t first, int64_t last, double seconds) {
  std::vector<int64_t> latencies;
  latencies.reserve(static_cast<size_t>(last - first));
  LatencyRun run;
  for (int64_t n = first; n < last; ++n) {
    const int64_t end = std::atomic_ref<int64_t>(end_ns_[n]).load();
    if (end == 0) {
      ++run.unfinished;
      continue;
    }
    latencies.push_back(end - std::atomic_ref<int64_t>(start_ns_[n]).load());
  }
  run.rate_per_second = static_cast<double>(last - first) / seconds;
  run.latency = summarise(latencies);
  return run;
}

}  // namespace bench
