// Chaos policies: names, checks, matching and the seeded decision (actorflow/chaos.hpp).
#include <actorflow/chaos.hpp>

#include "core/enum_names.hpp"

#include <cmath>
#include <utility>

namespace actorflow {
namespace {

constexpr EnumNames<ChaosKind, kChaosKinds.size()> kKindNames{{
    {ChaosKind::fail, "fail"},
    {ChaosKind::delay, "delay"},
    {ChaosKind::hang, "hang"},
    {ChaosKind::crash, "crash"},
    {ChaosKind::drop_reply, "drop_reply"},
    {ChaosKind::crash_process, "crash_process"},
}};
constexpr EnumNames<CrashPoint, 2> kCrashPointNames{{
    {CrashPoint::before_commit, "before_commit"},
    {CrashPoint::after_commit, "after_commit"},
}};
constexpr EnumNames<ChaosPhase, 3> kPhaseNames{{
    {ChaosPhase::any, "any"},
    {ChaosPhase::step, "step"},
    {ChaosPhase::compensation, "compensation"},
}};

// FNV-1a over the decision's inputs, each followed by a separator so that ("ab", "c") and
// ("a", "bc") differ; then splitmix64's finalizer to spread the bits.
class DecisionHash {
 public:
  explicit DecisionHash(uint64_t seed) { add(seed); }
  void add(uint64_t value) {
    for (int i = 0; i < 8; ++i) byte(static_cast<uint8_t>(value >> (8 * i)));
    byte(0xff);
  }
  void add(std::string_view text) {
    for (char c : text) byte(static_cast<uint8_t>(c));
    byte(0xff);
  }
  // Uniform in [0, 1).
  double unit() const {
    uint64_t z = hash_ + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53;
  }

 private:
  void byte(uint8_t b) {
    hash_ ^= b;
    hash_ *= 0x100000001b3ULL;
  }
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

double draw(uint64_t seed, size_t policy_index, const ChaosSite& site, ChaosKind kind) {
  DecisionHash hash(seed);
  hash.add(static_cast<uint64_t>(policy_index));
  hash.add(site.workflow_id);
  hash.add(site.step);
  hash.add(static_cast<uint64_t>(site.compensation));
  hash.add(static_cast<uint64_t>(site.attempt));
  hash.add(to_string(kind));
  return hash.unit();
}

bool field_matches(const std::string& wanted, const std::string& actual) { return wanted.empty() || wanted == actual; }

void policy_problems(const ChaosPolicy& policy, size_t index, std::vector<std::string>& problems) {
  const std::string who = "chaos policy " + std::to_string(index + 1) + " (" + std::string(to_string(policy.kind)) + ")";
  auto problem = [&](const std::string& what) { problems.push_back(who + ": " + what); };
  if (!(policy.probability >= 0.0 && policy.probability <= 1.0))  // NaN fails both
    problem("probability must be in [0, 1], got " + std::to_string(policy.probability));
  if (policy.attempt < 0) problem("attempt must be 0 (every attempt) or more, got " + std::to_string(policy.attempt));
  if (policy.kind == ChaosKind::delay) {
    if (policy.delay.count() <= 0 || policy.delay > kChaosDelayMax)
      problem("delay must be in (0, " + std::to_string(kChaosDelayMax.count()) + "] ms, got " +
              std::to_string(policy.delay.count()) + " ms");
  } else if (policy.delay.count() != 0) {
    problem("delay only goes with kind delay");
  }
  if (policy.kind != ChaosKind::fail && !policy.retryable) problem("retryable only goes with kind fail");
  if (policy.kind != ChaosKind::crash && policy.crash_point != CrashPoint::before_commit)
    problem("a crash point only goes with kind crash");
}

}  // namespace

std::string_view to_string(ChaosKind kind) { return name_of(kKindNames, kind); }
std::optional<ChaosKind> parse_chaos_kind(std::string_view text) { return value_named(kKindNames, text); }
std::string_view to_string(CrashPoint point) { return name_of(kCrashPointNames, point); }
std::optional<CrashPoint> parse_crash_point(std::string_view text) { return value_named(kCrashPointNames, text); }
std::string_view to_string(ChaosPhase phase) { return name_of(kPhaseNames, phase); }
std::optional<ChaosPhase> parse_chaos_phase(std::string_view text) { return value_named(kPhaseNames, text); }

std::vector<std::string> chaos_problems(const ChaosConfig& config) {
  std::vector<std::string> problems;
  if (config.policies.size() > kChaosPoliciesMax)
    problems.push_back("chaos: " + std::to_string(config.policies.size()) + " policies, more than " +
                       std::to_string(kChaosPoliciesMax));
  for (size_t i = 0; i < config.policies.size() && i < kChaosPoliciesMax; ++i)
    policy_problems(config.policies[i], i, problems);
  return problems;
}

std::string ChaosFault::describe() const {
  std::string what;
  switch (policy.kind) {
    case ChaosKind::fail: what = policy.retryable ? "fail" : "fail (not retryable)"; break;
    case ChaosKind::delay: what = "delay the reply by " + std::to_string(policy.delay.count()) + " ms"; break;
    case ChaosKind::hang: what = "hang (no call, no reply)"; break;
    case ChaosKind::crash:
      what = policy.crash_point == CrashPoint::before_commit ? "crash before the result is committed"
                                                              : "crash after the result is committed";
      break;
    case ChaosKind::drop_reply: what = "drop the reply"; break;
    case ChaosKind::crash_process: what = "crash the process after the handler ran"; break;
  }
  return what + ", chaos policy " + std::to_string(policy_index + 1);
}

bool chaos_matches(const ChaosPolicy& policy, const ChaosSite& site) {
  if (policy.phase == ChaosPhase::step && site.compensation) return false;
  if (policy.phase == ChaosPhase::compensation && !site.compensation) return false;
  if (policy.attempt != 0 && policy.attempt != site.attempt) return false;
  return field_matches(policy.definition, site.definition) && field_matches(policy.step, site.step) &&
         field_matches(policy.handler, site.handler) && field_matches(policy.service, site.service);
}

std::optional<ChaosFault> decide_chaos(const ChaosConfig& config, const ChaosSite& site) {
  for (size_t i = 0; i < config.policies.size(); ++i) {
    const ChaosPolicy& policy = config.policies[i];
    if (!chaos_matches(policy, site)) continue;
    if (policy.probability >= 1.0 || draw(config.seed, i, site, policy.kind) < policy.probability)
      return ChaosFault{i, policy};
  }
  return std::nullopt;
}

uint64_t ChaosCounts::total() const {
  uint64_t sum = 0;
  for (uint64_t n : by_kind) sum += n;
  return sum;
}

}  // namespace actorflow
