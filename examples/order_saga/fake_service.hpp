#pragma once
// What the four fake services share: a lock, fault injection before each call, and idempotency
// on the step's idempotency key. The first successful call with a key applies the effect and
// records its result; any later call with that key returns the recorded result and changes
// nothing. Per key the service counts calls and effect applications, so tests can check that no
// side effect ran twice.
#include "order_saga/fault_injector.hpp"
#include "order_saga/operation.hpp"

#include <actorflow/json.hpp>

#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace order_saga {

struct KeyAudit {
  std::string order_id;
  int calls = 0;    // calls that reached the service with this key, failed ones included
  int applied = 0;  // times the effect was applied: at most 1 when idempotency holds
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

 protected:
  FakeService(std::string name, FaultInjector& faults) : name_(std::move(name)), faults_(faults) {}
  ~FakeService() = default;

  // Runs `apply` (which changes the service's state and returns the result) at most once per
  // `key`, under the lock. A call that fails by injection or by `apply` throwing changes nothing.
  template <class Apply>
  actorflow::Json call_once(Operation operation, const std::string& key, const std::string& order_id, Apply&& apply);

  // Guards this class and every member of the derived service.
  mutable std::mutex mutex_;

 private:
  struct Record {
    KeyAudit audit;
    actorflow::Json result;
  };
  std::string name_;
  FaultInjector& faults_;
  std::map<std::string, Record> records_;
};

template <class Apply>
actorflow::Json FakeService::call_once(Operation operation, const std::string& key, const std::string& order_id,
                                       Apply&& apply) {
  std::lock_guard lock(mutex_);
  Record& record = records_[key];
  record.audit.order_id = order_id;
  ++record.audit.calls;
  faults_.on_call(operation, order_id);  // an unreachable service fails even a replay
  if (record.audit.applied > 0) return record.result;
  record.result = std::forward<Apply>(apply)();
  ++record.audit.applied;
  return record.result;
}

}  // namespace order_saga
