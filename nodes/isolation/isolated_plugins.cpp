#include "isolated_plugins.hpp"

namespace actorflow::node::isolation {

void IsolatedPlugins::add(std::shared_ptr<WorkerPool> pool) {
  std::lock_guard lock(mutex_);
  pools_.push_back(std::move(pool));
}

size_t IsolatedPlugins::size() const {
  std::lock_guard lock(mutex_);
  return pools_.size();
}

void IsolatedPlugins::step_timed_out(const std::string& workflow_id, const std::string& step_path, int attempt,
                                     bool compensation) const {
  std::lock_guard lock(mutex_);
  for (const auto& pool : pools_) pool->step_timed_out(workflow_id, step_path, attempt, compensation);
}

void IsolatedPlugins::stop() {
  std::vector<std::shared_ptr<WorkerPool>> pools;
  {
    std::lock_guard lock(mutex_);
    pools.swap(pools_);
  }
  for (auto& pool : pools) pool->stop();
}

}  // namespace actorflow::node::isolation
