#include "order_saga/order_services.hpp"

#include <actorflow/step_handler.hpp>

#include <algorithm>
#include <initializer_list>
#include <stdexcept>

namespace order_saga {

using actorflow::Json;

// ---- Inventory --------------------------------------------------------------------------------

Inventory::Inventory(FaultInjector& faults, std::map<std::string, int> initial_stock_units, EffectLedger* ledger)
    : FakeService("inventory", faults, ledger),
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
    return Json{{"reservation_id", "res-" + std::to_string(reservations_.size() + 1)},
                {"sku", order.sku},
                {"quantity", order.quantity_units}};
  });
}

Json Inventory::release(const std::string& key, const std::string& order_id) {
  return call_once(Operation::inventory_release, key, order_id, [&] {
    int released_units = 0;
    Json released_ids = Json::array();
    for (const auto& reservation : reservations_) {
      if (reservation.order_id != order_id || reservation.released) continue;
      released_units += reservation.units;
      released_ids.push_back(reservation.reservation_id);
    }
    return Json{{"released_quantity", released_units}, {"reservation_ids", std::move(released_ids)}};
  });
}

void Inventory::apply(const Effect& effect) {
  const Json& result = effect.result;
  switch (effect.operation) {
    case Operation::inventory_reserve: {
      Reservation reservation{result.at("reservation_id").get<std::string>(), effect.order_id,
                              result.at("sku").get<std::string>(), result.at("quantity").get<int>(), false};
      stock_units_[reservation.sku] -= reservation.units;
      reservations_.push_back(std::move(reservation));
      return;
    }
    case Operation::inventory_release:
      for (const auto& id : result.at("reservation_ids")) {
        auto reservation = std::find_if(reservations_.begin(), reservations_.end(), [&](const Reservation& r) {
          return r.reservation_id == id.get<std::string>() && r.order_id == effect.order_id;
        });
        if (reservation == reservations_.end() || reservation->released)
          throw std::runtime_error("no unreleased reservation " + id.dump() + " of order '" + effect.order_id + "'");
        reservation->released = true;
        stock_units_[reservation->sku] += reservation->units;
      }
      return;
    default: refuse(effect);
  }
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
    return Json{{"payment_id", "pay-" + std::to_string(payments_made_ + 1)}, {"amount", order.amount_cents}};
  });
}

Json Payments::refund(const std::string& key, const std::string& order_id) {
  return call_once(Operation::payment_refund, key, order_id, [&] {
    auto account = accounts_.find(order_id);
    return Json{{"refunded_amount", account == accounts_.end() ? 0 : account->second.balance_cents}};
  });
}

void Payments::apply(const Effect& effect) {
  auto& account = accounts_[effect.order_id];
  switch (effect.operation) {
    case Operation::payment_charge:
      account.balance_cents += effect.result.at("amount").get<int64_t>();
      ++account.charges;
      ++payments_made_;
      return;
    case Operation::payment_refund:
      account.balance_cents -= effect.result.at("refunded_amount").get<int64_t>();
      ++account.refunds;
      return;
    default: refuse(effect);
  }
}

std::map<std::string, PaymentAccount> Payments::accounts() const {
  std::lock_guard lock(mutex_);
  return accounts_;
}

// ---- Shipments --------------------------------------------------------------------------------

Json Shipments::create(const std::string& key, const Order& order) {
  return call_once(Operation::shipping_create, key, order.order_id,
                   [&] { return Json{{"shipment_id", "shp-" + std::to_string(shipments_booked_ + 1)}}; });
}

Json Shipments::cancel(const std::string& key, const std::string& order_id) {
  return call_once(Operation::shipping_cancel, key, order_id, [&] {
    auto tally = shipments_.find(order_id);
    return Json{{"cancelled_shipments", tally == shipments_.end() ? 0 : tally->second.active()}};
  });
}

void Shipments::apply(const Effect& effect) {
  auto& tally = shipments_[effect.order_id];
  switch (effect.operation) {
    case Operation::shipping_create:
      ++tally.created;
      ++shipments_booked_;
      return;
    case Operation::shipping_cancel: tally.cancelled += effect.result.at("cancelled_shipments").get<int>(); return;
    default: refuse(effect);
  }
}

std::map<std::string, ShipmentTally> Shipments::shipments() const {
  std::lock_guard lock(mutex_);
  return shipments_;
}

// ---- Notifications ----------------------------------------------------------------------------

Json Notifications::send_confirmation(const std::string& key, const Order& order) {
  return send(Operation::notify_confirmation, key, order.order_id);
}

Json Notifications::send_cancellation(const std::string& key, const std::string& order_id) {
  return send(Operation::notify_cancellation, key, order_id);
}

Json Notifications::send(Operation operation, const std::string& key, const std::string& order_id) {
  return call_once(operation, key, order_id,
                   [&] { return Json{{"notification_id", "msg-" + std::to_string(notices_sent_ + 1)}}; });
}

void Notifications::apply(const Effect& effect) {
  auto& tally = notices_[effect.order_id];
  switch (effect.operation) {
    case Operation::notify_confirmation: ++tally.confirmations; break;
    case Operation::notify_cancellation: ++tally.cancellations; break;
    default: refuse(effect);
  }
  ++notices_sent_;
}

std::map<std::string, NoticeTally> Notifications::notices() const {
  std::lock_guard lock(mutex_);
  return notices_;
}

// ---- OrderServices ----------------------------------------------------------------------------

OrderServices::OrderServices(std::map<std::string, int> initial_stock_units, uint64_t fault_seed)
    : OrderServices(std::move(initial_stock_units), fault_seed, nullptr) {}

OrderServices::OrderServices(std::map<std::string, int> initial_stock_units, uint64_t fault_seed,
                             std::shared_ptr<EffectLedger> effect_ledger)
    : ledger(std::move(effect_ledger)),
      faults(fault_seed),
      inventory(faults, std::move(initial_stock_units), ledger.get()),
      payments(faults, ledger.get()),
      shipments(faults, ledger.get()),
      notifications(faults, ledger.get()) {}

int OrderServices::replay(const std::string& key_prefix) {
  if (!ledger) return 0;
  int replayed = 0;
  for (FakeService* service : std::initializer_list<FakeService*>{&inventory, &payments, &shipments, &notifications})
    replayed += service->replay(ledger->scan(service->name(), key_prefix));
  return replayed;
}

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
