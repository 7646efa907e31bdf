#pragma once
// Where workflows live: per workflow a snapshot (opaque bytes the engine encodes), its history
// and, when parked, a dead-letter entry. Implementations are thread-safe.
#include <actorflow/history_event.hpp>
#include <actorflow/status.hpp>
#include <actorflow/workflow_status.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace actorflow {

class Store {
 public:
  virtual ~Store() = default;

  // Stores the first snapshot of workflow `id`; false (and nothing written) when `id` exists.
  virtual bool create(const std::string& id, const std::string& snapshot) = 0;
  // Replaces the snapshot of an existing workflow.
  virtual Status save(const std::string& id, const std::string& snapshot) = 0;
  virtual std::optional<std::string> load(const std::string& id) const = 0;
  virtual std::vector<std::string> workflow_ids() const = 0;

  virtual void append_history(const std::string& id, const HistoryEvent& event) = 0;
  virtual std::vector<HistoryEvent> history(const std::string& id) const = 0;

  virtual void add_dead_letter(const DeadLetter& entry) = 0;
  virtual std::vector<DeadLetter> dead_letters() const = 0;
};

// Everything in memory: for tests and for benchmarks of the engine alone.
std::shared_ptr<Store> make_memory_store();

}  // namespace actorflow
