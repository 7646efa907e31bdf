#pragma once
// The store a step worker's StepContexts see: only the idempotency ledger, and that is the node's
// (ledger_get / ledger_put go to the node over the worker's channel, and the node answers from
// its real store), so StepContext::once under isolation records an effect once in the node's
// ledger. Every other Store call throws std::logic_error: a handler has no business with them.
// Calls are serialised on the channel; they are refused (std::runtime_error) outside a job.
#include "frame_channel.hpp"

#include <actorflow/store.hpp>

#include <mutex>

namespace actorflow::node::isolation {

class LedgerProxyStore final : public Store {
 public:
  explicit LedgerProxyStore(FrameChannel& channel) : channel_(channel) {}

  // While a job runs, ledger calls go to the node; outside one they throw.
  void set_job_running(bool running);

  std::optional<std::string> ledger_get(const std::string& key) const override;
  bool ledger_put(const std::string& key, const std::string& value) override;

  std::string_view kind() const override { return "step-worker-ledger"; }
  std::vector<WriteResult> commit(const std::vector<WorkflowWrite>&) override { refuse("commit"); }
  uint64_t next_epoch() override { refuse("next_epoch"); }
  std::optional<StoredSnapshot> load(const std::string&) const override { refuse("load"); }
  std::vector<std::string> live_workflows() const override { refuse("live_workflows"); }
  std::vector<std::string> history(const std::string&) const override { refuse("history"); }
  std::vector<DeadLetter> dead_letters() const override { refuse("dead_letters"); }
  std::vector<WorkflowSummary> list_workflows(const WorkflowFilter&) const override { refuse("list_workflows"); }
  std::vector<std::pair<WorkflowStatus, uint64_t>> count_by_status() const override { refuse("count_by_status"); }
  uint64_t inbox_append(const std::string&, const std::string&, const std::string&, int64_t) override {
    refuse("inbox_append");
  }
  std::vector<InboxSignal> inbox_after(const std::string&, uint64_t) const override { refuse("inbox_after"); }
  std::vector<WakeUp> wake_ups_until(int64_t, size_t) const override { refuse("wake_ups_until"); }
  void schedule_put(const std::string&, const std::string&) override { refuse("schedule_put"); }
  bool schedule_erase(const std::string&) override { refuse("schedule_erase"); }
  std::vector<std::pair<std::string, std::string>> schedules() const override { refuse("schedules"); }
  std::vector<std::pair<std::string, std::string>> ledger_scan(const std::string&) const override {
    refuse("ledger_scan");
  }

 private:
  [[noreturn]] static void refuse(const char* call);
  // Sends `request`, returns the node's answer (throws std::runtime_error for a ledger_error).
  Json call(const Json& request) const;

  FrameChannel& channel_;
  mutable std::mutex mutex_;
  bool job_running_ = false;
};

}  // namespace actorflow::node::isolation
