#include "run_verdict.hpp"

#include "node_process.hpp"

#include <actorflow/actorflow.hpp>
#include <actorflow/json.hpp>

#include <set>

namespace actorflow::fault {
namespace {

constexpr const char* kForwardSteps[] = {"reserve_inventory", "charge_payment", "create_shipment", "send_confirmation"};
constexpr size_t kProblemsMax = 20;

void problem(RunVerdict& verdict, const std::string& what) {
  if (verdict.problems.size() < kProblemsMax) verdict.problems.push_back(what);
}

std::map<std::string, WorkflowSummary> all_summaries(Store& store) {
  std::map<std::string, WorkflowSummary> summaries;
  WorkflowFilter filter;
  filter.limit = 1000;
  while (true) {
    const auto page = store.list_workflows(filter);
    for (const auto& summary : page) summaries[summary.id] = summary;
    if (page.size() < 1000) return summaries;
    filter.after_id = page.back().id;
  }
}

}  // namespace

std::map<std::string, uint64_t> chaos_injected(std::shared_ptr<Store> store, const std::vector<std::string>& started) {
  EngineOptions options;
  options.store = std::move(store);
  const Engine reader(options);  // decodes histories; runs nothing (never recovers)
  std::map<std::string, uint64_t> by_kind;
  for (const auto& id : started) {
    for (const auto& event : reader.history(id)) {
      if (event.type != "chaos_injected") continue;
      std::string detail = event.detail;
      if (detail.rfind("compensation: ", 0) == 0) detail = detail.substr(14);
      const std::string kind = detail.substr(0, detail.find_first_of(" ,"));
      ++by_kind[kind == "drop" ? "drop_reply" : kind];
    }
  }
  return by_kind;
}

namespace {

// "...: the process died while this step ran (2 of 2 ...)" -> "the process died while this step ran"
std::string failure_kind(const std::string& detail) {
  for (const char* kind : {"the process died while this step ran", "timed out", "chaos", "circuit"})
    if (detail.find(kind) != std::string::npos) return kind;
  return detail.substr(0, 60);
}

}  // namespace

void judge_approvals(std::shared_ptr<Store> store, const std::vector<std::string>& approved, RunVerdict& verdict) {
  EngineOptions options;
  options.store = std::move(store);
  const Engine reader(options);  // reads; runs nothing (never recovers)
  for (const auto& id : approved) {
    ++verdict.approvals;
    const auto info = reader.query(id);
    const std::string status = info ? std::string(to_string(info->status)) : "missing";
    ++verdict.by_status["purchase_order " + status];
    int granted = 0, rejected = 0;
    bool reached_gate = false;
    std::string failure;
    if (info)
      for (const auto& event : reader.history(id)) {
        granted += event.type == "approval_granted";
        rejected += event.type == "approval_rejected";
        reached_gate = reached_gate || event.type == "approval_waiting";
        if (event.type == "step_failed" && failure.empty()) failure = event.detail;
      }
    const bool undone = info && (info->status == WorkflowStatus::compensated || info->status == WorkflowStatus::dead_lettered);
    if (undone && !failure.empty() && rejected == 0 && (granted == 1 || (granted == 0 && !reached_gate))) {
      ++verdict.approved_orders_undone[failure_kind(failure)];
      continue;
    }
    if (!info || info->status != WorkflowStatus::completed || granted != 1 || rejected != 0) {
      ++verdict.approvals_not_applied;
      problem(verdict, id + ": approval acknowledged, workflow " + status + ", " + std::to_string(granted) +
                           " approvals granted in its history");
    }
  }
}

RunVerdict judge_run(Store& store, const std::vector<std::string>& started) {
  RunVerdict verdict;
  verdict.started = started.size();
  const auto summaries = all_summaries(store);
  std::set<std::string> with_reason;
  for (const auto& letter : store.dead_letters())
    if (!letter.reason.empty()) with_reason.insert(letter.workflow_id);
  const testing::RecordedEffects effects = testing::recorded_effects(store);

  for (const auto& [key, runs] : effects.runs) {
    if (runs <= 1) continue;
    ++verdict.applied_twice;
    problem(verdict, key + ": applied " + std::to_string(runs) + " times");
  }
  for (const auto& [key, attempts] : effects.attempts) verdict.steps_run_again += attempts > 1;

  for (const auto& id : started) {
    const auto it = summaries.find(id);
    const std::string status = it == summaries.end() ? "missing" : std::string(to_string(it->second.status));
    ++verdict.by_status[status];
    const bool terminal = it != summaries.end() && is_terminal(it->second.status);
    if (!terminal) {
      ++verdict.lost;
      problem(verdict, id + ": " + status + " at the end");
      continue;
    }
    if (it->second.status == WorkflowStatus::dead_lettered && with_reason.count(id) == 0) {
      ++verdict.dead_letters_without_reason;
      problem(verdict, id + ": dead-lettered without a reason");
    }
    // What the order holds: each forward effect, less the ones its compensation undid.
    int held = 0;
    bool reserved = false, charged = false;
    for (const char* step : kForwardSteps) {
      const std::string key = id + "/" + step;
      const auto effect = effects.effects.find(key);
      if (effect == effects.effects.end() || effect->second == "voided") continue;  // never took effect
      const auto undo = effects.results.find(key + "#compensate");
      const bool undone = undo != effects.results.end() && undo->is_object() && undo->value("undone", false);
      if (undone) continue;
      ++held;
      reserved |= std::string(step) == "reserve_inventory";
      charged |= std::string(step) == "charge_payment";
    }
    verdict.reservations_held += reserved;
    verdict.charges_held += charged;
    const WorkflowStatus final_status = it->second.status;
    if (final_status == WorkflowStatus::completed) {
      verdict.reservations_expected += 1;
      verdict.charges_expected += 1;
      if (held != 4) {
        ++verdict.imbalanced;
        problem(verdict, id + ": completed but holds " + std::to_string(held) + " of its 4 effects");
      }
    } else if (final_status == WorkflowStatus::compensated || final_status == WorkflowStatus::failed) {
      if (held != 0) {
        ++verdict.imbalanced;
        problem(verdict, id + ": " + status + " but still holds " + std::to_string(held) + " effect(s)");
      }
    } else {
      // Dead-lettered: parked for an operator with what it holds; counted as held, not expected.
      verdict.reservations_expected += reserved;
      verdict.charges_expected += charged;
    }
  }
  return verdict;
}

}  // namespace actorflow::fault
