#include <actorflow/store.hpp>

#include <map>
#include <mutex>

namespace actorflow {
namespace {

class MemoryStore final : public Store {
 public:
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
    std::vector<std::string> history;
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
    entry.history.insert(entry.history.end(), write.history.begin(), write.history.end());
    if (write.dead_letter) dead_letters_.push_back(*write.dead_letter);
    return WriteResult::ok;
  }

  mutable std::mutex mutex_;
  uint64_t epoch_ = 0;
  std::map<std::string, Entry> workflows_;
  std::vector<DeadLetter> dead_letters_;
  std::map<std::string, std::string> ledger_;
};

}  // namespace

std::shared_ptr<Store> make_memory_store() { return std::make_shared<MemoryStore>(); }

}  // namespace actorflow
