#pragma once
// Runs a batch of orders through the saga and waits for every one to end.
#include "order_saga/order.hpp"

#include <actorflow/actorflow.hpp>

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

namespace order_saga {

// What run_batch makes of an order whose workflow exists already (Engine::start is idempotent on
// the id: it starts nothing then).
enum class ExistingWorkflow {
  problem,  // a fresh run: reported as a problem and not awaited
  awaited,  // a resumed run: awaited like the others (Engine::recover has resumed it if it was live)
};

struct BatchResult {
  std::vector<actorflow::WorkflowInfo> workflows;  // the last info of every awaited order
  std::vector<std::string> problems;               // orders that did not start or did not finish
  int started = 0;                                 // workflows this call started
  int existing = 0;                                // orders whose workflow existed already
  std::chrono::milliseconds elapsed{0};
};

// Starts one order_saga per order (workflow id = `workflow_id_prefix` + order id), then waits
// with Engine::wait until all are terminal or `time_limit` has passed, writing
// "progress: finished/total" to `progress` every second.
BatchResult run_batch(actorflow::Engine& engine, const std::vector<Order>& orders,
                      const std::string& workflow_id_prefix, ExistingWorkflow existing,
                      std::chrono::seconds time_limit, std::ostream& progress);

}  // namespace order_saga
