#pragma once
// A cron expression: when a schedule fires. Five fields, times in UTC, fires on whole minutes.
#include <actorflow/export.hpp>
#include <actorflow/status.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ACTORFLOW_API actorflow {

class CronExpression {
 public:
  // No text is longer than this; a longer one is refused by parse().
  static constexpr size_t kTextBytesMax = 1024;
  // next_after() and last_at_or_before() search this many years, one full Gregorian cycle (the
  // calendar repeats every 400 years), so finding nothing means the expression never fires.
  static constexpr int kSearchYearsMax = 400;

  // Parses "minute hour day-of-month month day-of-week", fields separated by spaces or tabs.
  // Each field is a list `a,b,c` of `*`, `n`, `a-b`, `*/step` or `a-b/step`. Months take JAN-DEC,
  // days of the week SUN-SAT (any case); day-of-week is 0-7, 0 and 7 both Sunday, and a range may
  // end in SUN (`FRI-SUN`). `n/step` is refused as ambiguous: write `n-max/step`.
  // Also takes @yearly (= @annually), @monthly, @weekly, @daily (= @midnight) and @hourly.
  // As in Vixie cron: when day-of-month and day-of-week are both restricted, a day matches if
  // either does; a field that starts with `*` (`*` or `*/n`) is not restricted.
  // The error names the text, the field and what is wrong with it, e.g.
  // "cron '0 24 * * *': hour field '24': hour 24 out of range 0-23".
  static std::variant<CronExpression, Status> parse(std::string_view text);

  // The first fire time strictly after `after_ms` (ms since the Unix epoch, UTC); a multiple of
  // 60'000. Nothing when the expression never fires (`0 0 30 2 *`), i.e. nothing matches within
  // kSearchYearsMax years, or when the answer would not fit in an int64_t.
  // Skips whole months, days and hours that cannot match: at most ~150'000 cheap steps.
  std::optional<int64_t> next_after(int64_t after_ms) const;

  // The last fire time at or before `at_ms`; nothing when none lies within kSearchYearsMax years.
  std::optional<int64_t> last_at_or_before(int64_t at_ms) const;

  // The text given to parse(), unchanged.
  const std::string& text() const { return text_; }

 private:
  CronExpression() = default;
  bool day_matches(int day_of_month, int weekday) const;

  std::string text_;
  // Bit i set = value i matches.
  uint64_t minutes_ = 0;        // bits 0-59
  uint64_t hours_ = 0;          // bits 0-23
  uint64_t days_of_month_ = 0;  // bits 1-31
  uint64_t months_ = 0;         // bits 1-12
  uint64_t days_of_week_ = 0;   // bits 0-6, 0 = Sunday
  bool day_of_month_star_ = false;  // field starts with '*'
  bool day_of_week_star_ = false;   // field starts with '*'
};

}  // namespace actorflow
