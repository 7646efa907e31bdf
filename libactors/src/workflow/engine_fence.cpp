#include "workflow/engine_fence.hpp"

#include <actorflow/logging.hpp>

namespace actorflow {

void EngineFence::fence(const std::string& reason) {
  {
    std::lock_guard lock(mutex_);
    if (!reason_.empty()) return;
    reason_ = reason;
    flag_->store(true);
  }
  log_json(spdlog::level::err, {{"event", "engine_fenced"}, {"detail", reason}});
}

std::string EngineFence::reason() const {
  std::lock_guard lock(mutex_);
  return reason_;
}

}  // namespace actorflow
