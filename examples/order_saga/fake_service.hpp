#pragma once
// What the four fake services share: a lock, fault injection before each call, and idempotency
// on the step's idempotency key. The first successful call with a key applies the effect and
// records its result; any later call with that key returns the recorded result and changes
// nothing. Per key the service counts calls and effect applications, so tests can check that no
// side effect ran twice.
//
// With an EffectLedger, every effect is recorded in the store before it is applied, and a new
// process rebuilds the state of a killed one with replay(): the effect, not the in-memory state,
// is what survives. A call whose key a previous process recorded is a repeat like any other.
#include "order_saga/effect_ledger.hpp"
#include "order_saga/fault_injector.hpp"
#include "order_saga/operation.hpp"

#include <actorflow/json.hpp>

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace order_saga {

struct KeyAudit {
  std::string order_id;
  int calls = 0;    // calls that reached this process's service with this key, failed ones included
  int applied = 0;  // times the effect was applied (replayed ones included): at most 1 when idempotency holds
};

class FakeService {
 public:
  FakeService(const FakeService&) = delete;
  FakeService& operator=(const FakeService&) = delete;

  const std::string& name() const { return name_; }
  // By idempotency key.
  std::map<std::string, KeyAudit> audit() const;
  // A key never seen gives an empty audit.
  KeyAudit audit_of(const std::string& key) const;

  // Applies recorded effects of this service (EffectLedger::scan) as if their calls had just
  // succeeded: each counts as applied once, with no call; a key applied already is skipped.
  // Forward effects go before compensations, so an undo finds what it undid whatever the order
  // of `effects`. Returns how many were applied. Throws std::runtime_error naming an effect that
  // does not fit the state (a corrupt ledger); the ones before it stay applied.
  int replay(std::vector<Effect> effects);

 protected:
  // `ledger`: where effects are recorded (nullptr: in memory only); it must outlive the service.
  FakeService(std::string name, FaultInjector& faults, EffectLedger* ledger)
      : name_(std::move(name)), faults_(faults), ledger_(ledger) {}
  virtual ~FakeService() = default;

  // Runs `decide` at most once per `key`, under the lock: it reads the state and returns the
  // call's result without changing anything (or throws to refuse). The effect is then recorded
  // in the ledger and applied with apply(). A call that fails by injection, by `decide` throwing
  // or by the ledger being unreachable changes nothing.
  template <class Decide>
  actorflow::Json call_once(Operation operation, const std::string& key, const std::string& order_id, Decide&& decide);

  // Changes the state by `effect`, one of this service's operations. Called under the lock for
  // live calls and replays alike, so both give the same state: it must depend only on the effect
  // (and, for an undo, on the forward effects it names).
  virtual void apply(const Effect& effect) = 0;
  // Throws std::runtime_error: `effect` is not one of this service's operations.
  [[noreturn]] void refuse(const Effect& effect) const;

  // Guards this class and every member of the derived service.
  mutable std::mutex mutex_;

 private:
  struct Record {
    KeyAudit audit;
    actorflow::Json result;
  };
  // Records (unless a ledger holds one already) and applies `effect`; returns its result.
  actorflow::Json settle(Record& record, Effect effect);

  std::string name_;
  FaultInjector& faults_;
  EffectLedger* ledger_;
  std::map<std::string, Record> records_;
};

template <class Decide>
actorflow::Json FakeService::call_once(Operation operation, const std::string& key, const std::string& order_id,
                                       Decide&& decide) {
  std::lock_guard lock(mutex_);
  Record& record = records_[key];
  record.audit.order_id = order_id;
  ++record.audit.calls;
  faults_.on_call(operation, order_id);  // an unreachable service fails even a repeat
  if (record.audit.applied > 0) return record.result;
  return settle(record, Effect{key, order_id, operation, std::forward<Decide>(decide)()});
}

}  // namespace order_saga
