#pragma once
// A single-node engine one of whose writes was refused for a newer epoch: another engine (a second
// process on the same store) has taken its workflows over. From then on this engine writes
// nothing: its calls answer unavailable with the reason, its store writer refuses every commit as
// stale (so its instances step down), and /healthz reports it unhealthy. Only a restart, which
// takes a new epoch, brings it back. (In a cluster a refused write fences one shard, which the
// shard manager hands on; the engine stays healthy.)
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

namespace actorflow {

class EngineFence {
 public:
  // Keeps the first reason; logs it at error.
  void fence(const std::string& reason);
  bool fenced() const { return flag_->load(); }
  // Empty while not fenced.
  std::string reason() const;
  // For the store writer, which refuses every commit once it is set.
  std::shared_ptr<const std::atomic<bool>> flag() const { return flag_; }

 private:
  std::shared_ptr<std::atomic<bool>> flag_ = std::make_shared<std::atomic<bool>>(false);
  mutable std::mutex mutex_;
  std::string reason_;
};

}  // namespace actorflow
