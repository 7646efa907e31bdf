#include <actorflow/store.hpp>

#include <map>
#include <mutex>

namespace actorflow {
namespace {

class MemoryStore final : public Store {
 public:
  bool create(const std::string& id, const std::string& snapshot) override {
    std::lock_guard lock(mutex_);
    return snapshots_.emplace(id, snapshot).second;
  }

  Status save(const std::string& id, const std::string& snapshot) override {
    std::lock_guard lock(mutex_);
    auto it = snapshots_.find(id);
    if (it == snapshots_.end()) return Status::error("save: no workflow '" + id + "'");
    it->second = snapshot;
    return Status::ok();
  }

  std::optional<std::string> load(const std::string& id) const override {
    std::lock_guard lock(mutex_);
    auto it = snapshots_.find(id);
    if (it == snapshots_.end()) return std::nullopt;
    return it->second;
  }

  std::vector<std::string> workflow_ids() const override {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    ids.reserve(snapshots_.size());
    for (const auto& entry : snapshots_) ids.push_back(entry.first);
    return ids;
  }

  void append_history(const std::string& id, const HistoryEvent& event) override {
    std::lock_guard lock(mutex_);
    history_[id].push_back(event);
  }

  std::vector<HistoryEvent> history(const std::string& id) const override {
    std::lock_guard lock(mutex_);
    auto it = history_.find(id);
    return it == history_.end() ? std::vector<HistoryEvent>{} : it->second;
  }

  void add_dead_letter(const DeadLetter& entry) override {
    std::lock_guard lock(mutex_);
    dead_letters_.push_back(entry);
  }

  std::vector<DeadLetter> dead_letters() const override {
    std::lock_guard lock(mutex_);
    return dead_letters_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> snapshots_;
  std::map<std::string, std::vector<HistoryEvent>> history_;
  std::vector<DeadLetter> dead_letters_;
};

}  // namespace

std::shared_ptr<Store> make_memory_store() { return std::make_shared<MemoryStore>(); }

}  // namespace actorflow
