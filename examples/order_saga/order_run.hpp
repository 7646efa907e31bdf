#pragma once
// A run of the order saga example: one batch of orders under a run id. Its workflows are
// "<run id>/order-NNNN" and its effects are the ledger entries of those workflows (EffectLedger),
// so a process killed mid-run can be followed by another with the same run id that resumes it.
// A run records the batch it runs when it begins; a resume with another batch is refused, as its
// orders and stock would not match the effects already recorded.
#include <actorflow/status.hpp>
#include <actorflow/store.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace order_saga {

inline constexpr size_t kRunIdBytesMax = 64;

// What defines a run's batch: the orders (how many, from which seed) and the stock they draw on.
struct BatchShape {
  int orders = 0;
  uint64_t seed = 0;
  int skus = 0;
  int stock_units_per_sku = 0;
};

// Why `run_id` cannot name a run (empty, longer than kRunIdBytesMax, a '/' or a control
// character), or nullopt when it can.
std::optional<std::string> run_id_problem(const std::string& run_id);

// "<run id>/": what the run's workflow ids (and so its effects' idempotency keys) start with.
std::string workflow_id_prefix(const std::string& run_id);

// Records `shape` under "run/<run id>/batch" in the store's ledger when the run is new; when it is
// recorded already, an error naming both unless they are equal. Throws
// actorflow::StoreUnavailable when the store cannot be reached.
actorflow::Status claim_run(actorflow::Store& store, const std::string& run_id, const BatchShape& shape);

// The store's live workflows that are not of run `run_id`. Engine::recover resumes every live
// workflow, and this run's services do not hold those workflows' effects.
std::vector<std::string> live_workflows_of_other_runs(const actorflow::Store& store, const std::string& run_id);

}  // namespace order_saga
