#include "workflow/start_request.hpp"

#include <mutex>

namespace actorflow {

struct StartReply::Shared {
  std::mutex mutex;
  Engine::StartCallback done;  // empty once answered
  std::string workflow_id;

  ~Shared() {
    // The start may or may not be stored (its instance stopped first: the engine stops, its
    // shard moved, its create was refused): asking again gets the store's answer.
    if (done)
      done({Status::unavailable("start of '" + workflow_id +
                                "' was not answered: its instance stopped first (the engine is stopping or the shard moved); try again"),
            false, true});
  }
};

StartReply::StartReply(Engine::StartCallback done, std::string workflow_id) : shared_(std::make_shared<Shared>()) {
  shared_->done = std::move(done);
  shared_->workflow_id = std::move(workflow_id);
}

void StartReply::operator()(StartResult result) const {
  Engine::StartCallback done;
  {
    std::lock_guard lock(shared_->mutex);
    done = std::move(shared_->done);
    shared_->done = nullptr;
  }
  if (done) done(std::move(result));
}

bool StartReply::answered() const {
  std::lock_guard lock(shared_->mutex);
  return !shared_->done;
}

}  // namespace actorflow
