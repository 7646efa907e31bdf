#pragma once
// The operations the fake services offer. Their names double as the engine's handler names, so
// the workflow definition, the handlers and the fault injection all speak about the same thing.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace order_saga {

enum class Operation {
  inventory_reserve,
  inventory_release,
  payment_charge,
  payment_refund,
  shipping_create,
  shipping_cancel,
  notify_confirmation,
  notify_cancellation,
};

inline constexpr std::array<Operation, 8> kAllOperations = {
    Operation::inventory_reserve,   Operation::inventory_release, Operation::payment_charge,
    Operation::payment_refund,      Operation::shipping_create,   Operation::shipping_cancel,
    Operation::notify_confirmation, Operation::notify_cancellation,
};

// "inventory.reserve", "payment.refund", ...: the handler name registered with the engine.
std::string_view to_string(Operation operation);
inline std::string handler_name(Operation operation) { return std::string(to_string(operation)); }
// The operation named `name` (as to_string gives it); nullopt for any other text.
std::optional<Operation> parse_operation(std::string_view name);

// True for the operations that undo another one (release, refund, cancel, cancellation notice).
bool is_compensation(Operation operation);

}  // namespace order_saga
