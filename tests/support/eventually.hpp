#pragma once
// Waiting for what another process, thread or a store changes when nothing in the test is told.
#include <chrono>
#include <functional>
#include <thread>

namespace actorflow::testing {

// Checks `condition` every 10 ms until it holds (true) or `limit` has passed (false).
inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace actorflow::testing
