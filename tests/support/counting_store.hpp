#pragma once
// A Store that forwards to another and counts what is committed: writes (one per workflow
// transition written) and commits (batches), so a benchmark can report writes per workflow and
// how many writes each group commit carried. Thread-safe as the store it wraps.
#include "store_wrapper.hpp"

#include <atomic>
#include <memory>

namespace actorflow::testing {

class CountingStore final : public StoreWrapper {
 public:
  using StoreWrapper::StoreWrapper;

  int64_t writes() const { return writes_.load(); }
  int64_t commits() const { return commits_.load(); }

  std::vector<WriteResult> commit(const std::vector<WorkflowWrite>& batch) override {
    auto results = inner()->commit(batch);
    writes_ += static_cast<int64_t>(batch.size());
    ++commits_;
    return results;
  }

 private:
  std::atomic<int64_t> writes_{0};
  std::atomic<int64_t> commits_{0};
};

}  // namespace actorflow::testing
