#include "order_saga/order_run.hpp"

#include <actorflow/json.hpp>

namespace order_saga {
namespace {

actorflow::Json to_json(const BatchShape& shape) {
  return {{"orders", shape.orders},
          {"seed", shape.seed},
          {"skus", shape.skus},
          {"stock_units_per_sku", shape.stock_units_per_sku}};
}

}  // namespace

std::optional<std::string> run_id_problem(const std::string& run_id) {
  if (run_id.empty()) return "run id is empty";
  if (run_id.size() > kRunIdBytesMax)
    return "run id is " + std::to_string(run_id.size()) + " bytes (at most " + std::to_string(kRunIdBytesMax) + ")";
  for (unsigned char c : run_id) {
    if (c == '/') return "run id '" + run_id + "' contains '/'";
    if (c < 0x20 || c == 0x7f) return "run id contains a control character";
  }
  return std::nullopt;
}

std::string workflow_id_prefix(const std::string& run_id) { return run_id + "/"; }

actorflow::Status claim_run(actorflow::Store& store, const std::string& run_id, const BatchShape& shape) {
  const std::string key = "run/" + run_id + "/batch";
  const std::string wanted = to_json(shape).dump();
  if (store.ledger_put(key, wanted)) return actorflow::Status::ok();
  const auto recorded = store.ledger_get(key);
  if (recorded && actorflow::Json::parse(*recorded, nullptr, false) == to_json(shape)) return actorflow::Status::ok();
  return actorflow::Status::error("run '" + run_id + "' was begun with batch " + recorded.value_or("(missing)") +
                                  ", not " + wanted + ": resume it with the same --orders, --seed, --skus and --stock");
}

std::vector<std::string> live_workflows_of_other_runs(const actorflow::Store& store, const std::string& run_id) {
  const std::string prefix = workflow_id_prefix(run_id);
  std::vector<std::string> others;
  for (auto& id : store.live_workflows())
    if (!id.starts_with(prefix)) others.push_back(std::move(id));
  return others;
}

}  // namespace order_saga
