#pragma once
// The approval chain: a purchase order above a threshold needs a manager's approval. If the
// manager has not answered in 48 h the director is told and has 24 more hours; a rejection or no
// answer at all cancels the order (the budget hold is released by compensation).
#include <actorflow/actorflow.hpp>
#include <actorflow/workflow_definition.hpp>

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace approval_chain {

inline constexpr const char* kWorkflow = "purchase_order";
inline constexpr const char* kApprovalSignal = "manager_approval";
inline constexpr int kApprovalThresholdCents = 100'00;
inline constexpr actorflow::Millis kManagerTimeout{48LL * 3'600'000};
inline constexpr actorflow::Millis kDirectorTimeout{24LL * 3'600'000};

// What the steps did, for the program to print and the tests to check. Thread-safe.
class Ledger {
 public:
  // Notes `what` for the order once per idempotency key: a step that runs again (steps run at
  // least once, e.g. after a crash before its result was committed) notes nothing new.
  void note(const std::string& idempotency_key, const std::string& order_id, const std::string& what);
  std::map<std::string, std::vector<std::string>> notes() const;

 private:
  mutable std::mutex mutex_;
  std::set<std::string> keys_;
  std::map<std::string, std::vector<std::string>> notes_;
};

// Input: {"order_id", "amount_cents", "requested_by"}.
actorflow::WorkflowDefinition purchase_order_definition();
void register_purchase_order_handlers(actorflow::Engine& engine, Ledger& ledger);

}  // namespace approval_chain
