#pragma once
// Runs a batch of orders through the saga and waits for every one to end.
#include "order_saga/order.hpp"

#include <actorflow/engine.hpp>

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

namespace order_saga {

struct BatchResult {
  std::vector<actorflow::WorkflowInfo> workflows;  // the last info of every started order
  std::vector<std::string> problems;               // orders that did not start or did not finish
  std::chrono::milliseconds elapsed{0};
};

// Starts one order_saga per order (workflow id = `workflow_id_prefix` + order id), then waits with Engine::wait until
// all are terminal or `time_limit` has passed, writing "progress: finished/total" to `progress`
// every second.
BatchResult run_batch(actorflow::Engine& engine, const std::vector<Order>& orders,
                      const std::string& workflow_id_prefix, std::chrono::seconds time_limit,
                      std::ostream& progress);

}  // namespace order_saga
