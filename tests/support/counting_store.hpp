#pragma once
// A Store that forwards to another and counts what is committed: writes (one per workflow
// transition written) and commits (batches), so a benchmark can report writes per workflow and
// how many writes each group commit carried. Thread-safe as the store it wraps.
#include <actorflow/store.hpp>

#include <atomic>
#include <memory>

namespace actorflow::testing {

class CountingStore final : public Store {
 public:
  explicit CountingStore(std::shared_ptr<Store> inner) : inner_(std::move(inner)) {}

  int64_t writes() const { return writes_.load(); }
  int64_t commits() const { return commits_.load(); }

  bool calls_block() const override { return inner_->calls_block(); }
  std::string fault() const override { return inner_->fault(); }
  std::string commit_problem() const override { return inner_->commit_problem(); }
  std::optional<Durability> durability() const override { return inner_->durability(); }
  std::string_view kind() const override { return inner_->kind(); }
  std::vector<WriteResult> commit(const std::vector<WorkflowWrite>& batch) override;
  uint64_t next_epoch() override;
  std::optional<StoredSnapshot> load(const std::string& workflow_id) const override;
  std::vector<std::string> live_workflows() const override;
  std::vector<std::string> history(const std::string& workflow_id) const override;
  std::vector<DeadLetter> dead_letters() const override;
  std::vector<WorkflowSummary> list_workflows(const WorkflowFilter& filter) const override;
  std::vector<std::pair<WorkflowStatus, uint64_t>> count_by_status() const override;
  uint64_t inbox_append(const std::string& workflow_id, const std::string& name, const std::string& payload,
                        int64_t at_ms) override;
  std::vector<InboxSignal> inbox_after(const std::string& workflow_id, uint64_t after_seq) const override;
  std::vector<WakeUp> wake_ups_until(int64_t until_ms, size_t limit) const override;
  void schedule_put(const std::string& id, const std::string& encoded) override;
  bool schedule_erase(const std::string& id) override;
  std::vector<std::pair<std::string, std::string>> schedules() const override;
  std::optional<std::string> ledger_get(const std::string& key) const override;
  bool ledger_put(const std::string& key, const std::string& value) override;
  std::vector<std::pair<std::string, std::string>> ledger_scan(const std::string& key_prefix) const override;

 private:
  std::shared_ptr<Store> inner_;
  std::atomic<int64_t> writes_{0};
  std::atomic<int64_t> commits_{0};
};

}  // namespace actorflow::testing
