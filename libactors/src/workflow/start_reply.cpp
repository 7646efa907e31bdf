#include "workflow/start_request.hpp"

#include <mutex>

namespace actorflow {

struct StartReply::Shared {
  std::mutex mutex;
  Engine::StartCallback done;  // empty once answered
  std::string workflow_id;

  ~Shared() {
    if (done) done({Status::error("start of '" + workflow_id + "' was not answered: the engine is stopping"), false});
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
