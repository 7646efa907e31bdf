#include "order_saga/consistency_check.hpp"

#include <map>
#include <set>

namespace order_saga {
namespace {

using actorflow::WorkflowInfo;
using actorflow::WorkflowStatus;

std::string order_id_of(const WorkflowInfo& info) {
  if (info.data.is_object() && info.data.contains("order_id") && info.data["order_id"].is_string())
    return info.data["order_id"].get<std::string>();
  return info.id;
}

// "2 units reserved, 1500 cents charged, ..." listing only what is there.
std::string describe(const OrderEffects& e) {
  std::string text;
  auto add = [&text](bool present, const std::string& part) {
    if (!present) return;
    if (!text.empty()) text += ", ";
    text += part;
  };
  add(e.reserved_units != 0, std::to_string(e.reserved_units) + " units reserved");
  add(e.balance_cents != 0, std::to_string(e.balance_cents) + " cents charged");
  add(e.shipments_active != 0, std::to_string(e.shipments_active) + " active shipment(s)");
  add(e.confirmations != 0, std::to_string(e.confirmations) + " confirmation(s) sent");
  return text.empty() ? "nothing" : text;
}

class Checker {
 public:
  Checker(const OrderServices& services, ConsistencyReport& report) : services_(services), report_(report) {}

  void check_order(const WorkflowInfo& info) {
    const std::string order_id = order_id_of(info);
    const std::string who = "order '" + order_id + "' (" + std::string(to_string(info.status)) + ")";
    const OrderEffects effects = services_.effects_of(order_id);
    check_applied_once_per_order(who, effects);
    switch (info.status) {
      case WorkflowStatus::completed: check_completed(who, info, effects); break;
      case WorkflowStatus::compensated:
      case WorkflowStatus::failed:
        if (effects.has_net_effect()) violation(who + " still holds " + describe(effects));
        break;
      case WorkflowStatus::dead_lettered:
        report_.parked.push_back(who + " holds " + describe(effects) + "; reason: " + info.error);
        break;
      case WorkflowStatus::running:
      case WorkflowStatus::compensating: violation(who + " did not finish"); break;
    }
  }

  void check_keys_applied_once() {
    for (const FakeService* service : services_.all())
      for (const auto& [key, audit] : service->audit())
        if (audit.applied > 1)
          violation(service->name() + ": key '" + key + "' of order '" + audit.order_id + "' applied " +
                    std::to_string(audit.applied) + " times");
  }

  void check_stock_balances() {
    std::map<std::string, int> outstanding_units;  // by sku: reserved and not released
    for (const auto& reservation : services_.inventory.reservations())
      if (!reservation.released) outstanding_units[reservation.sku] += reservation.units;
    const auto stock_now = services_.inventory.stock_units();
    for (const auto& [sku, initial] : services_.inventory.initial_stock_units()) {
      const int now = stock_now.count(sku) ? stock_now.at(sku) : 0;
      const int reserved = outstanding_units[sku];
      if (initial - reserved != now || now < 0)
        violation("sku '" + sku + "': initial " + std::to_string(initial) + " - reserved " +
                  std::to_string(reserved) + " != stock " + std::to_string(now));
    }
  }

  void check_no_orphans(const std::set<std::string>& known_orders) {
    for (const auto& order_id : services_.orders_touched()) {
      if (known_orders.count(order_id)) continue;
      const OrderEffects e = services_.effects_of(order_id);
      if (e.reservations + e.charges + e.refunds + e.shipments_created + e.confirmations + e.cancellations > 0)
        violation("order '" + order_id + "' has side effects but no workflow");
    }
  }

 private:
  void violation(std::string text) { report_.violations.push_back(std::move(text)); }

  void check_applied_once_per_order(const std::string& who, const OrderEffects& e) {
    auto at_most_once = [&](int count, const char* what) {
      if (count > 1) violation(who + ": " + what + " " + std::to_string(count) + " times");
    };
    at_most_once(e.reservations, "stock reserved");
    at_most_once(e.charges, "charged");
    at_most_once(e.refunds, "refunded");
    at_most_once(e.shipments_created, "shipment created");
    at_most_once(e.confirmations, "confirmation sent");
    at_most_once(e.cancellations, "cancellation sent");
  }

  void check_completed(const std::string& who, const WorkflowInfo& info, const OrderEffects& e) {
    Order order;
    try {
      order = order_from_json(info.data);
    } catch (const std::exception& error) {
      violation(who + ": workflow data is not an order: " + error.what());
      return;
    }
    if (e.reservations != 1 || e.reserved_units != order.quantity_units)
      violation(who + ": " + std::to_string(e.reserved_units) + " units reserved in " +
                std::to_string(e.reservations) + " reservation(s), expected " +
                std::to_string(order.quantity_units) + " in 1");
    if (e.charges != 1 || e.refunds != 0 || e.balance_cents != order.amount_cents)
      violation(who + ": balance " + std::to_string(e.balance_cents) + " cents after " +
                std::to_string(e.charges) + " charge(s) and " + std::to_string(e.refunds) +
                " refund(s), expected " + std::to_string(order.amount_cents) + " after 1 charge");
    if (e.shipments_created != 1 || e.shipments_active != 1)
      violation(who + ": " + std::to_string(e.shipments_active) + " active of " +
                std::to_string(e.shipments_created) + " shipment(s), expected 1 of 1");
    if (e.confirmations != 1)
      violation(who + ": " + std::to_string(e.confirmations) + " confirmation(s) sent, expected 1");
  }

  const OrderServices& services_;
  ConsistencyReport& report_;
};

}  // namespace

ConsistencyReport check_consistency(const OrderServices& services, const std::vector<WorkflowInfo>& workflows) {
  ConsistencyReport report;
  Checker checker(services, report);
  std::set<std::string> known_orders;
  for (const auto& info : workflows) {
    known_orders.insert(order_id_of(info));
    checker.check_order(info);
  }
  checker.check_keys_applied_once();
  checker.check_stock_balances();
  checker.check_no_orphans(known_orders);
  return report;
}

}  // namespace order_saga
