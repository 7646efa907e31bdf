#include "counting_store.hpp"

namespace actorflow::testing {

std::vector<WriteResult> CountingStore::commit(const std::vector<WorkflowWrite>& batch) {
  auto results = inner_->commit(batch);
  writes_ += static_cast<int64_t>(batch.size());
  ++commits_;
  return results;
}

uint64_t CountingStore::next_epoch() { return inner_->next_epoch(); }
std::optional<StoredSnapshot> CountingStore::load(const std::string& id) const { return inner_->load(id); }
std::vector<std::string> CountingStore::live_workflows() const { return inner_->live_workflows(); }
std::vector<std::string> CountingStore::history(const std::string& id) const { return inner_->history(id); }
std::vector<DeadLetter> CountingStore::dead_letters() const { return inner_->dead_letters(); }
std::vector<WorkflowSummary> CountingStore::list_workflows(const WorkflowFilter& filter) const {
  return inner_->list_workflows(filter);
}
std::vector<std::pair<WorkflowStatus, uint64_t>> CountingStore::count_by_status() const {
  return inner_->count_by_status();
}
uint64_t CountingStore::inbox_append(const std::string& id, const std::string& name, const std::string& payload,
                                     int64_t at_ms) {
  return inner_->inbox_append(id, name, payload, at_ms);
}
std::vector<InboxSignal> CountingStore::inbox_after(const std::string& id, uint64_t after_seq) const {
  return inner_->inbox_after(id, after_seq);
}
std::vector<WakeUp> CountingStore::wake_ups_until(int64_t until_ms, size_t limit) const {
  return inner_->wake_ups_until(until_ms, limit);
}
void CountingStore::schedule_put(const std::string& id, const std::string& encoded) { inner_->schedule_put(id, encoded); }
bool CountingStore::schedule_erase(const std::string& id) { return inner_->schedule_erase(id); }
std::vector<std::pair<std::string, std::string>> CountingStore::schedules() const { return inner_->schedules(); }
std::optional<std::string> CountingStore::ledger_get(const std::string& key) const { return inner_->ledger_get(key); }
bool CountingStore::ledger_put(const std::string& key, const std::string& value) { return inner_->ledger_put(key, value); }
std::vector<std::pair<std::string, std::string>> CountingStore::ledger_scan(const std::string& prefix) const {
  return inner_->ledger_scan(prefix);
}

}  // namespace actorflow::testing
