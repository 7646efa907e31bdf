#include "order_saga/order.hpp"

#include <actorflow/step_handler.hpp>

namespace order_saga {
namespace {

const actorflow::Json& field(const actorflow::Json& data, const char* name) {
  if (!data.is_object() || !data.contains(name))
    throw actorflow::NonRetryableError(std::string("order data has no '") + name + "'");
  return data.at(name);
}

}  // namespace

actorflow::Json to_json(const Order& order) {
  return {{"order_id", order.order_id},
          {"sku", order.sku},
          {"quantity", order.quantity_units},
          {"amount", order.amount_cents}};
}

Order order_from_json(const actorflow::Json& data) {
  Order order;
  order.order_id = order_id_from_json(data);
  const auto& sku = field(data, "sku");
  const auto& quantity = field(data, "quantity");
  const auto& amount = field(data, "amount");
  if (!sku.is_string() || !quantity.is_number_integer() || !amount.is_number_integer())
    throw actorflow::NonRetryableError("order '" + order.order_id + "' has a malformed sku, quantity or amount");
  order.sku = sku.get<std::string>();
  order.quantity_units = quantity.get<int>();
  order.amount_cents = amount.get<int64_t>();
  if (order.quantity_units <= 0 || order.amount_cents < 0)
    throw actorflow::NonRetryableError("order '" + order.order_id + "' has a non-positive quantity or negative amount");
  return order;
}

std::string order_id_from_json(const actorflow::Json& data) {
  const auto& id = field(data, "order_id");
  if (!id.is_string() || id.get<std::string>().empty())
    throw actorflow::NonRetryableError("order data has a malformed 'order_id'");
  return id.get<std::string>();
}

}  // namespace order_saga
