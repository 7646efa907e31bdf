// Chaos configs in YAML (actorflow/chaos.hpp): every problem with file:line:column.
#include <actorflow/chaos.hpp>
#include <actorflow/bounded_parse.hpp>

#include "yaml/map_fields.hpp"
#include "yaml/source.hpp"

#include <cstdint>
#include <limits>

namespace actorflow {
namespace {

constexpr std::string_view kKindsExpected = "fail, delay, hang, crash, drop_reply, crash_process";
constexpr int64_t kAttemptMax = 1'000'000;

// Reads the value of `key` as one of a fixed set of words; reports anything else.
template <class Parse>
auto read_word(const yaml::MapFields& fields, std::string_view key, Parse parse, std::string_view expected)
    -> decltype(parse(std::string_view{})) {
  auto text = fields.text(key);
  if (!text) return std::nullopt;
  auto value = parse(*text);
  if (!value) fields.report(key, "unknown value '" + *text + "' (expected one of: " + std::string(expected) + ")");
  return value;
}

// A key that only goes with one kind of fault.
void refuse_unless(const yaml::MapFields& fields, std::string_view key, bool fits, std::string_view kind) {
  if (fields.has(key) && !fits) fields.report(key, "only goes with kind " + std::string(kind));
}

std::optional<ChaosPolicy> read_policy(const yaml::Source& source, const YAML::Node& item, const YAML::Mark& at,
                                       size_t index) {
  const size_t problems_before = source.problems.count();
  yaml::MapFields fields(source, item, at, "chaos policy " + std::to_string(index + 1),
                         {"kind", "probability", "workflow", "step", "handler", "service", "phase", "attempt",
                          "retryable", "delay", "at"});
  if (!fields.is_map()) return std::nullopt;
  fields.require("kind");
  ChaosPolicy policy;
  const auto kind = read_word(fields, "kind", parse_chaos_kind, kKindsExpected);
  if (kind) policy.kind = *kind;
  if (auto p = fields.number("probability")) {
    if (*p < 0.0 || *p > 1.0) fields.report("probability", "must be in [0, 1], got " + std::to_string(*p));
    policy.probability = *p;
  }
  if (auto v = fields.text("workflow")) policy.definition = *v;
  if (auto v = fields.text("step")) policy.step = *v;
  if (auto v = fields.text("handler")) policy.handler = *v;
  if (auto v = fields.text("service")) policy.service = *v;
  if (auto v = read_word(fields, "phase", parse_chaos_phase, "step, compensation, any")) policy.phase = *v;
  if (auto v = fields.integer("attempt", 0, kAttemptMax)) policy.attempt = static_cast<int>(*v);
  if (kind) {
    refuse_unless(fields, "retryable", *kind == ChaosKind::fail, "fail");
    refuse_unless(fields, "delay", *kind == ChaosKind::delay, "delay");
    refuse_unless(fields, "at", *kind == ChaosKind::crash, "crash");
    if (*kind == ChaosKind::delay) fields.require("delay");
  }
  if (kind == ChaosKind::fail)
    if (auto v = fields.boolean("retryable")) policy.retryable = *v;
  if (kind == ChaosKind::delay) {
    if (auto v = fields.duration("delay")) {
      if (*v > kChaosDelayMax) fields.report("delay", "at most " + std::to_string(kChaosDelayMax.count() / 3'600'000) + "h");
      policy.delay = *v;
    }
  }
  if (kind == ChaosKind::crash)
    if (auto v = read_word(fields, "at", parse_crash_point, "before_commit, after_commit")) policy.crash_point = *v;
  if (source.problems.count() != problems_before) return std::nullopt;
  return policy;
}

ChaosLoadResult parse_config(std::string_view text, const std::string& source_name, yaml::Problems& problems) {
  const YamlLoadOptions no_catalog;
  yaml::Source source{source_name, no_catalog, problems};
  ChaosConfig config;
  YAML::Node document;
  if (Status bounded = yaml_text_limits(text, source_name); !bounded) {
    problems.add(bounded.message());
    return ChaosLoadResult{std::nullopt, problems.take()};
  }
  try {
    document = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    source.report(e.mark, "", "malformed YAML: " + e.msg);
  }
  if (problems.count() == 0 && (!document.IsDefined() || document.IsNull()))
    problems.add(source_name + ": holds no chaos config (expected keys seed, policies)");
  if (problems.count() == 0) {
    yaml::MapFields top(source, document, YAML::Mark(), "chaos", {"seed", "policies"});
    if (auto seed = top.integer("seed", 0, std::numeric_limits<int64_t>::max())) config.seed = static_cast<uint64_t>(*seed);
    if (top.require("policies")) {
      const YAML::Node list = top.value("policies");
      if (!list.IsSequence()) {
        top.report("policies", "expected a list of policies, got " + yaml::describe(list));
      } else if (list.size() > kChaosPoliciesMax) {
        top.report("policies", std::to_string(list.size()) + " policies, more than " + std::to_string(kChaosPoliciesMax));
      } else {
        for (size_t i = 0; i < list.size(); ++i)
          if (auto policy = read_policy(source, list[i], top.mark_of("policies"), i)) config.policies.push_back(*policy);
      }
    }
  }
  ChaosLoadResult result;
  if (problems.count() == 0)
    for (const auto& problem : chaos_problems(config)) problems.add(source_name + ": " + problem);
  result.problems = problems.take();
  if (result.problems.empty()) result.config = std::move(config);
  return result;
}

}  // namespace

ChaosLoadResult load_chaos_yaml(std::string_view text, const std::string& source_name) {
  yaml::Problems problems;
  if (text.size() > kYamlBytesMax) {
    problems.add(source_name + ": longer than " + std::to_string(kYamlBytesMax) + " bytes (" +
                 std::to_string(text.size()) + ")");
    return ChaosLoadResult{std::nullopt, problems.take()};
  }
  return parse_config(text, source_name, problems);
}

ChaosLoadResult load_chaos_file(const std::string& path) {
  yaml::Problems problems;
  auto text = yaml::read_yaml_file(path, problems);
  if (!text) return ChaosLoadResult{std::nullopt, problems.take()};
  return parse_config(*text, path, problems);
}

}  // namespace actorflow
