#pragma once
// The node's isolated plugins (one WorkerPool each): where the engine's step timeouts go, and
// what the node stops at shutdown. Thread-safe.
#include "worker_pool.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace actorflow::node::isolation {

class IsolatedPlugins {
 public:
  ~IsolatedPlugins() { stop(); }
  void add(std::shared_ptr<WorkerPool> pool);
  size_t size() const;
  // EngineOptions::on_step_timed_out: the pool whose worker runs the attempt kills it.
  void step_timed_out(const std::string& workflow_id, const std::string& step_path, int attempt,
                      bool compensation) const;
  // Stops and reaps every worker (WorkerPool::stop). Idempotent.
  void stop();

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<WorkerPool>> pools_;
};

}  // namespace actorflow::node::isolation
