#pragma once
// The store reader: loads snapshots for actors, on its own thread, so that store calls (which
// block, and for Redis go through hiredis) never run on CAF's scheduler threads. While the store
// is unavailable it retries with backoff; the asking instance waits, as it would for a write.
// A store whose calls do not block (Store::calls_block) is read from the scheduler.
//   (load_atom, workflow_id) -> LoadedSnapshot
//   (inbox_atom, workflow_id, after_seq) -> std::vector<InboxSignal>
#include <actorflow/store.hpp>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include <atomic>
#include <memory>
#include <optional>

namespace actorflow {

using load_atom = caf::atom_constant<caf::atom("load")>;
using inbox_atom = caf::atom_constant<caf::atom("inbox")>;

struct LoadedSnapshot {
  std::optional<StoredSnapshot> stored;  // empty: no such workflow (or the engine is stopping)
  std::vector<InboxSignal> inbox;        // the workflow's whole signal inbox
};

// `stopping` ends the retries of an unavailable store at shutdown.
caf::actor spawn_store_reader(caf::actor_system& system, std::shared_ptr<Store> store,
                              std::shared_ptr<std::atomic<bool>> stopping);

}  // namespace actorflow

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actorflow::LoadedSnapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<actorflow::InboxSignal>)
