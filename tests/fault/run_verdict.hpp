#pragma once
// What a fault run must show at its end, read from the store:
//   - every started workflow reached a terminal state: completed, compensated, or dead-lettered
//     with a reason in the dead letters (nothing lost, nothing stuck);
//   - no step's side effect was applied twice (the example plugin's run records: its services
//     apply an effect once per idempotency key, so this holds if every run of a step, wherever
//     and whenever it ran, got the same key);
//   - inventory and payments balance: a completed order holds its reservation, charge, shipment
//     and confirmation and undid nothing; a compensated order undid every effect it took and holds
//     nothing; the reservations and charges not undone, over all orders, are exactly those of the
//     completed orders (and of dead-lettered ones, parked with what they hold).
#include <actorflow/store.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace actorflow::fault {

struct RunVerdict {
  std::map<std::string, uint64_t> by_status;  // started workflows by final status ("missing": none)
  uint64_t started = 0;
  uint64_t lost = 0;                // not terminal, or missing, at the end
  uint64_t applied_twice = 0;       // effects applied more than once
  uint64_t steps_run_again = 0;     // idempotency keys whose handler ran more than once (at least
                                    // once at work: retried, re-dispatched, or resumed on a zombie)
  uint64_t imbalanced = 0;          // orders whose effects do not match how they ended
  uint64_t dead_letters_without_reason = 0;
  int64_t reservations_held = 0;      // stock reservations not released, over all orders
  int64_t reservations_expected = 0;  // one per completed (or dead-lettered and holding) order
  int64_t charges_held = 0;           // payments charged and not refunded
  int64_t charges_expected = 0;
  uint64_t approvals = 0;              // acknowledged approvals checked (judge_approvals)
  uint64_t approvals_not_applied = 0;  // ... whose workflow is missing, unfinished, or decided otherwise
  // ... whose order a step failing for good (faults: chaos, or a node fault while it ran counted
  // as an attempt) undid: after its approval was granted, or before it reached its gate. By the
  // first failure's reason, cut to its kind (e.g. "the process died while this step ran").
  std::map<std::string, uint64_t> approved_orders_undone;
  std::vector<std::string> problems;  // the first of each kind, naming the workflow

  bool passed() const {
    return lost == 0 && applied_twice == 0 && imbalanced == 0 && dead_letters_without_reason == 0 &&
           approvals_not_applied == 0 && reservations_held == reservations_expected && charges_held == charges_expected;
  }
};

// Reads the final state of `started` (their ids) and of the effects from `store`.
RunVerdict judge_run(Store& store, const std::vector<std::string>& started);

// Purchase orders whose start and approval were acknowledged: each must exist and have
// completed with exactly one decision in its history, the approval; or have been undone by a step
// that failed for good, with the approval granted or the gate never reached (the approval then
// had nothing to decide), never rejected and never two.
void judge_approvals(std::shared_ptr<Store> store, const std::vector<std::string>& approved, RunVerdict& verdict);

// The chaos faults the nodes injected into the workflows, by kind (fail, delay, hang, crash,
// drop_reply), from their histories' chaos_injected events.
std::map<std::string, uint64_t> chaos_injected(std::shared_ptr<Store> store, const std::vector<std::string>& started);

}  // namespace actorflow::fault
