#pragma once
// One run of the explorer: a fresh engine on a memory store and a virtual clock, the point's
// faults as chaos policies, the workflow driven to a terminal state.
#include <actorflow/testing/failure_explorer.hpp>

#include <string>
#include <vector>

namespace actorflow::testing {

struct RunOutcome {
  RunResult result;
  std::vector<std::string> problems;  // the run's own (did not start, did not end) and the invariant's
};

// The workflow id every run uses (each run has its own store).
inline constexpr const char* kExploredWorkflowId = "explored";

RunOutcome run_failure_point(const ExplorationOptions& options, const FailurePoint& point,
                             const SubjectFactory& make_subject);

}  // namespace actorflow::testing
