#pragma once
// What a cron schedule does when a fire comes while the previous run still runs (overlap), and
// which fires it makes up for after the engine was down (catch-up). Pure decisions: the engine
// acts on them.
#include <actorflow/export.hpp>
#include <actorflow/cron.hpp>
#include <actorflow/status.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

namespace ACTORFLOW_API actorflow {

enum class OverlapPolicy {
  skip,        // a fire while the previous run still runs is dropped
  allow,       // every fire starts a run, however many already run
  buffer_one,  // one fire waits for the previous run to end; more are dropped
};

enum class CatchUpPolicy {
  skip,  // fires missed while down are dropped
  once,  // only the latest missed fire runs
  all,   // every missed fire runs, oldest first, at most max_fires of them
};

// Names: "skip", "allow", "buffer-one" and "skip", "once", "all". Parsing takes '_' for '-' too;
// the error lists the valid names.
std::string_view to_string(OverlapPolicy policy);
std::string_view to_string(CatchUpPolicy policy);
std::variant<OverlapPolicy, Status> parse_overlap_policy(std::string_view text);
std::variant<CatchUpPolicy, Status> parse_catch_up_policy(std::string_view text);

// The fire times in (last_fire_ms, now_ms] to run now after being down, oldest first:
// skip -> none; once -> the latest one; all -> every one, but never more than `max_fires`: when
// more were missed the latest `max_fires` are kept (the oldest are the most stale) and the rest
// dropped. A fire exactly at `now_ms` is included, so the caller schedules the next regular fire
// with cron.next_after(now_ms). Cost grows with the fires returned, not with the fires missed.
std::vector<int64_t> missed_fires(const CronExpression& cron, int64_t last_fire_ms, int64_t now_ms,
                                  CatchUpPolicy policy, size_t max_fires);

enum class OverlapDecision {
  start,   // start a run for this fire now
  skip,    // drop this fire
  buffer,  // keep this fire; start it when the previous run ends
};

// What to do with a fire: with nothing running, start; otherwise allow -> start, skip -> skip,
// buffer_one -> buffer when no fire is buffered yet, else skip.
OverlapDecision decide_overlap(OverlapPolicy policy, bool previous_still_running,
                               bool already_buffered);

std::string_view to_string(OverlapDecision decision);

}  // namespace actorflow
