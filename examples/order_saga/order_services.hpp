#pragma once
// In-memory fakes of the external services an order saga talks to. Every operation takes the
// step's idempotency key (actorflow::StepContext::idempotency_key()) and is idempotent on it;
// see FakeService. Undo operations work on the order id: they undo whatever the order holds.
// All of it is thread-safe.
#include "order_saga/fake_service.hpp"
#include "order_saga/fault_injector.hpp"
#include "order_saga/order.hpp"

#include <actorflow/json.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace order_saga {

struct Reservation {
  std::string reservation_id;
  std::string order_id;
  std::string sku;
  int units = 0;
  bool released = false;
};

class Inventory final : public FakeService {
 public:
  Inventory(FaultInjector& faults, std::map<std::string, int> initial_stock_units);

  // Takes the order's units out of stock: {"reservation_id", "sku", "quantity"}. An unknown sku
  // or too little stock throws actorflow::NonRetryableError.
  actorflow::Json reserve(const std::string& key, const Order& order);
  // Puts back every unreleased reservation of the order: {"released_quantity"}.
  actorflow::Json release(const std::string& key, const std::string& order_id);

  std::map<std::string, int> initial_stock_units() const;  // by sku
  std::map<std::string, int> stock_units() const;          // by sku, now
  std::vector<Reservation> reservations() const;           // released ones included

 private:
  std::map<std::string, int> initial_stock_units_;
  std::map<std::string, int> stock_units_;
  std::vector<Reservation> reservations_;
};

struct PaymentAccount {
  int64_t balance_cents = 0;  // charged minus refunded
  int charges = 0;
  int refunds = 0;
};

class Payments final : public FakeService {
 public:
  explicit Payments(FaultInjector& faults) : FakeService("payments", faults) {}

  // Charges the order's amount: {"payment_id", "amount"}.
  actorflow::Json charge(const std::string& key, const Order& order);
  // Refunds the order's whole balance: {"refunded_amount"}.
  actorflow::Json refund(const std::string& key, const std::string& order_id);

  std::map<std::string, PaymentAccount> accounts() const;  // by order id

 private:
  std::map<std::string, PaymentAccount> accounts_;
  int payments_made_ = 0;
};

struct ShipmentTally {
  int created = 0;
  int cancelled = 0;
  int active() const { return created - cancelled; }
};

class Shipments final : public FakeService {
 public:
  explicit Shipments(FaultInjector& faults) : FakeService("shipments", faults) {}

  // Books a shipment: {"shipment_id"}.
  actorflow::Json create(const std::string& key, const Order& order);
  // Cancels the order's active shipments: {"cancelled_shipments"}.
  actorflow::Json cancel(const std::string& key, const std::string& order_id);

  std::map<std::string, ShipmentTally> shipments() const;  // by order id

 private:
  std::map<std::string, ShipmentTally> shipments_;
  int shipments_booked_ = 0;
};

struct NoticeTally {
  int confirmations = 0;
  int cancellations = 0;
};

class Notifications final : public FakeService {
 public:
  explicit Notifications(FaultInjector& faults) : FakeService("notifications", faults) {}

  // {"notification_id"}
  actorflow::Json send_confirmation(const std::string& key, const Order& order);
  actorflow::Json send_cancellation(const std::string& key, const std::string& order_id);

  std::map<std::string, NoticeTally> notices() const;  // by order id

 private:
  actorflow::Json send(const std::string& order_id, bool confirmation);
  std::map<std::string, NoticeTally> notices_;
  int notices_sent_ = 0;
};

// What the services hold for one order, across all of them.
struct OrderEffects {
  int reservations = 0;
  int reserved_units = 0;  // not released
  int charges = 0;
  int refunds = 0;
  int64_t balance_cents = 0;
  int shipments_created = 0;
  int shipments_active = 0;
  int confirmations = 0;
  int cancellations = 0;

  // Anything that a rollback should have undone (a cancellation notice is not undone).
  bool has_net_effect() const {
    return reserved_units != 0 || balance_cents != 0 || shipments_active != 0 || confirmations != 0;
  }
};

struct OrderServices {
  explicit OrderServices(std::map<std::string, int> initial_stock_units, uint64_t fault_seed = 1);
  OrderServices(const OrderServices&) = delete;
  OrderServices& operator=(const OrderServices&) = delete;

  OrderEffects effects_of(const std::string& order_id) const;
  // Every order id any service has seen a call for.
  std::set<std::string> orders_touched() const;
  std::vector<const FakeService*> all() const;

  FaultInjector faults;  // first: the services hold a reference to it
  Inventory inventory;
  Payments payments;
  Shipments shipments;
  Notifications notifications;
};

}  // namespace order_saga
