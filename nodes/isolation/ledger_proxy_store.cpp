#include "ledger_proxy_store.hpp"

#include <stdexcept>

namespace actorflow::node::isolation {

void LedgerProxyStore::refuse(const char* call) {
  throw std::logic_error(std::string("Store::") + call +
                         ": a step worker's store offers only the idempotency ledger (ledger_get, ledger_put)");
}

void LedgerProxyStore::set_job_running(bool running) {
  std::lock_guard lock(mutex_);
  job_running_ = running;
}

Json LedgerProxyStore::call(const Json& request) const {
  std::lock_guard lock(mutex_);
  if (!job_running_)
    throw std::runtime_error("the idempotency ledger is reachable only while the step runs (after it answered, "
                             "its StepContext is gone)");
  channel_.write(request);
  std::optional<Json> answer = channel_.read();
  if (!answer) throw std::runtime_error("no answer from the node to a ledger call");
  const std::string type = (*answer)["type"].get<std::string>();
  if (type == "ledger_error") throw std::runtime_error("idempotency ledger: " + answer->value("error", std::string()));
  return *answer;
}

std::optional<std::string> LedgerProxyStore::ledger_get(const std::string& key) const {
  const Json answer = call({{"type", "ledger_get"}, {"key", key}});
  if (answer.value("type", "") != "ledger_value") throw FrameError("expected a 'ledger_value' frame");
  const Json& value = answer.contains("value") ? answer["value"] : Json();
  if (value.is_null()) return std::nullopt;
  if (!value.is_string()) throw FrameError("a 'ledger_value' frame whose 'value' is no string");
  return value.get<std::string>();
}

bool LedgerProxyStore::ledger_put(const std::string& key, const std::string& value) {
  const Json answer = call({{"type", "ledger_put"}, {"key", key}, {"value", value}});
  if (answer.value("type", "") != "ledger_stored" || !answer.contains("stored") || !answer["stored"].is_boolean())
    throw FrameError("expected a 'ledger_stored' frame");
  return answer["stored"].get<bool>();
}

}  // namespace actorflow::node::isolation
