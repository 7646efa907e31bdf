#pragma once
// Chaos policies: faults the engine injects into its own step path, to show that workflows and
// their handlers keep their promises when things go wrong. A policy picks step attempts (by step
// path, handler, breaker service, workflow definition, step or compensation, attempt number) and
// a fault, with a probability. Each decision is a pure function of (seed, policy, workflow id,
// step path, step or compensation, attempt, kind), never of a shared random stream, so a seed
// replays a run whatever the thread timing. Chaos is off unless EngineOptions::chaos (or
// Engine::set_chaos) holds policies. Child-workflow nodes are not faulted (their own steps are).
//
// Each injected fault is recorded in the workflow's history as `chaos_injected` (when the attempt
// is dispatched, with what will happen) and counted by kind in Engine::metrics().
#include <actorflow/export.hpp>
#include <actorflow/clock.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ACTORFLOW_API actorflow {

enum class ChaosKind {
  fail,        // the call fails before the handler runs (no effect); retryable unless said otherwise
  delay,       // the handler runs at once; its reply reaches the workflow `delay` later (engine
               // clock). Past the step's timeout it is too late and ignored: the step is retried.
  hang,        // the handler is not called and nothing answers: the step times out
  crash,       // the workflow instance actor crashes when the attempt's result arrives, before or
               // after committing it (crash_point); its supervisor restarts it from the snapshot
  drop_reply,  // the handler runs (its effect happens), its reply is lost: the step times out
  // The handler runs (its effect happens), then the process dies before its result is committed,
  // as if the handler had crashed it: a node aborts (std::abort); an engine whose
  // EngineOptions::on_chaos_process_crash is set calls that instead (the failure-point explorer
  // drops the engine and recovers a new one on the same store). Whoever resumes the workflow
  // counts the attempt as a process death (EngineOptions::crash_attempts_max).
  crash_process,
};
inline constexpr std::array<ChaosKind, 6> kChaosKinds = {ChaosKind::fail,  ChaosKind::delay,      ChaosKind::hang,
                                                         ChaosKind::crash, ChaosKind::drop_reply, ChaosKind::crash_process};
// "fail", "delay", "hang", "crash", "drop_reply", "crash_process"
std::string_view to_string(ChaosKind kind);
std::optional<ChaosKind> parse_chaos_kind(std::string_view text);

enum class CrashPoint {
  before_commit,  // the result dies with the instance: the attempt is dispatched again (same key)
  after_commit,   // the result is durable; what the transition causes (the next dispatch, ...) dies
                  // with the instance and is redone from the snapshot
};
std::string_view to_string(CrashPoint point);  // "before_commit", "after_commit"
std::optional<CrashPoint> parse_crash_point(std::string_view text);

enum class ChaosPhase { any, step, compensation };
std::string_view to_string(ChaosPhase phase);  // "any", "step", "compensation"
std::optional<ChaosPhase> parse_chaos_phase(std::string_view text);

inline constexpr size_t kChaosPoliciesMax = 1'000;
inline constexpr Millis kChaosDelayMax{24LL * 3'600'000};

struct ChaosPolicy {
  ChaosKind kind = ChaosKind::fail;
  double probability = 1.0;  // per matching attempt, in [0, 1]

  // Which attempts it applies to. An empty field matches anything; every field given must match.
  std::string definition;    // workflow definition name
  std::string step;          // step path, e.g. "charge" or "fulfil/ship"
  std::string handler;       // the handler called (for a compensation: the compensation handler)
  std::string service;       // the circuit breaker guarding the step
  ChaosPhase phase = ChaosPhase::any;
  int attempt = 0;           // only this attempt (1 = the first); 0: every attempt

  // The fault's parameters; each only goes with its kind.
  Millis delay{0};           // delay: how much later the reply arrives, in (0, kChaosDelayMax]
  bool retryable = true;     // fail: whether the step may be retried after the failure
  CrashPoint crash_point = CrashPoint::before_commit;  // crash

  ChaosPolicy() = default;
  explicit ChaosPolicy(ChaosKind fault_kind) : kind(fault_kind) {}
  ChaosPolicy& with_probability(double p) { probability = p; return *this; }
  ChaosPolicy& in_definition(std::string name) { definition = std::move(name); return *this; }
  ChaosPolicy& at_step(std::string path) { step = std::move(path); return *this; }
  ChaosPolicy& at_handler(std::string name) { handler = std::move(name); return *this; }
  ChaosPolicy& at_service(std::string name) { service = std::move(name); return *this; }
  ChaosPolicy& in_phase(ChaosPhase p) { phase = p; return *this; }
  ChaosPolicy& at_attempt(int n) { attempt = n; return *this; }
  ChaosPolicy& delayed_by(Millis d) { delay = d; return *this; }
  ChaosPolicy& not_retryable() { retryable = false; return *this; }
  ChaosPolicy& crashing(CrashPoint point) { crash_point = point; return *this; }
};

struct ChaosConfig {
  uint64_t seed = 1;
  // Tried in order for each attempt: the first that matches and whose draw falls below its
  // probability injects its fault; at most kChaosPoliciesMax.
  std::vector<ChaosPolicy> policies;

  bool enabled() const { return !policies.empty(); }
};

// Every problem of the config, each naming the policy ("chaos policy 2 (delay): ..."); empty
// when the engine can use it.
std::vector<std::string> chaos_problems(const ChaosConfig& config);

// One attempt of a step or of its compensation: where a fault may be injected.
struct ChaosSite {
  std::string definition;
  std::string workflow_id;
  std::string step;     // path
  std::string handler;  // the handler this attempt calls
  std::string service;  // breaker, empty when none
  bool compensation = false;
  int attempt = 1;
};

struct ChaosFault {
  size_t policy_index = 0;  // 0-based, into ChaosConfig::policies
  ChaosPolicy policy;
  // e.g. "fail (not retryable), chaos policy 1", "crash before the result is committed, chaos policy 2"
  std::string describe() const;
};

// Whether the policy's targets match the site (the probability aside).
bool chaos_matches(const ChaosPolicy& policy, const ChaosSite& site);
// The fault the config injects at the site, if any. Pure: the same config and site always give
// the same answer.
std::optional<ChaosFault> decide_chaos(const ChaosConfig& config, const ChaosSite& site);

// Injected faults by kind, counted when they take effect (a fail when the call is refused, a
// crash when the instance goes down, ...).
struct ChaosCounts {
  std::array<uint64_t, kChaosKinds.size()> by_kind{};

  uint64_t of(ChaosKind kind) const { return by_kind[static_cast<size_t>(kind)]; }
  uint64_t total() const;
};

// Chaos configs in YAML (config/workflows/README.md, "Chaos policies"):
//   seed: 42
//   policies:
//     - kind: fail            # fail | delay | hang | crash | drop_reply | crash_process
//       probability: 0.1      # default 1
//       workflow: order_saga  # targets, all optional: workflow, step, handler, service, phase, attempt
//       step: charge_payment
//       phase: step           # step | compensation | any (default)
//       retryable: false      # fail only
//     - kind: delay
//       delay: 2s             # delay only, required
//     - kind: crash
//       at: after_commit      # crash only: before_commit (default) | after_commit
// Every problem is reported as "source:line:column: context: what (expected ...)".
struct ChaosLoadResult {
  std::optional<ChaosConfig> config;  // set exactly when `problems` is empty
  std::vector<std::string> problems;

  bool ok() const { return problems.empty(); }
};
ChaosLoadResult load_chaos_yaml(std::string_view text, const std::string& source_name);
ChaosLoadResult load_chaos_file(const std::string& path);

}  // namespace actorflow
