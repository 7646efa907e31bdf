#pragma once
// A Store that forwards every call to another: a test store derives from it and overrides only
// what it changes, so it can never silently drop a method (as LevelDB's EnvWrapper).
#include <actorflow/store.hpp>

#include <memory>

namespace actorflow::testing {

class StoreWrapper : public Store {
 public:
  explicit StoreWrapper(std::shared_ptr<Store> inner) : inner_(std::move(inner)) {}

  std::string fault() const override { return inner_->fault(); }
  std::string commit_problem() const override { return inner_->commit_problem(); }
  std::string_view kind() const override { return inner_->kind(); }
  std::optional<Durability> durability() const override { return inner_->durability(); }
  bool calls_block() const override { return inner_->calls_block(); }
  std::vector<WriteResult> commit(const std::vector<WorkflowWrite>& batch) override { return inner_->commit(batch); }
  uint64_t next_epoch() override { return inner_->next_epoch(); }
  std::optional<StoredSnapshot> load(const std::string& workflow_id) const override { return inner_->load(workflow_id); }
  std::vector<std::string> live_workflows() const override { return inner_->live_workflows(); }
  std::vector<std::string> history(const std::string& workflow_id) const override { return inner_->history(workflow_id); }
  std::vector<DeadLetter> dead_letters() const override { return inner_->dead_letters(); }
  std::vector<WorkflowSummary> list_workflows(const WorkflowFilter& filter) const override {
    return inner_->list_workflows(filter);
  }
  std::vector<std::pair<WorkflowStatus, uint64_t>> count_by_status() const override { return inner_->count_by_status(); }
  uint64_t inbox_append(const std::string& workflow_id, const std::string& name, const std::string& payload,
                        int64_t at_ms) override {
    return inner_->inbox_append(workflow_id, name, payload, at_ms);
  }
  std::vector<InboxSignal> inbox_after(const std::string& workflow_id, uint64_t after_seq) const override {
    return inner_->inbox_after(workflow_id, after_seq);
  }
  std::vector<WakeUp> wake_ups_until(int64_t until_ms, size_t limit) const override {
    return inner_->wake_ups_until(until_ms, limit);
  }
  std::vector<std::string> signalled_workflows(size_t limit) override { return inner_->signalled_workflows(limit); }
  void schedule_put(const std::string& id, const std::string& encoded) override { inner_->schedule_put(id, encoded); }
  bool schedule_erase(const std::string& id) override { return inner_->schedule_erase(id); }
  std::vector<std::pair<std::string, std::string>> schedules() const override { return inner_->schedules(); }
  std::optional<std::string> ledger_get(const std::string& key) const override { return inner_->ledger_get(key); }
  bool ledger_put(const std::string& key, const std::string& value) override { return inner_->ledger_put(key, value); }
  std::vector<std::pair<std::string, std::string>> ledger_scan(const std::string& key_prefix) const override {
    return inner_->ledger_scan(key_prefix);
  }

 protected:
  const std::shared_ptr<Store>& inner() const { return inner_; }

 private:
  std::shared_ptr<Store> inner_;
};

}  // namespace actorflow::testing
