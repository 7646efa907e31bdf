#include <actorflow/schedule_policy.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace actorflow {
namespace {

constexpr std::array<std::pair<OverlapPolicy, std::string_view>, 3> kOverlapNames{{
    {OverlapPolicy::skip, "skip"},
    {OverlapPolicy::allow, "allow"},
    {OverlapPolicy::buffer_one, "buffer-one"},
}};

constexpr std::array<std::pair<CatchUpPolicy, std::string_view>, 3> kCatchUpNames{{
    {CatchUpPolicy::skip, "skip"},
    {CatchUpPolicy::once, "once"},
    {CatchUpPolicy::all, "all"},
}};

template <typename Policy, size_t N>
std::variant<Policy, Status> parse_named(
    std::string_view what, const std::array<std::pair<Policy, std::string_view>, N>& names,
    std::string_view text) {
  std::string dashed(text);
  std::replace(dashed.begin(), dashed.end(), '_', '-');
  for (const auto& [value, name] : names)
    if (dashed == name) return value;
  std::string message =
      std::string(what) + " '" + std::string(text) + "': unknown, expected one of ";
  for (size_t i = 0; i < N; ++i) {
    if (i > 0) message += ", ";
    message += names[i].second;
  }
  return Status::error(std::move(message));
}

}  // namespace

std::string_view to_string(OverlapPolicy policy) {
  for (const auto& [value, name] : kOverlapNames)
    if (value == policy) return name;
  return "unknown";
}

std::string_view to_string(CatchUpPolicy policy) {
  for (const auto& [value, name] : kCatchUpNames)
    if (value == policy) return name;
  return "unknown";
}

std::variant<OverlapPolicy, Status> parse_overlap_policy(std::string_view text) {
  return parse_named("overlap policy", kOverlapNames, text);
}

std::variant<CatchUpPolicy, Status> parse_catch_up_policy(std::string_view text) {
  return parse_named("catch-up policy", kCatchUpNames, text);
}

std::vector<int64_t> missed_fires(const CronExpression& cron, int64_t last_fire_ms, int64_t now_ms,
                                  CatchUpPolicy policy, size_t max_fires) {
  std::vector<int64_t> fires;
  if (now_ms <= last_fire_ms || policy == CatchUpPolicy::skip) return fires;
  const size_t wanted = policy == CatchUpPolicy::once ? std::min<size_t>(max_fires, 1) : max_fires;
  // Walk back from now: the latest fires are the ones kept.
  int64_t at_ms = now_ms;
  while (fires.size() < wanted) {
    const auto fire_ms = cron.last_at_or_before(at_ms);
    if (!fire_ms || *fire_ms <= last_fire_ms) break;
    fires.push_back(*fire_ms);
    at_ms = *fire_ms - 1;
  }
  std::reverse(fires.begin(), fires.end());
  return fires;
}

OverlapDecision decide_overlap(OverlapPolicy policy, bool previous_still_running,
                               bool already_buffered) {
  if (!previous_still_running) return OverlapDecision::start;
  switch (policy) {
    case OverlapPolicy::allow:
      return OverlapDecision::start;
    case OverlapPolicy::skip:
      return OverlapDecision::skip;
    case OverlapPolicy::buffer_one:
      return already_buffered ? OverlapDecision::skip : OverlapDecision::buffer;
  }
  return OverlapDecision::skip;
}

std::string_view to_string(OverlapDecision decision) {
  switch (decision) {
    case OverlapDecision::start:
      return "start";
    case OverlapDecision::skip:
      return "skip";
    case OverlapDecision::buffer:
      return "buffer";
  }
  return "unknown";
}

}  // namespace actorflow
