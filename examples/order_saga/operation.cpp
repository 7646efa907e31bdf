#include "order_saga/operation.hpp"

namespace order_saga {

std::string_view to_string(Operation operation) {
  switch (operation) {
    case Operation::inventory_reserve: return "inventory.reserve";
    case Operation::inventory_release: return "inventory.release";
    case Operation::payment_charge: return "payment.charge";
    case Operation::payment_refund: return "payment.refund";
    case Operation::shipping_create: return "shipping.create";
    case Operation::shipping_cancel: return "shipping.cancel";
    case Operation::notify_confirmation: return "notify.confirmation";
    case Operation::notify_cancellation: return "notify.cancellation";
  }
  return "unknown";
}

std::optional<Operation> parse_operation(std::string_view name) {
  for (Operation operation : kAllOperations)
    if (to_string(operation) == name) return operation;
  return std::nullopt;
}

bool is_compensation(Operation operation) {
  switch (operation) {
    case Operation::inventory_release:
    case Operation::payment_refund:
    case Operation::shipping_cancel:
    case Operation::notify_cancellation: return true;
    default: return false;
  }
}

}  // namespace order_saga
