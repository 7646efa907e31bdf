#include "order_saga/fake_service.hpp"

#include <algorithm>
#include <stdexcept>

namespace order_saga {

std::map<std::string, KeyAudit> FakeService::audit() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, KeyAudit> result;
  for (const auto& [key, record] : records_) result.emplace(key, record.audit);
  return result;
}

KeyAudit FakeService::audit_of(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = records_.find(key);
  return it == records_.end() ? KeyAudit{} : it->second.audit;
}

int FakeService::replay(std::vector<Effect> effects) {
  std::stable_partition(effects.begin(), effects.end(),
                        [](const Effect& effect) { return !is_compensation(effect.operation); });
  std::lock_guard lock(mutex_);
  int replayed = 0;
  for (const Effect& effect : effects) {
    if (auto it = records_.find(effect.key); it != records_.end() && it->second.audit.applied > 0) continue;
    try {
      apply(effect);
    } catch (const std::exception& error) {
      throw std::runtime_error(name_ + ": cannot replay the effect of '" + effect.key + "': " + error.what());
    }
    Record& record = records_[effect.key];
    record.audit.order_id = effect.order_id;
    record.result = effect.result;
    ++record.audit.applied;
    ++replayed;
  }
  return replayed;
}

void FakeService::refuse(const Effect& effect) const {
  throw std::runtime_error(name_ + " has no operation " + std::string(to_string(effect.operation)) + " (key '" +
                           effect.key + "')");
}

actorflow::Json FakeService::settle(Record& record, Effect effect) {
  // Recorded first: a process killed right after this line has still applied the effect once.
  if (ledger_) effect = ledger_->record(name_, effect);
  apply(effect);
  record.result = std::move(effect.result);
  ++record.audit.applied;
  return record.result;
}

}  // namespace order_saga
