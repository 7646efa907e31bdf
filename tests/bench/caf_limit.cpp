#include "limits.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <thread>
#include <vector>

namespace bench {
namespace {

caf::behavior echo(caf::event_based_actor*) {
  return {[](int64_t value) { return value; }};
}

// Sends the next request as soon as the previous answer is in, until `stop`.
void ask(caf::event_based_actor* self, caf::actor server, std::atomic<int64_t>* answered, std::atomic<bool>* stop) {
  self->request(server, caf::infinite, int64_t{1}).then([=](int64_t) {
    answered->fetch_add(1, std::memory_order_relaxed);
    if (stop->load(std::memory_order_relaxed)) {
      self->quit();
      return;
    }
    ask(self, server, answered, stop);
  });
}

}  // namespace

double caf_round_trips_per_second(caf::actor_system_config& config, int clients, std::chrono::milliseconds duration) {
  caf::actor_system system{config};
  auto server = system.spawn(echo);
  std::atomic<int64_t> answered{0};
  std::atomic<bool> stop{false};
  for (int i = 0; i < clients; ++i) {
    system.spawn([&, server](caf::event_based_actor* self) -> caf::behavior {
      ask(self, server, &answered, &stop);
      return {[](int64_t) {}};
    });
  }
  // The first moments (threads starting, caches cold) are not counted.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const int64_t before = answered.load();
  const auto begin = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(duration);
  const int64_t count = answered.load() - before;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  stop = true;
  caf::anon_send_exit(server, caf::exit_reason::user_shutdown);
  system.await_all_actors_done();
  return static_cast<double>(count) / seconds;
}

}  // namespace bench
