#include "order_saga/fake_service.hpp"

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

}  // namespace order_saga
