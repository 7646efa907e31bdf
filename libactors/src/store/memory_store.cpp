#include <actorflow/store.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

namespace actorflow {
namespace {

constexpr size_t kListDefault = 100;  // list_workflows with limit 0
constexpr size_t kListMax = 1000;

class MemoryStore final : public Store {
 public:
  bool calls_block() const override { return false; }  // a mutex held for microseconds
  std::string_view kind() const override { return "memory"; }

  std::vector<WriteResult> commit(const std::vector<WorkflowWrite>& batch) override {
    std::lock_guard lock(mutex_);
    std::vector<WriteResult> results;
    results.reserve(batch.size());
    for (const auto& write : batch) results.push_back(apply(write));
    return results;
  }

  uint64_t next_epoch() override {
    std::lock_guard lock(mutex_);
    return ++epoch_;
  }

  std::optional<StoredSnapshot> load(const std::string& id) const override {
    std::lock_guard lock(mutex_);
    auto it = workflows_.find(id);
    if (it == workflows_.end()) return std::nullopt;
    return StoredSnapshot{it->second.snapshot, it->second.epoch};
  }

  std::vector<std::string> live_workflows() const override {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& [id, entry] : workflows_)
      if (entry.live) ids.push_back(id);
    return ids;
  }

  std::vector<std::string> history(const std::string& id) const override {
    std::lock_guard lock(mutex_);
    auto it = workflows_.find(id);
    return it == workflows_.end() ? std::vector<std::string>{} : it->second.history;
  }

  std::vector<WorkflowSummary> list_workflows(const WorkflowFilter& filter) const override {
    const size_t limit = filter.limit == 0 ? kListDefault : std::min(filter.limit, kListMax);
    std::lock_guard lock(mutex_);
    std::vector<WorkflowSummary> page;
    for (auto it = workflows_.upper_bound(filter.after_id); it != workflows_.end() && page.size() < limit; ++it) {
      const WorkflowSummary& summary = it->second.summary;
      if (filter.status && summary.status != *filter.status) continue;
      if (!filter.definition.empty() && summary.definition != filter.definition) continue;
      page.push_back(summary);
    }
    return page;
  }

  std::vector<std::pair<WorkflowStatus, uint64_t>> count_by_status() const override {
    std::lock_guard lock(mutex_);
    std::map<WorkflowStatus, uint64_t> counts;
    for (const auto& [id, entry] : workflows_) ++counts[entry.summary.status];
    return {counts.begin(), counts.end()};
  }

  std::vector<DeadLetter> dead_letters() const override {
    std::lock_guard lock(mutex_);
    return dead_letters_;
  }

  std::optional<std::string> ledger_get(const std::string& key) const override {
    std::lock_guard lock(mutex_);
    auto it = ledger_.find(key);
    if (it == ledger_.end()) return std::nullopt;
    return it->second;
  }

  bool ledger_put(const std::string& key, const std::string& value) override {
    std::lock_guard lock(mutex_);
    return ledger_.emplace(key, value).second;
  }

  uint64_t inbox_append(const std::string& id, const std::string& name, const std::string& payload,
                        int64_t at_ms) override {
    std::lock_guard lock(mutex_);
    auto& inbox = inboxes_[id];
    inbox.push_back({inbox.size() + 1, name, payload, at_ms});
    return inbox.size();
  }

  std::vector<InboxSignal> inbox_after(const std::string& id, uint64_t after_seq) const override {
    std::lock_guard lock(mutex_);
    auto it = inboxes_.find(id);
    if (it == inboxes_.end() || after_seq >= it->second.size()) return {};
    return {it->second.begin() + static_cast<std::ptrdiff_t>(after_seq), it->second.end()};
  }

  std::vector<WakeUp> wake_ups_until(int64_t until_ms, size_t limit) const override {
    std::lock_guard lock(mutex_);
    std::vector<WakeUp> due;
    for (auto it = wake_index_.begin(); it != wake_index_.end() && it->first <= until_ms && due.size() < limit; ++it)
      due.push_back({it->second, it->first});
    return due;
  }

  void schedule_put(const std::string& id, const std::string& encoded) override {
    std::lock_guard lock(mutex_);
    schedules_[id] = encoded;
  }
  bool schedule_erase(const std::string& id) override {
    std::lock_guard lock(mutex_);
    return schedules_.erase(id) == 1;
  }
  std::vector<std::pair<std::string, std::string>> schedules() const override {
    std::lock_guard lock(mutex_);
    return {schedules_.begin(), schedules_.end()};
  }

  std::vector<std::pair<std::string, std::string>> ledger_scan(const std::string& prefix) const override {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<std::string, std::string>> entries;
    for (auto it = ledger_.lower_bound(prefix); it != ledger_.end() && it->first.rfind(prefix, 0) == 0; ++it)
      entries.emplace_back(it->first, it->second);
    return entries;
  }

 private:
  struct Entry {
    std::string snapshot;
    uint64_t epoch = 0;
    bool live = true;
    std::string last_write_id;
    int64_t wake_at_ms = 0;
    std::vector<std::string> history;
    WorkflowSummary summary;
  };

  WriteResult apply(const WorkflowWrite& write) {
    auto it = workflows_.find(write.workflow_id);
    if (it != workflows_.end() && !write.write_id.empty() && it->second.last_write_id == write.write_id)
      return WriteResult::ok;
    if (write.create && it != workflows_.end()) return WriteResult::exists;
    if (it != workflows_.end() && it->second.epoch > write.epoch) return WriteResult::stale_epoch;
    Entry& entry = workflows_[write.workflow_id];
    entry.snapshot = write.snapshot;
    entry.epoch = write.epoch;
    entry.live = write.live;
    entry.last_write_id = write.write_id;
    if (entry.wake_at_ms != 0) wake_index_.erase({entry.wake_at_ms, write.workflow_id});
    entry.wake_at_ms = write.live ? write.wake_at_ms : 0;
    if (entry.wake_at_ms != 0) wake_index_.insert({entry.wake_at_ms, write.workflow_id});
    entry.history.insert(entry.history.end(), write.history.begin(), write.history.end());
    entry.summary = write.summary;
    entry.summary.id = write.workflow_id;
    if (write.clear_dead_letter) {
      std::erase_if(dead_letters_, [&](const DeadLetter& dead) { return dead.workflow_id == write.workflow_id; });
    }
    if (write.dead_letter) dead_letters_.push_back(*write.dead_letter);
    return WriteResult::ok;
  }

  mutable std::mutex mutex_;
  uint64_t epoch_ = 0;
  std::map<std::string, Entry> workflows_;
  std::vector<DeadLetter> dead_letters_;
  std::map<std::string, std::string> ledger_;
  std::map<std::string, std::vector<InboxSignal>> inboxes_;
  std::set<std::pair<int64_t, std::string>> wake_index_;
  std::map<std::string, std::string> schedules_;
};

}  // namespace

std::shared_ptr<Store> make_memory_store() { return std::make_shared<MemoryStore>(); }

}  // namespace actorflow
