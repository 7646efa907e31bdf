#pragma once
// Bounds how long a start waits for the store (EngineOptions::store_wait_max): a start whose
// creating commit is not answered by its deadline is answered unavailable, "store unavailable:
// <reason>" (the HTTP API's 503). Its commit goes on being retried, so the workflow may still be
// created: a start retried later finds it, as for any start whose answer was lost.
#include <actorflow/clock.hpp>
#include <actorflow/store.hpp>

#include "workflow/start_request.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace actorflow {

class StartDeadlines {
 public:
  StartDeadlines(Millis wait_max, std::shared_ptr<Store> store);
  ~StartDeadlines();  // stops its thread; starts still watched are answered as they would be
  StartDeadlines(const StartDeadlines&) = delete;
  StartDeadlines& operator=(const StartDeadlines&) = delete;

  void watch(StartReply reply, std::string workflow_id);

 private:
  struct Watched {
    std::chrono::steady_clock::time_point deadline;
    StartReply reply;
    std::string workflow_id;
  };
  void run();

  const Millis wait_max_;
  const std::shared_ptr<Store> store_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Watched> watched_;  // by deadline: every start waits as long
  bool stopping_ = false;
  std::thread thread_;  // last: started once the rest is ready
};

}  // namespace actorflow
