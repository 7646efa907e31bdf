#include <actorflow/step_handler.hpp>
#include <actorflow/store.hpp>

namespace actorflow {

Json StepContext::once(const std::string& key, const std::function<Json()>& fn) const {
  if (!ledger_) return fn();
  if (auto recorded = ledger_->ledger_get(key)) return Json::parse(*recorded);
  Json result = fn();
  if (!ledger_->ledger_put(key, result.dump())) {
    if (auto recorded = ledger_->ledger_get(key)) return Json::parse(*recorded);
  }
  return result;
}

}  // namespace actorflow
