// Chaos policies as values: what they match, the seeded decision, and what makes one unusable.
#include <actorflow/chaos.hpp>

#include <gtest/gtest.h>

#include <set>

using namespace actorflow;

namespace {

ChaosSite site(std::string workflow_id = "wf-1", std::string step = "charge", int attempt = 1,
               bool compensation = false) {
  return ChaosSite{"order_saga", std::move(workflow_id), std::move(step), compensation ? "payment.refund" : "payment.charge",
                   "payments", compensation, attempt};
}

ChaosConfig config_of(std::vector<ChaosPolicy> policies, uint64_t seed = 7) { return ChaosConfig{seed, std::move(policies)}; }

// Which of `count` workflows get a fault at their step "charge", attempt 1.
std::set<int> faulted(const ChaosConfig& config, int count) {
  std::set<int> hit;
  for (int i = 0; i < count; ++i)
    if (decide_chaos(config, site("wf-" + std::to_string(i)))) hit.insert(i);
  return hit;
}

}  // namespace

TEST(ChaosPolicy, EmptyTargetsMatchEveryAttemptAndEachGivenTargetMustMatch) {
  EXPECT_TRUE(chaos_matches(ChaosPolicy(ChaosKind::fail), site()));
  EXPECT_TRUE(chaos_matches(ChaosPolicy(ChaosKind::fail).at_step("charge"), site()));
  EXPECT_FALSE(chaos_matches(ChaosPolicy(ChaosKind::fail).at_step("ship"), site()));
  EXPECT_TRUE(chaos_matches(ChaosPolicy(ChaosKind::fail).at_handler("payment.charge"), site()));
  EXPECT_FALSE(chaos_matches(ChaosPolicy(ChaosKind::fail).at_handler("payment.charge"), site("wf-1", "charge", 1, true)));
  EXPECT_TRUE(chaos_matches(ChaosPolicy(ChaosKind::fail).at_service("payments"), site()));
  EXPECT_FALSE(chaos_matches(ChaosPolicy(ChaosKind::fail).at_service("inventory"), site()));
  EXPECT_FALSE(chaos_matches(ChaosPolicy(ChaosKind::fail).in_definition("other"), site()));
  EXPECT_FALSE(chaos_matches(ChaosPolicy(ChaosKind::fail).at_step("charge").at_service("inventory"), site()));
}

TEST(ChaosPolicy, PhaseAndAttemptNarrowIt) {
  const auto step_only = ChaosPolicy(ChaosKind::fail).in_phase(ChaosPhase::step);
  const auto compensation_only = ChaosPolicy(ChaosKind::fail).in_phase(ChaosPhase::compensation);
  EXPECT_TRUE(chaos_matches(step_only, site()));
  EXPECT_FALSE(chaos_matches(step_only, site("wf-1", "charge", 1, true)));
  EXPECT_FALSE(chaos_matches(compensation_only, site()));
  EXPECT_TRUE(chaos_matches(compensation_only, site("wf-1", "charge", 1, true)));
  EXPECT_TRUE(chaos_matches(ChaosPolicy(ChaosKind::fail).at_attempt(2), site("wf-1", "charge", 2)));
  EXPECT_FALSE(chaos_matches(ChaosPolicy(ChaosKind::fail).at_attempt(2), site("wf-1", "charge", 1)));
}

TEST(ChaosPolicy, TheFirstPolicyThatMatchesAndDrawsDecides) {
  auto config = config_of({ChaosPolicy(ChaosKind::hang).at_step("ship"),
                           ChaosPolicy(ChaosKind::delay).delayed_by(Millis(5)).with_probability(0.0),
                           ChaosPolicy(ChaosKind::crash).crashing(CrashPoint::after_commit),
                           ChaosPolicy(ChaosKind::fail)});
  auto fault = decide_chaos(config, site());
  ASSERT_TRUE(fault);
  EXPECT_EQ(fault->policy_index, 2u);
  EXPECT_EQ(fault->policy.kind, ChaosKind::crash);
  EXPECT_EQ(fault->describe(), "crash after the result is committed, chaos policy 3");
  EXPECT_FALSE(decide_chaos(ChaosConfig{}, site()));
}

TEST(ChaosPolicy, DecisionsFollowTheProbabilityAndDependOnlyOnTheSeedAndTheSite) {
  const auto config = config_of({ChaosPolicy(ChaosKind::fail).with_probability(0.3)}, 42);
  const auto first = faulted(config, 10'000);
  EXPECT_NEAR(static_cast<double>(first.size()) / 10'000, 0.3, 0.02);
  EXPECT_EQ(faulted(config, 10'000), first);  // replayed: the same workflows, whatever the order
  const auto other_seed = faulted(config_of(config.policies, 43), 10'000);
  EXPECT_NE(other_seed, first);
  EXPECT_NEAR(static_cast<double>(other_seed.size()) / 10'000, 0.3, 0.02);
  // Each attempt draws on its own: the second attempt of a faulted first attempt is not bound to fail.
  int second_attempts_faulted = 0;
  for (int i : first)
    if (decide_chaos(config, site("wf-" + std::to_string(i), "charge", 2))) ++second_attempts_faulted;
  EXPECT_NEAR(static_cast<double>(second_attempts_faulted) / static_cast<double>(first.size()), 0.3, 0.04);
  EXPECT_TRUE(faulted(config_of({ChaosPolicy(ChaosKind::fail).with_probability(0.0)}), 1'000).empty());
  EXPECT_EQ(faulted(config_of({ChaosPolicy(ChaosKind::fail)}), 1'000).size(), 1'000u);
}

TEST(ChaosPolicy, ProblemsNameThePolicyAndWhatIsWrong) {
  EXPECT_TRUE(chaos_problems(config_of({ChaosPolicy(ChaosKind::delay).delayed_by(Millis(10))})).empty());
  auto problems = chaos_problems(config_of({
      ChaosPolicy(ChaosKind::fail).with_probability(1.5),
      ChaosPolicy(ChaosKind::delay),
      ChaosPolicy(ChaosKind::crash).not_retryable().at_attempt(-1),
      ChaosPolicy(ChaosKind::hang).delayed_by(Millis(3)).crashing(CrashPoint::after_commit),
  }));
  EXPECT_EQ(problems, (std::vector<std::string>{
                          "chaos policy 1 (fail): probability must be in [0, 1], got 1.500000",
                          "chaos policy 2 (delay): delay must be in (0, 86400000] ms, got 0 ms",
                          "chaos policy 3 (crash): attempt must be 0 (every attempt) or more, got -1",
                          "chaos policy 3 (crash): retryable only goes with kind fail",
                          "chaos policy 4 (hang): delay only goes with kind delay",
                          "chaos policy 4 (hang): a crash point only goes with kind crash",
                      }));
  ChaosConfig too_many;
  too_many.policies.resize(kChaosPoliciesMax + 1);
  EXPECT_EQ(chaos_problems(too_many), (std::vector<std::string>{"chaos: 1001 policies, more than 1000"}));
}

TEST(ChaosPolicy, NamesReadBack) {
  for (ChaosKind kind : kChaosKinds) EXPECT_EQ(parse_chaos_kind(to_string(kind)), kind);
  EXPECT_EQ(parse_crash_point("after_commit"), CrashPoint::after_commit);
  EXPECT_EQ(parse_chaos_phase("compensation"), ChaosPhase::compensation);
  EXPECT_FALSE(parse_chaos_kind("explode"));
}
