#pragma once
// One customer order: what the saga's start input carries and what every handler reads back from
// the workflow data ({"order_id", "sku", "quantity", "amount"}; "amount" is in cents).
#include <actorflow/json.hpp>

#include <cstdint>
#include <string>

namespace order_saga {

struct Order {
  std::string order_id;
  std::string sku;
  int quantity_units = 0;
  int64_t amount_cents = 0;
};

actorflow::Json to_json(const Order& order);

// Reads an order from workflow data (extra fields, e.g. step outputs, are ignored). Throws
// actorflow::NonRetryableError when a field is missing or malformed: retrying will not fix it.
Order order_from_json(const actorflow::Json& data);

// Reads only "order_id" (what compensations need). Throws actorflow::NonRetryableError.
std::string order_id_from_json(const actorflow::Json& data);

}  // namespace order_saga
