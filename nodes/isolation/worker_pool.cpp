#include "worker_pool.hpp"

#include "worker_process.hpp"

#include <actorflow/logging.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace actorflow::node::isolation {
namespace {

constexpr auto kStartWaitMargin = std::chrono::milliseconds(5'000);  // beyond kWorkerStartTimeout

void signal_eventfd(int fd) {
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(fd, &one, sizeof one);
}

bool take_eventfd(int fd) {
  uint64_t value = 0;
  return ::read(fd, &value, sizeof value) == static_cast<ssize_t>(sizeof value);
}

}  // namespace

WorkerPool::WorkerPool(WorkerPoolOptions options)
    : options_(std::move(options)),
      jobs_fd_(eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC)),
      stop_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (jobs_fd_ < 0 || stop_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
}

WorkerPool::~WorkerPool() {
  stop();
  ::close(jobs_fd_);
  ::close(stop_fd_);
}

std::variant<std::shared_ptr<WorkerPool>, std::string> WorkerPool::start(WorkerPoolOptions options) {
  std::shared_ptr<WorkerPool> pool(new WorkerPool(std::move(options)));
  std::vector<std::future<std::optional<std::string>>> reports;
  for (int i = 0; i < pool->options_.workers; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->index = i;
    auto started = std::make_shared<std::promise<std::optional<std::string>>>();
    reports.push_back(started->get_future());
    Slot& s = *slot;
    pool->slots_.push_back(std::move(slot));
    // The pool outlives its threads (stop() joins them), so `this` is safe in there.
    s.thread = std::thread([p = pool.get(), &s, started] { p->drive(s, started); });
  }
  for (auto& report : reports) {
    std::optional<std::string> problem;
    if (report.wait_for(kWorkerStartTimeout + kStartWaitMargin) != std::future_status::ready)
      problem = "its step worker did not report its handlers within " + std::to_string(kWorkerStartTimeout.count()) +
                " ms";
    else problem = report.get();
    if (problem) {
      pool->stop();
      return *problem;
    }
  }
  return pool;
}

void WorkerPool::register_with(Engine& engine) {
  std::weak_ptr<WorkerPool> weak = weak_from_this();
  std::vector<std::string> names = catalog_.sync_handlers;
  names.insert(names.end(), catalog_.async_handlers.begin(), catalog_.async_handlers.end());
  for (const auto& name : names)
    engine.register_async_handler(name, [weak, name](const StepContext& step, CompleteFn complete) {
      if (auto pool = weak.lock()) return pool->submit(name, step, std::move(complete));
      complete(StepOutcome::failure("the step workers of the plugin are stopped (the node is stopping)"));
    });
  for (const auto& [service, breaker] : catalog_.breakers) engine.register_breaker(service, breaker);
}

void WorkerPool::submit(const std::string& handler, const StepContext& step, CompleteFn complete) {
  Job job{handler, step.workflow_id(), step.step_path(), step.attempt(), step.is_compensation(),
          job_frame(handler, step), std::move(complete)};
  std::string refused;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) refused = "plugin '" + options_.plugin_path + "': its step workers are stopped (the node is stopping)";
    else if (queue_.size() >= static_cast<size_t>(options_.queue_max))
      refused = "isolated step queue full (" + options_.config_key + ".queue_max = " +
                std::to_string(options_.queue_max) + ")";
    else queue_.push_back(std::move(job));
  }
  if (!refused.empty()) return job.complete(StepOutcome::failure(refused));
  signal_eventfd(jobs_fd_);
}

void WorkerPool::step_timed_out(const std::string& workflow_id, const std::string& step_path, int attempt,
                                bool compensation) {
  std::optional<Job> dropped;
  {
    std::lock_guard lock(mutex_);
    for (auto& slot : slots_)
      if (slot->job && slot->job->matches(workflow_id, step_path, attempt, compensation) && slot->pid > 0) {
        slot->kill_reason = "the step outlived its timeout";
        kill(slot->pid, SIGKILL);
      }
    const auto it = std::find_if(queue_.begin(), queue_.end(),
                                 [&](const Job& j) { return j.matches(workflow_id, step_path, attempt, compensation); });
    if (it != queue_.end()) {
      dropped = std::move(*it);
      queue_.erase(it);
    }
  }
  if (dropped) dropped->complete(StepOutcome::failure("timed out before a step worker was free"));
}

void WorkerPool::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && slots_.empty()) return;
    stopping_ = true;
  }
  signal_eventfd(stop_fd_);
  for (auto& slot : slots_)
    if (slot->thread.joinable()) slot->thread.join();
  std::deque<Job> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(queue_);
    slots_.clear();
  }
  for (auto& job : left)
    job.complete(StepOutcome::failure("plugin '" + options_.plugin_path + "': the node stopped before a step worker ran this step"));
}

bool WorkerPool::wait_stop(std::chrono::milliseconds delay) const {
  pollfd fd{stop_fd_, POLLIN, 0};
  return ::poll(&fd, 1, static_cast<int>(delay.count())) > 0;
}

bool WorkerPool::take_job(Slot& slot) {
  if (!take_eventfd(jobs_fd_)) return false;  // another worker took it
  std::lock_guard lock(mutex_);
  if (queue_.empty()) return false;  // dropped (timed out while queued)
  slot.job = std::move(queue_.front());
  queue_.pop_front();
  return true;
}

void WorkerPool::kill_worker(Slot& slot) {
  std::lock_guard lock(mutex_);
  if (slot.pid > 0) kill(slot.pid, SIGKILL);
}

void WorkerPool::finish_job(Slot& slot, StepOutcome outcome) {
  CompleteFn complete;
  {
    std::lock_guard lock(mutex_);
    if (slot.job) complete = std::move(slot.job->complete);
    slot.job.reset();
  }
  if (complete) complete(std::move(outcome));
}

std::string WorkerPool::died_error(const std::string& status, const std::string& reason) const {
  return "plugin '" + options_.plugin_path + "': the step worker process died while this step ran (" + status +
         (reason.empty() ? "" : "; " + reason) + ")";
}

}  // namespace actorflow::node::isolation
