#include <actorflow/step_handler.hpp>
#include <actorflow/bounded_parse.hpp>
#include <actorflow/store.hpp>

namespace actorflow {

Json StepContext::once(const std::string& key, const std::function<Json()>& fn) const {
  if (!ledger_) return fn();
  if (auto recorded = ledger_->ledger_get(key)) return parse_json_or_throw(*recorded, stored_json_depth_max());
  Json result = fn();
  if (!ledger_->ledger_put(key, result.dump())) {
    if (auto recorded = ledger_->ledger_get(key)) return parse_json_or_throw(*recorded, stored_json_depth_max());
  }
  return result;
}

}  // namespace actorflow
