#include "store/store_writer.hpp"

#include <actorflow/logging.hpp>

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

namespace actorflow {
namespace {

using flush_atom = caf::atom_constant<caf::atom("flush")>;

struct PendingWrite {
  WorkflowWrite write;
  caf::response_promise promise;
};

struct WriterState {
  std::vector<PendingWrite> pending;
  bool flush_queued = false;
  uint64_t writes_received = 0;
  static inline const char* name = "store-writer";
};

using Self = caf::stateful_actor<WriterState>;

bool any_unavailable(const std::vector<WriteResult>& results) {
  return std::any_of(results.begin(), results.end(), [](WriteResult r) { return r == WriteResult::unavailable; });
}

// Commits until the store takes the batch, or the engine stops.
std::vector<WriteResult> commit_until_taken(Store& store, const std::vector<WorkflowWrite>& writes,
                                            const StoreWriterOptions& options, const std::atomic<bool>& stopping) {
  int delay_ms = options.retry_interval_ms_initial;
  auto outage_start = std::chrono::steady_clock::now();
  bool in_outage = false;
  while (true) {
    auto results = store.commit(writes);
    if (!any_unavailable(results)) {
      if (in_outage) {
        auto outage_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - outage_start).count();
        log_json(spdlog::level::warn, {{"event", "store_recovered"}, {"outage_ms", outage_ms}, {"writes", writes.size()}});
      }
      return results;
    }
    if (!in_outage) {
      in_outage = true;
      log_json(spdlog::level::err, {{"event", "store_unavailable"}, {"writes_waiting", writes.size()},
                                    {"detail", "retrying with backoff; workflows wait for durable writes"}});
    }
    for (int waited_ms = 0; waited_ms < delay_ms; waited_ms += 10) {
      if (stopping.load()) return results;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    delay_ms = std::min(delay_ms * 2, options.retry_interval_ms_max);
  }
}

void flush(Self* self, Store& store, const StoreWriterOptions& options, const std::atomic<bool>& stopping) {
  auto batch = std::move(self->state.pending);
  self->state.pending.clear();
  if (batch.empty()) return;
  std::vector<WorkflowWrite> writes;
  writes.reserve(batch.size());
  for (auto& entry : batch) writes.push_back(std::move(entry.write));
  auto results = options.refuse_all && options.refuse_all->load()
                     ? std::vector<WriteResult>(writes.size(), WriteResult::stale_epoch)
                     : commit_until_taken(store, writes, options, stopping);
  for (size_t i = 0; i < batch.size(); ++i) batch[i].promise.deliver(results[i]);
}

caf::behavior store_writer(Self* self, std::shared_ptr<Store> store, StoreWriterOptions options,
                           std::shared_ptr<std::atomic<bool>> stopping) {
  return {
      [=](write_atom, WorkflowWrite& write) -> caf::result<WriteResult> {
        auto promise = self->make_response_promise();
        write.write_id = options.write_id_prefix + std::to_string(++self->state.writes_received);
        self->state.pending.push_back({std::move(write), promise});
        if (self->state.pending.size() >= options.batch_writes_max) {
          flush(self, *store, options, *stopping);
        } else if (!self->state.flush_queued) {
          // Queued behind every write already in the mailbox: they all join this batch.
          self->state.flush_queued = true;
          self->send(self, flush_atom::value);
        }
        return promise;
      },
      [=](flush_atom) {
        self->state.flush_queued = false;
        flush(self, *store, options, *stopping);
      },
  };
}

}  // namespace


caf::actor spawn_store_writer(caf::actor_system& system, std::shared_ptr<Store> store, StoreWriterOptions options,
                              std::shared_ptr<std::atomic<bool>> stopping) {
  if (!store->calls_block()) return system.spawn(store_writer, std::move(store), options, std::move(stopping));
  return system.spawn<caf::detached>(store_writer, std::move(store), options, std::move(stopping));
}

}  // namespace actorflow
