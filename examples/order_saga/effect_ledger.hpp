#pragma once
// Where the fake services keep their effects durably: the engine store's idempotency ledger.
// Every applied effect is one entry "effect/<service>/<idempotency key>" holding
// {"order_id", "operation", "result"}; a key is recorded once (the first record wins), so an
// effect recorded by a process that was killed afterwards is still there for the next one, which
// rebuilds the services' state from it (FakeService::replay). Thread-safe as the Store is.
#include "order_saga/operation.hpp"

#include <actorflow/json.hpp>
#include <actorflow/store.hpp>

#include <memory>
#include <string>
#include <vector>

namespace order_saga {

// One applied effect of one service call.
struct Effect {
  std::string key;       // the step's idempotency key
  std::string order_id;
  Operation operation = Operation::inventory_reserve;
  actorflow::Json result;  // what the call returned; holds all a replay needs to apply it again
};

class EffectLedger {
 public:
  // Shares `store` (usually the engine's).
  explicit EffectLedger(std::shared_ptr<actorflow::Store> store);

  // "effect/<service>/<key>"
  static std::string ledger_key(const std::string& service, const std::string& key);

  // Records `effect` of `service` unless its key is recorded already. Returns the effect that
  // holds: `effect`, or the one recorded first (by an earlier call or another process). Throws
  // actorflow::StoreUnavailable when the store cannot be reached (then nothing is recorded), and
  // std::runtime_error naming the entry when the recorded one is malformed.
  Effect record(const std::string& service, const Effect& effect);

  // The recorded effects of `service` whose idempotency key starts with `key_prefix`, in key
  // order. Throws actorflow::StoreUnavailable, or std::runtime_error naming a malformed entry.
  std::vector<Effect> scan(const std::string& service, const std::string& key_prefix) const;

 private:
  std::shared_ptr<actorflow::Store> store_;
};

}  // namespace order_saga
