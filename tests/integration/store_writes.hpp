#pragma once
// Building the writes that store tests commit.
#include <actorflow/store.hpp>

#include <string>
#include <utility>
#include <vector>

namespace actorflow::testing {

inline WorkflowWrite create_write(const std::string& id, uint64_t epoch, const std::string& snapshot,
                                  std::vector<std::string> history = {}) {
  WorkflowWrite write;
  write.workflow_id = id;
  write.epoch = epoch;
  write.create = true;
  write.snapshot = snapshot;
  write.history = std::move(history);
  return write;
}

inline WorkflowWrite save_write(const std::string& id, uint64_t epoch, const std::string& snapshot,
                                std::vector<std::string> history = {}) {
  WorkflowWrite write = create_write(id, epoch, snapshot, std::move(history));
  write.create = false;
  return write;
}

}  // namespace actorflow::testing
