#include "order_saga/batch_runner.hpp"

#include "order_saga/order_workflow.hpp"

#include <algorithm>

namespace order_saga {
namespace {

using Clock = std::chrono::steady_clock;

size_t count_finished(const actorflow::Engine& engine, const std::vector<std::string>& ids) {
  return static_cast<size_t>(std::count_if(ids.begin(), ids.end(), [&](const std::string& id) {
    auto info = engine.query(id);
    return info && actorflow::is_terminal(info->status);
  }));
}

// The ids to await.
std::vector<std::string> start_all(actorflow::Engine& engine, const std::vector<Order>& orders,
                                   const std::string& prefix, ExistingWorkflow existing, BatchResult& result) {
  std::vector<std::string> ids;
  for (const auto& order : orders) {
    const std::string id = prefix + order.order_id;
    auto started = engine.start(std::string(kOrderSagaWorkflow), id, to_json(order));
    if (!started.status) {
      result.problems.push_back("order '" + order.order_id + "' did not start: " + started.status.message());
      continue;
    }
    if (started.created) {
      ++result.started;
    } else {
      ++result.existing;
      if (existing == ExistingWorkflow::problem) {
        result.problems.push_back("order '" + order.order_id + "' was started before");
        continue;
      }
    }
    ids.push_back(id);
  }
  return ids;
}

}  // namespace

BatchResult run_batch(actorflow::Engine& engine, const std::vector<Order>& orders, const std::string& workflow_id_prefix,
                      ExistingWorkflow existing, std::chrono::seconds time_limit, std::ostream& progress) {
  using std::chrono::milliseconds;
  BatchResult result;
  const auto start = Clock::now();
  const auto deadline = start + time_limit;
  const std::vector<std::string> ids = start_all(engine, orders, workflow_id_prefix, existing, result);

  auto next_progress = start + std::chrono::seconds(1);
  size_t next = 0;  // ids before it are terminal
  while (next < ids.size() && Clock::now() < deadline) {
    const auto slice = std::chrono::ceil<milliseconds>(std::min(next_progress, deadline) - Clock::now());
    auto info = engine.wait(ids[next], std::max(slice, milliseconds(1)));
    if (!info || actorflow::is_terminal(info->status)) ++next;
    if (Clock::now() >= next_progress) {
      progress << "progress: " << count_finished(engine, ids) << "/" << ids.size() << " finished" << std::endl;
      next_progress += std::chrono::seconds(1);
    }
  }
  result.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);

  for (const auto& id : ids) {
    auto info = engine.query(id);
    if (!info) {
      result.problems.push_back("order '" + id + "' is unknown to the engine");
      continue;
    }
    if (!actorflow::is_terminal(info->status))
      result.problems.push_back("order '" + id + "' still " + std::string(to_string(info->status)) +
                                " after " + std::to_string(time_limit.count()) + " s");
    result.workflows.push_back(std::move(*info));
  }
  return result;
}

}  // namespace order_saga
