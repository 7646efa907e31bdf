#include "store/store_reader.hpp"

#include <actorflow/logging.hpp>

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

namespace actorflow {
namespace {

constexpr int kRetryIntervalMsInitial = 20;
constexpr int kRetryIntervalMsMax = 2000;

// Runs `read` until the store answers, or the engine stops (then returns `T{}`).
template <class T, class Read>
T read_until_answered(const std::string& workflow_id, const std::atomic<bool>& stopping, Read&& read) {
  int delay_ms = kRetryIntervalMsInitial;
  bool logged = false;
  while (true) {
    try {
      return read();
    } catch (const StoreUnavailable& e) {
      if (!logged) {
        logged = true;
        log_json(spdlog::level::err, {{"event", "store_unavailable"}, {"workflow_id", workflow_id},
                                      {"detail", std::string("reading, retrying: ") + e.what()}});
      }
    }
    for (int waited_ms = 0; waited_ms < delay_ms; waited_ms += 10) {
      if (stopping.load()) return T{};
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    delay_ms = std::min(delay_ms * 2, kRetryIntervalMsMax);
  }
}

caf::behavior store_reader(caf::event_based_actor*, std::shared_ptr<Store> store,
                           std::shared_ptr<std::atomic<bool>> stopping) {
  return {
      [=](load_atom, const std::string& workflow_id) {
        return read_until_answered<LoadedSnapshot>(workflow_id, *stopping, [&] {
          LoadedSnapshot loaded{store->load(workflow_id), {}};
          if (loaded.stored) loaded.inbox = store->inbox_after(workflow_id, 0);
          return loaded;
        });
      },
      [=](inbox_atom, const std::string& workflow_id, uint64_t after_seq) {
        return read_until_answered<std::vector<InboxSignal>>(workflow_id, *stopping,
                                                             [&] { return store->inbox_after(workflow_id, after_seq); });
      },
  };
}

}  // namespace

caf::actor spawn_store_reader(caf::actor_system& system, std::shared_ptr<Store> store,
                              std::shared_ptr<std::atomic<bool>> stopping) {
  if (!store->calls_block()) return system.spawn(store_reader, std::move(store), std::move(stopping));
  return system.spawn<caf::detached>(store_reader, std::move(store), std::move(stopping));
}

}  // namespace actorflow
