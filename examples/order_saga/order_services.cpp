#include "order_saga/order_services.hpp"

#include <actorflow/step_handler.hpp>

namespace order_saga {

using actorflow::Json;

// ---- Inventory --------------------------------------------------------------------------------

Inventory::Inventory(FaultInjector& faults, std::map<std::string, int> initial_stock_units)
    : FakeService("inventory", faults),
      initial_stock_units_(initial_stock_units),
      stock_units_(std::move(initial_stock_units)) {}

Json Inventory::reserve(const std::string& key, const Order& order) {
  return call_once(Operation::inventory_reserve, key, order.order_id, [&] {
    auto stock = stock_units_.find(order.sku);
    if (stock == stock_units_.end())
      throw actorflow::NonRetryableError("inventory: unknown sku '" + order.sku + "'");
    if (stock->second < order.quantity_units)
      throw actorflow::NonRetryableError("inventory: out of stock for '" + order.sku + "': " +
                                         std::to_string(stock->second) + " units left, " +
                                         std::to_string(order.quantity_units) + " wanted");
    stock->second -= order.quantity_units;
    Reservation reservation{"res-" + std::to_string(reservations_.size() + 1), order.order_id, order.sku,
                            order.quantity_units, false};
    reservations_.push_back(reservation);
    return Json{{"reservation_id", reservation.reservation_id},
                {"sku", reservation.sku},
                {"quantity", reservation.units}};
  });
}

Json Inventory::release(const std::string& key, const std::string& order_id) {
  return call_once(Operation::inventory_release, key, order_id, [&] {
    int released_units = 0;
    for (auto& reservation : reservations_) {
      if (reservation.order_id != order_id || reservation.released) continue;
      reservation.released = true;
      stock_units_[reservation.sku] += reservation.units;
      released_units += reservation.units;
    }
    return Json{{"released_quantity", released_units}};
  });
}

std::map<std::string, int> Inventory::initial_stock_units() const {
  std::lock_guard lock(mutex_);
  return initial_stock_units_;
}

std::map<std::string, int> Inventory::stock_units() const {
  std::lock_guard lock(mutex_);
  return stock_units_;
}

std::vector<Reservation> Inventory::reservations() const {
  std::lock_guard lock(mutex_);
  return reservations_;
}

// ---- Payments ---------------------------------------------------------------------------------

Json Payments::charge(const std::string& key, const Order& order) {
  return call_once(Operation::payment_charge, key, order.order_id, [&] {
    auto& account = accounts_[order.order_id];
    account.balance_cents += order.amount_cents;
    ++account.charges;
    return Json{{"payment_id", "pay-" + std::to_string(++payments_made_)}, {"amount", order.amount_cents}};
  });
}

Json Payments::refund(const std::string& key, const std::string& order_id) {
  return call_once(Operation::payment_refund, key, order_id, [&] {
    auto& account = accounts_[order_id];
    const int64_t refunded_cents = account.balance_cents;
    account.balance_cents = 0;
    ++account.refunds;
    return Json{{"refunded_amount", refunded_cents}};
  });
}

std::map<std::string, PaymentAccount> Payments::accounts() const {
  std::lock_guard lock(mutex_);
  return accounts_;
}

// ---- Shipments --------------------------------------------------------------------------------

Json Shipments::create(const std::string& key, const Order& order) {
  return call_once(Operation::shipping_create, key, order.order_id, [&] {
    ++shipments_[order.order_id].created;
    return Json{{"shipment_id", "shp-" + std::to_string(++shipments_booked_)}};
  });
}

Json Shipments::cancel(const std::string& key, const std::string& order_id) {
  return call_once(Operation::shipping_cancel, key, order_id, [&] {
    auto& tally = shipments_[order_id];
    const int cancelled_now = tally.active();
    tally.cancelled = tally.created;
    return Json{{"cancelled_shipments", cancelled_now}};
  });
}

std::map<std::string, ShipmentTally> Shipments::shipments() const {
  std::lock_guard lock(mutex_);
  return shipments_;
}

// ---- Notifications ----------------------------------------------------------------------------

Json Notifications::send_confirmation(const std::string& key, const Order& order) {
  return call_once(Operation::notify_confirmation, key, order.order_id, [&] { return send(order.order_id, true); });
}

Json Notifications::send_cancellation(const std::string& key, const std::string& order_id) {
  return call_once(Operation::notify_cancellation, key, order_id, [&] { return send(order_id, false); });
}

Json Notifications::send(const std::string& order_id, bool confirmation) {
  auto& tally = notices_[order_id];
  ++(confirmation ? tally.confirmations : tally.cancellations);
  return Json{{"notification_id", "msg-" + std::to_string(++notices_sent_)}};
}

std::map<std::string, NoticeTally> Notifications::notices() const {
  std::lock_guard lock(mutex_);
  return notices_;
}

// ---- OrderServices ----------------------------------------------------------------------------

OrderServices::OrderServices(std::map<std::string, int> initial_stock_units, uint64_t fault_seed)
    : faults(fault_seed),
      inventory(faults, std::move(initial_stock_units)),
      payments(faults),
      shipments(faults),
      notifications(faults) {}

OrderEffects OrderServices::effects_of(const std::string& order_id) const {
  OrderEffects effects;
  for (const auto& reservation : inventory.reservations()) {
    if (reservation.order_id != order_id) continue;
    ++effects.reservations;
    if (!reservation.released) effects.reserved_units += reservation.units;
  }
  const auto accounts = payments.accounts();
  if (auto it = accounts.find(order_id); it != accounts.end()) {
    effects.charges = it->second.charges;
    effects.refunds = it->second.refunds;
    effects.balance_cents = it->second.balance_cents;
  }
  const auto shipped = shipments.shipments();
  if (auto it = shipped.find(order_id); it != shipped.end()) {
    effects.shipments_created = it->second.created;
    effects.shipments_active = it->second.active();
  }
  const auto notices = notifications.notices();
  if (auto it = notices.find(order_id); it != notices.end()) {
    effects.confirmations = it->second.confirmations;
    effects.cancellations = it->second.cancellations;
  }
  return effects;
}

std::set<std::string> OrderServices::orders_touched() const {
  std::set<std::string> orders;
  for (const FakeService* service : all())
    for (const auto& [key, audit] : service->audit()) orders.insert(audit.order_id);
  return orders;
}

std::vector<const FakeService*> OrderServices::all() const {
  return {&inventory, &payments, &shipments, &notifications};
}

}  // namespace order_saga
