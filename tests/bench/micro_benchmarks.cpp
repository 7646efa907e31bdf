// Micro benchmarks (Google Benchmark) of the parts on a workflow's hot path: encoding and decoding
// the snapshot of an order saga, encoding a history event, and one store commit of a batch of
// transitions on each store (the Redis one on a redis-server started here, with its CPU per
// write). Run: build/tests/bench/bench_micro [--benchmark_filter=Redis]
#include "process_stats.hpp"
#include "redis_server.hpp"

#include "workflow/workflow_state.hpp"

#include <actorflow/store.hpp>

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>
#include <memory>

using namespace actorflow;

namespace {

// A saga in its third step: two steps done (their outputs merged), one running.
WorkflowState saga_state(const std::string& id) {
  WorkflowState state;
  state.id = id;
  state.definition = "saga";
  state.started_ms = 1'700'000'000'000;
  state.data = Json{{"order", 42}, {"reserve", Json::object()}, {"charge", Json::object()}};
  for (const char* path : {"reserve", "charge", "ship"}) {
    StepRecord& step = state.steps[path];
    step.status = std::string_view(path) == "ship" ? StepStatus::running : StepStatus::completed;
    step.attempts = 1;
  }
  state.completed = {"reserve", "charge"};
  state.history_seq = 6;
  return state;
}

HistoryEvent dispatched_event() {
  return HistoryEvent{7, 1'700'000'000'123, "step_dispatched", "ship", 1, {}, "running", -1, {}, "node-1"};
}

// One transition's write: the snapshot and its two events (step completed, next dispatched).
WorkflowWrite transition_write(const std::string& id, bool create) {
  WorkflowWrite write;
  write.workflow_id = id;
  write.epoch = 1;
  write.create = create;
  write.snapshot = encode_state(saga_state(id), 1);
  write.history = {encode_event(dispatched_event()), encode_event(dispatched_event())};
  write.summary = WorkflowSummary{id, "saga", 1, WorkflowStatus::running, 1, 2};
  return write;
}

void EncodeSnapshot(benchmark::State& state) {
  const WorkflowState saga = saga_state("saga-1");
  for (auto _ : state) benchmark::DoNotOptimize(encode_state(saga, 1));
}
BENCHMARK(EncodeSnapshot);

void DecodeSnapshot(benchmark::State& state) {
  const std::string bytes = encode_state(saga_state("saga-1"), 1);
  std::string error;
  for (auto _ : state) benchmark::DoNotOptimize(decode_state(bytes, &error));
  state.counters["bytes"] = static_cast<double>(bytes.size());
}
BENCHMARK(DecodeSnapshot);

void EncodeEvent(benchmark::State& state) {
  const HistoryEvent event = dispatched_event();
  for (auto _ : state) benchmark::DoNotOptimize(encode_event(event));
}
BENCHMARK(EncodeEvent);

// Commits batches of state.range(0) transitions of distinct workflows (each created first, so the
// measured writes are ordinary transitions), as the store writer does.
void commit_batches(benchmark::State& state, Store& store, pid_t server) {
  const auto batch_size = static_cast<size_t>(state.range(0));
  int64_t round = 0, writes = 0;
  double server_cpu = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<WorkflowWrite> creates, batch;
    for (size_t i = 0; i < batch_size; ++i) {
      const std::string id = "w" + std::to_string(round) + "-" + std::to_string(i);
      creates.push_back(transition_write(id, true));
      batch.push_back(transition_write(id, false));
      batch.back().write_id = "e1." + std::to_string(round) + "." + std::to_string(i);
    }
    store.commit(creates);
    ++round;
    const double cpu_before = server > 0 ? bench::cpu_seconds(server) : 0;
    state.ResumeTiming();
    benchmark::DoNotOptimize(store.commit(batch));
    state.PauseTiming();
    if (server > 0) server_cpu += bench::cpu_seconds(server) - cpu_before;
    writes += static_cast<int64_t>(batch_size);
    state.ResumeTiming();
  }
  state.counters["writes/s"] = benchmark::Counter(static_cast<double>(writes), benchmark::Counter::kIsRate);
  if (server > 0) state.counters["server_us/write"] = 1e6 * server_cpu / static_cast<double>(writes);
}

void MemoryCommit(benchmark::State& state) {
  auto store = make_memory_store();
  commit_batches(state, *store, -1);
}
BENCHMARK(MemoryCommit)->Arg(1)->Arg(100)->Arg(1000);

void SqliteCommit(benchmark::State& state) {
  const std::string path = (std::filesystem::temp_directory_path() / ("actorflow-micro-" + std::to_string(getpid()) + ".db")).string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  {
    auto store = make_sqlite_store(path);
    commit_batches(state, *store, -1);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}
BENCHMARK(SqliteCommit)->Arg(1)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

void RedisCommit(benchmark::State& state) {
  actorflow::testing::RedisServer server(actorflow::testing::RedisServer::Options{.append_only_every_second = true});
  RedisOptions options;
  options.port = server.port();
  auto store = make_redis_store(options);
  commit_batches(state, *store, server.pid());
}
BENCHMARK(RedisCommit)->Arg(1)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
