#pragma once
// An engine on a virtual clock, and helpers to drive a workflow to its end in virtual time.
#include <actorflow/actorflow.hpp>
#include <actorflow/virtual_clock.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace actorflow::testing {

// Fast retries so tests read clearly: 100 ms, doubling, no jitter.
RetryPolicy quick_retry(int retries_max = 3);

struct TestEngine {
  explicit TestEngine(EngineOptions options = {});

  // Fires backoff and breaker-wait timers (never timeouts) until the workflow is terminal.
  // Fails the test when it is not terminal after `timers_max` timers or 60 s of real time.
  WorkflowInfo run_to_end(const std::string& workflow_id, int timers_max = 200);

  // Steps of the history events of `type`, in order.
  std::vector<std::string> steps_of(const std::string& workflow_id, const std::string& type) const;
  // Waits (real time, bounded) until the history holds an event of `type`. The engine signals only
  // terminal states, so this polls the store.
  bool await_event(const std::string& workflow_id, const std::string& type,
                   std::chrono::milliseconds real_wait = std::chrono::seconds(10)) const;
  // Waits (real time, bounded) until no instance actor runs: passivated instances stop on their
  // own threads after their check, and nothing outside the actor system is told.
  bool await_no_instances(std::chrono::milliseconds real_wait = std::chrono::seconds(10)) const;
  // Event types of the history, in order.
  std::vector<std::string> event_types(const std::string& workflow_id) const;

  std::shared_ptr<VirtualClock> clock;
  std::unique_ptr<Engine> engine;
};

}  // namespace actorflow::testing
