// Faults and failure points of the explorer (actorflow/testing/failure_explorer.hpp).
#include <actorflow/testing/failure_explorer.hpp>

namespace actorflow::testing {

std::string_view to_string(FaultVariant variant) {
  switch (variant) {
    case FaultVariant::fail_once: return "fail once";
    case FaultVariant::fail_for_good: return "fail for good";
    case FaultVariant::crash_before_commit: return "crash before commit";
    case FaultVariant::crash_after_commit: return "crash after commit";
    case FaultVariant::hang: return "hang";
    case FaultVariant::drop_reply: return "drop the reply";
    case FaultVariant::crash_process: return "crash the process";
  }
  return "unknown";
}

ChaosPolicy Fault::policy(const std::string& definition) const {
  ChaosPolicy policy;
  policy.definition = definition;
  policy.step = step;
  policy.phase = compensation ? ChaosPhase::compensation : ChaosPhase::step;
  policy.attempt = attempt;
  switch (variant) {
    case FaultVariant::fail_once: policy.kind = ChaosKind::fail; break;
    case FaultVariant::fail_for_good:
      policy.kind = ChaosKind::fail;
      // A compensation is retried whatever it throws: it fails for good by failing every time.
      if (compensation) policy.attempt = 0;
      else policy.retryable = false;
      break;
    case FaultVariant::crash_before_commit:
      policy.kind = ChaosKind::crash;
      policy.crash_point = CrashPoint::before_commit;
      break;
    case FaultVariant::crash_after_commit:
      policy.kind = ChaosKind::crash;
      policy.crash_point = CrashPoint::after_commit;
      break;
    case FaultVariant::hang: policy.kind = ChaosKind::hang; break;
    case FaultVariant::drop_reply: policy.kind = ChaosKind::drop_reply; break;
    case FaultVariant::crash_process: policy.kind = ChaosKind::crash_process; break;
  }
  return policy;
}

std::string Fault::describe() const {
  const bool every_attempt = compensation && variant == FaultVariant::fail_for_good;
  return (compensation ? "compensation of " : "") + step +
         (every_attempt ? std::string(" (every attempt)") : " attempt " + std::to_string(attempt)) +
         ": " + std::string(to_string(variant));
}

std::string FailurePoint::describe() const {
  if (faults.empty()) return "no fault (the clean run)";
  std::string text;
  for (const auto& fault : faults) text += (text.empty() ? "" : ", then ") + fault.describe();
  return text;
}

}  // namespace actorflow::testing
