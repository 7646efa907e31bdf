#include "store/store_wait.hpp"

#include <actorflow/logging.hpp>

namespace actorflow {

StartDeadlines::StartDeadlines(Millis wait_max, std::shared_ptr<Store> store)
    : wait_max_(wait_max), store_(std::move(store)), thread_([this] { run(); }) {}

StartDeadlines::~StartDeadlines() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void StartDeadlines::watch(StartReply reply, std::string workflow_id) {
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    first = watched_.empty();
    watched_.push_back({std::chrono::steady_clock::now() + wait_max_, std::move(reply), std::move(workflow_id)});
  }
  if (first) changed_.notify_one();
}

void StartDeadlines::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (watched_.empty()) {
      changed_.wait(lock);
      continue;
    }
    if (std::chrono::steady_clock::now() < watched_.front().deadline) {
      changed_.wait_until(lock, watched_.front().deadline);
      continue;
    }
    Watched due = std::move(watched_.front());
    watched_.pop_front();
    if (due.reply.answered()) continue;
    lock.unlock();
    std::string reason = store_->fault();
    if (reason.empty()) reason = store_->commit_problem();
    if (reason.empty()) reason = "its commit was not acknowledged";
    const std::string message = "store unavailable: " + reason + " (start of '" + due.workflow_id +
                                "' not acknowledged within store_wait_max, " + std::to_string(wait_max_.count()) +
                                " ms; retry it: a start is idempotent)";
    log_json(spdlog::level::warn, {{"event", "start_store_wait_exceeded"}, {"workflow_id", due.workflow_id},
                                   {"detail", message}});
    due.reply({Status::unavailable(message), false, true});
    lock.lock();
  }
}

}  // namespace actorflow
