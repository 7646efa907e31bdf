#pragma once
// The HTTP ports of the nodes that run now, shared between the thread that kills and restarts
// nodes and the threads that send them work.
#include <mutex>
#include <random>
#include <vector>

namespace actorflow::fault {

class LiveNodes {
 public:
  void set(std::vector<int> ports) {
    std::lock_guard lock(mutex_);
    ports_ = std::move(ports);
  }
  // A random one of them; 0 when none runs.
  int pick(std::mt19937_64& rng) const {
    std::lock_guard lock(mutex_);
    if (ports_.empty()) return 0;
    return ports_[std::uniform_int_distribution<size_t>(0, ports_.size() - 1)(rng)];
  }

 private:
  mutable std::mutex mutex_;
  std::vector<int> ports_;
};

}  // namespace actorflow::fault
