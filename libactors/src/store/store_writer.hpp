#pragma once
// The store writer: the one actor that commits to the store. It runs on its own thread (store
// calls block and must never run on CAF's scheduler threads; a store whose calls do not block,
// Store::calls_block, is called from the scheduler) and batches: every write that
// arrives while a commit is in progress goes into the next commit, so many instances share one
// transaction or pipeline (group commit). Each write is answered after its commit.
// While the store is unavailable it retries with backoff and logs the outage; writers wait. Each
// write gets a unique write id, so a commit retried after it was in fact applied is applied once.
//   (write_atom, WorkflowWrite) -> WriteResult
#include <actorflow/store.hpp>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include <atomic>
#include <memory>
#include <string>

namespace actorflow {

using write_atom = caf::atom_constant<caf::atom("write")>;

struct StoreWriterOptions {
  size_t batch_writes_max = 1024;
  int retry_interval_ms_initial = 20;
  int retry_interval_ms_max = 2000;
  // Write ids are this prefix and a counter: the prefix must differ between writers (the engine
  // uses its fencing epoch).
  std::string write_id_prefix;
  // Once set, every write is answered stale_epoch without a commit (a fenced engine, EngineFence).
  std::shared_ptr<const std::atomic<bool>> refuse_all;
};

// `stopping` ends the retries of an unavailable store at shutdown.
caf::actor spawn_store_writer(caf::actor_system& system, std::shared_ptr<Store> store,
                              StoreWriterOptions options, std::shared_ptr<std::atomic<bool>> stopping);

}  // namespace actorflow

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actorflow::WorkflowWrite)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actorflow::WriteResult)
