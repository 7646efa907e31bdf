#include "order_saga/effect_ledger.hpp"

#include <stdexcept>
#include <utility>

namespace order_saga {
namespace {

using actorflow::Json;

std::string encode(const Effect& effect) {
  return Json{{"order_id", effect.order_id}, {"operation", to_string(effect.operation)}, {"result", effect.result}}
      .dump();
}

// `ledger_key` names the entry in errors; `key` is the idempotency key it belongs to.
Effect decode(const std::string& ledger_key, std::string key, const std::string& value) {
  auto malformed = [&](const std::string& why) {
    return std::runtime_error("effect ledger entry '" + ledger_key + "' is malformed: " + why);
  };
  const Json json = Json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) throw malformed("not a JSON object");
  if (!json.contains("order_id") || !json["order_id"].is_string()) throw malformed("no string 'order_id'");
  if (!json.contains("result") || !json["result"].is_object()) throw malformed("no object 'result'");
  const auto operation =
      json.contains("operation") && json["operation"].is_string()
          ? parse_operation(json["operation"].get<std::string>())
          : std::nullopt;
  if (!operation) throw malformed("no known 'operation'");
  return Effect{std::move(key), json["order_id"].get<std::string>(), *operation, json["result"]};
}

}  // namespace

EffectLedger::EffectLedger(std::shared_ptr<actorflow::Store> store) : store_(std::move(store)) {
  if (!store_) throw std::invalid_argument("EffectLedger needs a store");
}

std::string EffectLedger::ledger_key(const std::string& service, const std::string& key) {
  return "effect/" + service + "/" + key;
}

Effect EffectLedger::record(const std::string& service, const Effect& effect) {
  const std::string entry = ledger_key(service, effect.key);
  if (store_->ledger_put(entry, encode(effect))) return effect;
  const auto recorded = store_->ledger_get(entry);
  if (!recorded) throw std::runtime_error("effect ledger entry '" + entry + "' was refused as recorded but is missing");
  return decode(entry, effect.key, *recorded);
}

std::vector<Effect> EffectLedger::scan(const std::string& service, const std::string& key_prefix) const {
  const std::string stem = ledger_key(service, "");
  std::vector<Effect> effects;
  for (const auto& [entry, value] : store_->ledger_scan(stem + key_prefix))
    effects.push_back(decode(entry, entry.substr(stem.size()), value));
  return effects;
}

}  // namespace order_saga
