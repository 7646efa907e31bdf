// Chaos configs in YAML: what a file sets, and every problem with file:line:column.
#include <actorflow/chaos.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace actorflow;

namespace {

std::vector<std::string> problems_of(const std::string& text) { return load_chaos_yaml(text, "chaos.yaml").problems; }

}  // namespace

TEST(ChaosYaml, AFileSetsTheSeedAndEveryKindOfPolicy) {
  auto loaded = load_chaos_yaml(R"(
seed: 1234
policies:
  - kind: fail
    probability: 0.25
    workflow: order_saga
    step: charge_payment
    phase: step
    attempt: 2
    retryable: false
  - kind: delay
    delay: 1s500ms
    service: payments
  - kind: hang
    handler: shipping.create
  - kind: crash
    at: after_commit
    phase: compensation
  - kind: drop_reply
  - kind: crash_process
    step: charge
)", "chaos.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.problems.front();
  const ChaosConfig& config = *loaded.config;
  EXPECT_EQ(config.seed, 1234u);
  ASSERT_EQ(config.policies.size(), 6u);
  const ChaosPolicy& fail = config.policies[0];
  EXPECT_EQ(fail.kind, ChaosKind::fail);
  EXPECT_DOUBLE_EQ(fail.probability, 0.25);
  EXPECT_EQ(fail.definition, "order_saga");
  EXPECT_EQ(fail.step, "charge_payment");
  EXPECT_EQ(fail.phase, ChaosPhase::step);
  EXPECT_EQ(fail.attempt, 2);
  EXPECT_FALSE(fail.retryable);
  EXPECT_EQ(config.policies[1].delay, Millis(1'500));
  EXPECT_EQ(config.policies[1].service, "payments");
  EXPECT_DOUBLE_EQ(config.policies[1].probability, 1.0);
  EXPECT_EQ(config.policies[2].handler, "shipping.create");
  EXPECT_EQ(config.policies[3].crash_point, CrashPoint::after_commit);
  EXPECT_EQ(config.policies[3].phase, ChaosPhase::compensation);
  EXPECT_EQ(config.policies[4].kind, ChaosKind::drop_reply);
  EXPECT_EQ(config.policies[5].kind, ChaosKind::crash_process);
  EXPECT_EQ(config.policies[5].step, "charge");
  EXPECT_TRUE(chaos_problems(config).empty());
}

TEST(ChaosYaml, BadValuesAreReportedEachWithItsLineAndColumn) {
  auto problems = problems_of(R"(seed: -3
policies:
  - kind: explode
  - kind: fail
    probability: 1.5
    delay: 2s
    color: red
  - kind: delay
  - kind: crash
    at: sideways
    attempt: two
  - kind: delay
    delay: 9d
)");
  EXPECT_EQ(problems, (std::vector<std::string>{
                          "chaos.yaml:1:7: chaos: seed: expected an integer from 0 to 9223372036854775807, got '-3'",
                          "chaos.yaml:3:11: chaos policy 1: kind: expected one of fail, delay, hang, crash, drop_reply, "
                          "crash_process, got 'explode'",
                          "chaos.yaml:7:5: chaos policy 2: color: unknown key; expected one of kind, probability, "
                          "workflow, step, handler, service, phase, attempt, retryable, delay, at",
                          "chaos.yaml:5:18: chaos policy 2: probability: expected a number from 0 to 1, got '1.5'",
                          "chaos.yaml:6:12: chaos policy 2: delay: only goes with kind delay",
                          "chaos.yaml:8:5: chaos policy 3: delay: missing",
                          "chaos.yaml:11:14: chaos policy 4: attempt: expected an integer from 0 to 1000000, got 'two'",
                          "chaos.yaml:10:9: chaos policy 4: at: expected one of before_commit, after_commit, got "
                          "'sideways'",
                          "chaos.yaml:13:12: chaos policy 5: delay: expected a duration from 1ms to 24h (e.g. 500ms, "
                          "30s, 5m, 2h, 1h30m), got '9d'",
                      }));
}

TEST(ChaosYaml, AFileThatIsNotAConfigSaysWhy) {
  EXPECT_EQ(problems_of(""), (std::vector<std::string>{"chaos.yaml: holds no chaos config (expected keys seed, policies)"}));
  EXPECT_EQ(problems_of("seed: 1\n"), (std::vector<std::string>{"chaos.yaml:1:1: chaos: policies: missing"}));
  EXPECT_EQ(problems_of("policies: {kind: fail}\n"),
            (std::vector<std::string>{"chaos.yaml:1:11: chaos: policies: expected a list of policies, got a map"}));
  auto malformed = problems_of("policies: [\n");
  ASSERT_EQ(malformed.size(), 1u);
  EXPECT_EQ(malformed[0].rfind("chaos.yaml:", 0), 0u) << malformed[0];
  EXPECT_NE(malformed[0].find("malformed YAML"), std::string::npos) << malformed[0];
  EXPECT_TRUE(load_chaos_yaml("policies: []\n", "chaos.yaml").ok());  // no policies: chaos off
}

TEST(ChaosYaml, FilesAreNamedInTheirProblems) {
  actorflow::testing::TempDir dir;
  const std::string path = dir.file("chaos.yaml");
  std::ofstream(path) << "seed: 5\npolicies:\n  - kind: hang\n    retryable: true\n";
  EXPECT_EQ(load_chaos_file(path).problems,
            (std::vector<std::string>{path + ":4:16: chaos policy 1: retryable: only goes with kind fail"}));
  auto missing = load_chaos_file(dir.file("missing.yaml"));
  ASSERT_EQ(missing.problems.size(), 1u);
  EXPECT_EQ(missing.problems[0].rfind(dir.file("missing.yaml") + ": cannot read", 0), 0u) << missing.problems[0];
}

TEST(ChaosYaml, TheExampleConfigLoads) {
  // config/ of the source tree: this file is tests/unit/chaos_yaml_test.cpp.
  const auto path = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "config" / "chaos.yaml";
  auto loaded = load_chaos_file(path.string());
  ASSERT_TRUE(loaded.ok()) << loaded.problems.front();
  EXPECT_EQ(loaded.config->seed, 7u);
  EXPECT_EQ(loaded.config->policies.size(), 5u);
}
