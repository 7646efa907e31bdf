// Chaos configs in YAML (actorflow/chaos.hpp): every problem with file:line:column.
#include <actorflow/chaos.hpp>

#include "config/document.hpp"
#include "config/map_fields.hpp"

#include <cstdint>
#include <limits>

namespace actorflow {
namespace {

constexpr std::string_view kNoun = "chaos config";
constexpr std::string_view kKinds[]{"fail", "delay", "hang", "crash", "drop_reply", "crash_process"};
constexpr std::string_view kPhases[]{"step", "compensation", "any"};
constexpr std::string_view kCrashPoints[]{"before_commit", "after_commit"};
constexpr int64_t kAttemptMax = 1'000'000;

// A key that only goes with one kind of fault.
void refuse_unless(const config::MapFields& fields, std::string_view key, bool fits, std::string_view kind) {
  if (fields.has(key) && !fits) fields.report(key, "only goes with kind " + std::string(kind));
}

std::optional<ChaosPolicy> read_policy(const config::Source& source, const YAML::Node& item, const YAML::Mark& at,
                                       size_t index) {
  const size_t problems_before = source.problems.count();
  config::MapFields fields(source, item, at, "chaos policy " + std::to_string(index + 1),
                           {"kind", "probability", "workflow", "step", "handler", "service", "phase", "attempt",
                            "retryable", "delay", "at"});
  if (!fields.is_map()) return std::nullopt;
  fields.require("kind");
  ChaosPolicy policy;
  const auto kind = fields.choice("kind", kKinds, parse_chaos_kind);
  if (kind) policy.kind = *kind;
  if (auto p = fields.number("probability", 0.0, 1.0)) policy.probability = *p;
  if (auto v = fields.text("workflow")) policy.definition = *v;
  if (auto v = fields.text("step")) policy.step = *v;
  if (auto v = fields.text("handler")) policy.handler = *v;
  if (auto v = fields.text("service")) policy.service = *v;
  if (auto v = fields.choice("phase", kPhases, parse_chaos_phase)) policy.phase = *v;
  if (auto v = fields.integer("attempt", 0, kAttemptMax)) policy.attempt = static_cast<int>(*v);
  if (kind) {
    refuse_unless(fields, "retryable", *kind == ChaosKind::fail, "fail");
    refuse_unless(fields, "delay", *kind == ChaosKind::delay, "delay");
    refuse_unless(fields, "at", *kind == ChaosKind::crash, "crash");
    if (*kind == ChaosKind::delay) fields.require("delay");
  }
  if (kind == ChaosKind::fail)
    if (auto v = fields.boolean("retryable")) policy.retryable = *v;
  if (kind == ChaosKind::delay)
    if (auto v = fields.duration("delay", Millis(1), kChaosDelayMax)) policy.delay = *v;
  if (kind == ChaosKind::crash)
    if (auto v = fields.choice("at", kCrashPoints, parse_crash_point)) policy.crash_point = *v;
  if (source.problems.count() != problems_before) return std::nullopt;
  return policy;
}

ChaosConfig read_config(const config::Source& source, const YAML::Node& document) {
  ChaosConfig config;
  config::MapFields top(source, document, YAML::Mark(), "chaos", {"seed", "policies"});
  if (auto seed = top.integer("seed", 0, std::numeric_limits<int64_t>::max())) config.seed = static_cast<uint64_t>(*seed);
  if (!top.require("policies")) return config;
  const YAML::Node list = top.value("policies");
  if (!list.IsSequence()) {
    top.report("policies", "expected a list of policies, got " + config::describe(list));
  } else if (list.size() > kChaosPoliciesMax) {
    top.report("policies", std::to_string(list.size()) + " policies, more than " + std::to_string(kChaosPoliciesMax));
  } else {
    for (size_t i = 0; i < list.size(); ++i)
      if (auto policy = read_policy(source, list[i], top.mark_of("policies"), i)) config.policies.push_back(*policy);
  }
  return config;
}

ChaosLoadResult parse_config(std::string_view text, const std::string& source_name, config::Problems& problems) {
  const config::Source source{source_name, problems};
  const auto document = config::parse_yaml_document(text, source, kNoun);
  if (document && document->IsNull())
    problems.add(source_name + ": holds no chaos config (expected keys seed, policies)");
  ChaosConfig config;
  if (problems.count() == 0) config = read_config(source, *document);
  if (problems.count() == 0)
    for (const auto& problem : chaos_problems(config)) problems.add(source_name + ": " + problem);
  ChaosLoadResult result;
  result.problems = problems.take();
  if (result.problems.empty()) result.config = std::move(config);
  return result;
}

}  // namespace

ChaosLoadResult load_chaos_yaml(std::string_view text, const std::string& source_name) {
  config::Problems problems;
  return parse_config(text, source_name, problems);
}

ChaosLoadResult load_chaos_file(const std::string& path) {
  config::Problems problems;
  auto text = config::read_yaml_file(path, kNoun, problems);
  if (!text) return ChaosLoadResult{std::nullopt, problems.take()};
  return parse_config(*text, path, problems);
}

}  // namespace actorflow
