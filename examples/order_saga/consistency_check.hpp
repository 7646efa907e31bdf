#pragma once
// After a batch: does what the services hold agree with how each order's saga ended?
//  - completed: stock reserved, charged once for the full amount, one shipment, one confirmation;
//  - compensated or failed: nothing left (no reserved stock, zero balance, no active shipment,
//    no confirmation);
//  - dead-lettered: parked for an operator; what it still holds is reported, not a violation;
//  - running or compensating: a violation (the batch did not finish);
// and for every order: no effect applied twice, whether by key or per order; per sku: initial
// stock - units reserved and not released == stock now; no effects for orders nobody started.
#include "order_saga/order_services.hpp"

#include <actorflow/workflow_info.hpp>
#include <actorflow/workflow_status.hpp>

#include <string>
#include <vector>

namespace order_saga {

struct ConsistencyReport {
  std::vector<std::string> violations;  // each names the order (or sku, or key) and what is wrong
  std::vector<std::string> parked;      // dead-lettered orders and what they still hold
  bool consistent() const { return violations.empty(); }
};

// `workflows`: the final info of every order's saga. The order id is the data's "order_id" (the
// workflow id when the data has none).
ConsistencyReport check_consistency(const OrderServices& services,
                                    const std::vector<actorflow::WorkflowInfo>& workflows);

}  // namespace order_saga
