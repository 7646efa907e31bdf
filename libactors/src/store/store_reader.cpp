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

LoadedSnapshot load_until_read(Store& store, const std::string& workflow_id, const std::atomic<bool>& stopping) {
  int delay_ms = kRetryIntervalMsInitial;
  bool logged = false;
  while (true) {
    try {
      return LoadedSnapshot{store.load(workflow_id)};
    } catch (const StoreUnavailable& e) {
      if (!logged) {
        logged = true;
        log_json(spdlog::level::err, {{"event", "store_unavailable"}, {"workflow_id", workflow_id},
                                      {"detail", std::string("loading the snapshot, retrying: ") + e.what()}});
      }
    }
    for (int waited_ms = 0; waited_ms < delay_ms; waited_ms += 10) {
      if (stopping.load()) return {};
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    delay_ms = std::min(delay_ms * 2, kRetryIntervalMsMax);
  }
}

caf::behavior store_reader(caf::event_based_actor*, std::shared_ptr<Store> store,
                           std::shared_ptr<std::atomic<bool>> stopping) {
  return {
      [=](load_atom, const std::string& workflow_id) { return load_until_read(*store, workflow_id, *stopping); },
  };
}

}  // namespace

caf::actor spawn_store_reader(caf::actor_system& system, std::shared_ptr<Store> store,
                              std::shared_ptr<std::atomic<bool>> stopping) {
  return system.spawn<caf::detached>(store_reader, std::move(store), std::move(stopping));
}

}  // namespace actorflow
