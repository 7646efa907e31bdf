#pragma once
// Fakes of the external services an order saga talks to, in memory and, given an EffectLedger,
// durable: their effects outlive the process (see FakeService). Every operation takes the step's
// idempotency key (actorflow::StepContext::idempotency_key()) and is idempotent on it. Undo
// operations work on the order id: they undo whatever the order holds, and their result names
// what they undid. All of it is thread-safe.
#include "order_saga/effect_ledger.hpp"
#include "order_saga/fake_service.hpp"
#include "order_saga/fault_injector.hpp"
#include "order_saga/order.hpp"

#include <actorflow/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
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
  Inventory(FaultInjector& faults, std::map<std::string, int> initial_stock_units, EffectLedger* ledger = nullptr);

  // Takes the order's units out of stock: {"reservation_id", "sku", "quantity"}. An unknown sku
  // or too little stock throws actorflow::NonRetryableError.
  actorflow::Json reserve(const std::string& key, const Order& order);
  // Puts back every unreleased reservation of the order:
  // {"released_quantity", "reservation_ids": [...]}.
  actorflow::Json release(const std::string& key, const std::string& order_id);

  std::map<std::string, int> initial_stock_units() const;  // by sku
  std::map<std::string, int> stock_units() const;          // by sku, now
  std::vector<Reservation> reservations() const;           // released ones included

 private:
  void apply(const Effect& effect) override;

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
  explicit Payments(FaultInjector& faults, EffectLedger* ledger = nullptr)
      : FakeService("payments", faults, ledger) {}

  // Charges the order's amount: {"payment_id", "amount"}.
  actorflow::Json charge(const std::string& key, const Order& order);
  // Refunds the order's whole balance: {"refunded_amount"}.
  actorflow::Json refund(const std::string& key, const std::string& order_id);

  std::map<std::string, PaymentAccount> accounts() const;  // by order id

 private:
  void apply(const Effect& effect) override;

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
  explicit Shipments(FaultInjector& faults, EffectLedger* ledger = nullptr)
      : FakeService("shipments", faults, ledger) {}

  // Books a shipment: {"shipment_id"}.
  actorflow::Json create(const std::string& key, const Order& order);
  // Cancels the order's active shipments: {"cancelled_shipments"}.
  actorflow::Json cancel(const std::string& key, const std::string& order_id);

  std::map<std::string, ShipmentTally> shipments() const;  // by order id

 private:
  void apply(const Effect& effect) override;

  std::map<std::string, ShipmentTally> shipments_;
  int shipments_booked_ = 0;
};

struct NoticeTally {
  int confirmations = 0;
  int cancellations = 0;
};

class Notifications final : public FakeService {
 public:
  explicit Notifications(FaultInjector& faults, EffectLedger* ledger = nullptr)
      : FakeService("notifications", faults, ledger) {}

  // {"notification_id"}
  actorflow::Json send_confirmation(const std::string& key, const Order& order);
  actorflow::Json send_cancellation(const std::string& key, const std::string& order_id);

  std::map<std::string, NoticeTally> notices() const;  // by order id

 private:
  actorflow::Json send(Operation operation, const std::string& key, const std::string& order_id);
  void apply(const Effect& effect) override;

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
  // In memory only: the effects die with the process.
  explicit OrderServices(std::map<std::string, int> initial_stock_units, uint64_t fault_seed = 1);
  // Every effect is recorded in `ledger` (nullptr: in memory only) before it is applied.
  OrderServices(std::map<std::string, int> initial_stock_units, uint64_t fault_seed,
                std::shared_ptr<EffectLedger> ledger);
  OrderServices(const OrderServices&) = delete;
  OrderServices& operator=(const OrderServices&) = delete;

  // Rebuilds the services' state from the ledger's effects whose idempotency key starts with
  // `key_prefix` (a run's workflow id prefix, e.g. "r1/"): what a killed process applied counts as
  // applied here. Call it before the first service call. Returns the effects replayed (0 without
  // a ledger). Throws actorflow::StoreUnavailable, or std::runtime_error naming a corrupt entry.
  int replay(const std::string& key_prefix);

  OrderEffects effects_of(const std::string& order_id) const;
  // Every order id any service has seen a call for.
  std::set<std::string> orders_touched() const;
  std::vector<const FakeService*> all() const;

  // These two first: the services below hold pointers to them.
  std::shared_ptr<EffectLedger> ledger;  // nullptr: in memory only
  FaultInjector faults;
  Inventory inventory;
  Payments payments;
  Shipments shipments;
  Notifications notifications;
};

}  // namespace order_saga
