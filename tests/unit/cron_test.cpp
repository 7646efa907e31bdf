#include <actorflow/cron.hpp>
#include <actorflow/schedule_policy.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace actorflow;
using testing::AllOf;
using testing::ElementsAre;
using testing::HasSubstr;

namespace {

constexpr int64_t kMinuteMs = 60'000;

// The parsed expression; fails the test (and returns "* * * * *") when `text` does not parse.
CronExpression cron(std::string_view text) {
  auto parsed = CronExpression::parse(text);
  if (auto* status = std::get_if<Status>(&parsed)) {
    ADD_FAILURE() << "'" << text << "' should parse: " << status->message();
    return std::get<CronExpression>(CronExpression::parse("* * * * *"));
  }
  return std::get<CronExpression>(std::move(parsed));
}

// The parse error for `text`, or "" when it parses.
std::string error_of(std::string_view text) {
  auto parsed = CronExpression::parse(text);
  if (auto* status = std::get_if<Status>(&parsed)) return status->message();
  return "";
}

// "YYYY-MM-DD hh:mm[:ss]" (UTC) as ms since the epoch. timegm is the oracle: it shares no code
// with cron.cpp and ignores the process time zone.
int64_t at(const std::string& utc) {
  std::tm tm{};
  int second = 0;
  const int read = std::sscanf(utc.c_str(), "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon,
                               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &second);
  EXPECT_GE(read, 5) << "bad time '" << utc << "'";
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

// `ms` as "YYYY-MM-DD hh:mm" (UTC), seconds too when they are not zero.
std::string utc_text(int64_t ms) {
  const time_t seconds = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min);
  std::string out = text;
  if (tm.tm_sec != 0 || ms % 1000 != 0) out += ":" + std::to_string(tm.tm_sec) + "+ms";
  return out;
}

std::string text_of(std::optional<int64_t> ms) {
  return ms ? utc_text(*ms) : "never";
}

// The first fire of `expression` strictly after the UTC time `after`, as text.
std::string next(std::string_view expression, const std::string& after) {
  return text_of(cron(expression).next_after(at(after)));
}

// The last fire of `expression` at or before the UTC time `at_time`, as text.
std::string last(std::string_view expression, const std::string& at_time) {
  return text_of(cron(expression).last_at_or_before(at(at_time)));
}

// The first `count` fires strictly after `after`.
std::vector<std::string> fires(std::string_view expression, const std::string& after, int count) {
  const CronExpression c = cron(expression);
  std::vector<std::string> out;
  std::optional<int64_t> t = at(after);
  for (int i = 0; i < count && t; ++i) {
    t = c.next_after(*t);
    out.push_back(text_of(t));
  }
  return out;
}

std::vector<std::string> texts(const std::vector<int64_t>& ms) {
  std::vector<std::string> out;
  for (int64_t t : ms) out.push_back(utc_text(t));
  return out;
}

}  // namespace

// ---- the test's own clock arithmetic ----

TEST(Cron, TestClockAgreesWithKnownEpochValues) {
  EXPECT_EQ(at("1970-01-01 00:00"), 0);
  EXPECT_EQ(at("2026-01-01 00:00"), 1'767'225'600'000);
  EXPECT_EQ(at("2000-02-29 00:00"), 951'782'400'000);
  EXPECT_EQ(at("2032-02-29 00:00"), 1'961'625'600'000);
  EXPECT_EQ(utc_text(1'767'225'600'000), "2026-01-01 00:00");
}

// ---- syntax ----

TEST(Cron, StarFiresEveryMinuteStrictlyAfter) {
  EXPECT_EQ(next("* * * * *", "2026-01-01 00:00"), "2026-01-01 00:01");
  EXPECT_EQ(next("* * * * *", "2026-01-01 00:00:30"), "2026-01-01 00:01");
  EXPECT_EQ(cron("* * * * *").next_after(1'767'225'600'000 - 1), 1'767'225'600'000);
  EXPECT_EQ(cron("* * * * *").next_after(1'767'225'600'000), 1'767'225'600'000 + kMinuteMs);
}

TEST(Cron, NumbersInEveryField) {
  EXPECT_EQ(next("30 14 15 6 *", "2026-01-01 00:00"), "2026-06-15 14:30");
  EXPECT_EQ(next("30 14 15 6 *", "2026-06-15 14:30"), "2027-06-15 14:30");
  EXPECT_EQ(next("30 14 15 6 *", "2026-06-15 14:29:59"), "2026-06-15 14:30");
}

TEST(Cron, Ranges) {
  EXPECT_THAT(fires("58-59 22-23 * * *", "2026-01-01 00:00", 5),
              ElementsAre("2026-01-01 22:58", "2026-01-01 22:59", "2026-01-01 23:58",
                          "2026-01-01 23:59", "2026-01-02 22:58"));
  EXPECT_THAT(fires("0 0 30-31 * *", "2026-01-01 00:00", 4),
              ElementsAre("2026-01-30 00:00", "2026-01-31 00:00", "2026-03-30 00:00",
                          "2026-03-31 00:00"));
}

TEST(Cron, Steps) {
  EXPECT_THAT(fires("*/15 * * * *", "2026-01-01 00:00", 4),
              ElementsAre("2026-01-01 00:15", "2026-01-01 00:30", "2026-01-01 00:45",
                          "2026-01-01 01:00"));
  EXPECT_THAT(fires("10-20/5 * * * *", "2026-01-01 00:00", 4),
              ElementsAre("2026-01-01 00:10", "2026-01-01 00:15", "2026-01-01 00:20",
                          "2026-01-01 01:10"));
  EXPECT_THAT(fires("0 9-17/4 * * *", "2026-01-01 00:00", 4),
              ElementsAre("2026-01-01 09:00", "2026-01-01 13:00", "2026-01-01 17:00",
                          "2026-01-02 09:00"));
  // Days of the month count from 1, months from 1.
  EXPECT_THAT(fires("0 0 */10 * *", "2026-01-01 00:00", 4),
              ElementsAre("2026-01-11 00:00", "2026-01-21 00:00", "2026-01-31 00:00",
                          "2026-02-01 00:00"));
  EXPECT_THAT(fires("0 0 1 */5 *", "2026-01-01 00:00", 3),
              ElementsAre("2026-06-01 00:00", "2026-11-01 00:00", "2027-01-01 00:00"));
  // A step larger than its range leaves only the start.
  EXPECT_THAT(fires("5-10/20 0 * * *", "2026-01-01 00:00", 2),
              ElementsAre("2026-01-01 00:05", "2026-01-02 00:05"));
}

TEST(Cron, Lists) {
  EXPECT_THAT(fires("5,50,10 0 * * *", "2026-01-01 00:00", 4),
              ElementsAre("2026-01-01 00:05", "2026-01-01 00:10", "2026-01-01 00:50",
                          "2026-01-02 00:05"));
  EXPECT_THAT(fires("0,30-31,*/20 0 * * *", "2026-01-01 00:00", 5),
              ElementsAre("2026-01-01 00:20", "2026-01-01 00:30", "2026-01-01 00:31",
                          "2026-01-01 00:40", "2026-01-02 00:00"));
}

TEST(Cron, MonthNamesInAnyCase) {
  EXPECT_THAT(fires("0 0 1 jan,Jul *", "2026-01-01 00:00", 3),
              ElementsAre("2026-07-01 00:00", "2027-01-01 00:00", "2027-07-01 00:00"));
  EXPECT_THAT(fires("0 0 1 MAR-may *", "2026-01-01 00:00", 4),
              ElementsAre("2026-03-01 00:00", "2026-04-01 00:00", "2026-05-01 00:00",
                          "2027-03-01 00:00"));
  EXPECT_THAT(fires("0 0 1 FEB-DEC/5 *", "2026-01-01 00:00", 3),
              ElementsAre("2026-02-01 00:00", "2026-07-01 00:00", "2026-12-01 00:00"));
  const char* names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                         "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  for (int month = 1; month <= 12; ++month) {
    const std::string by_name = std::string("0 0 1 ") + names[month - 1] + " *";
    const std::string by_number = "0 0 1 " + std::to_string(month) + " *";
    EXPECT_EQ(next(by_name, "2026-01-01 00:00"), next(by_number, "2026-01-01 00:00")) << by_name;
  }
}

// 2026-01-01 is a Thursday; 2026-01-04 a Sunday.
TEST(Cron, WeekdayNamesAndNumbers) {
  EXPECT_THAT(fires("0 9 * * MON-FRI", "2026-01-01 12:00", 4),
              ElementsAre("2026-01-02 09:00", "2026-01-05 09:00", "2026-01-06 09:00",
                          "2026-01-07 09:00"));
  EXPECT_THAT(fires("0 9 * * sat,Sun", "2026-01-01 00:00", 3),
              ElementsAre("2026-01-03 09:00", "2026-01-04 09:00", "2026-01-10 09:00"));
  const char* names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
  for (int day = 0; day <= 6; ++day) {
    const std::string by_name = std::string("0 0 * * ") + names[day];
    const std::string by_number = "0 0 * * " + std::to_string(day);
    EXPECT_EQ(next(by_name, "2026-01-01 00:00"), next(by_number, "2026-01-01 00:00")) << by_name;
  }
}

TEST(Cron, SundayIsZeroAndSeven) {
  EXPECT_EQ(next("0 0 * * 0", "2026-01-01 00:00"), "2026-01-04 00:00");
  EXPECT_EQ(next("0 0 * * 7", "2026-01-01 00:00"), "2026-01-04 00:00");
  EXPECT_THAT(fires("0 0 * * 5-7", "2026-01-01 00:00", 4),
              ElementsAre("2026-01-02 00:00", "2026-01-03 00:00", "2026-01-04 00:00",
                          "2026-01-09 00:00"));
  // A range may end in SUN's name: FRI-SUN is 5-7.
  EXPECT_THAT(fires("0 0 * * FRI-SUN", "2026-01-01 00:00", 4),
              ElementsAre("2026-01-02 00:00", "2026-01-03 00:00", "2026-01-04 00:00",
                          "2026-01-09 00:00"));
  EXPECT_THAT(fires("0 0 * * */7", "2026-01-01 00:00", 2),  // 0 and 7: Sundays only
              ElementsAre("2026-01-04 00:00", "2026-01-11 00:00"));
}

TEST(Cron, SpacesAndTabsSeparateFields) {
  EXPECT_EQ(next("  0\t12   *  * *  ", "2026-01-01 00:00"), "2026-01-01 12:00");
  EXPECT_EQ(cron("  0\t12   *  * *  ").text(), "  0\t12   *  * *  ");
}

TEST(Cron, TextIsTheOriginal) {
  EXPECT_EQ(cron("*/5 * * * MON-FRI").text(), "*/5 * * * MON-FRI");
  EXPECT_EQ(cron("@Daily").text(), "@Daily");
}

// ---- day-of-month and day-of-week ----

// 2026-02-13 and 2026-03-13 are Fridays.
TEST(Cron, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  EXPECT_THAT(fires("0 0 13 * FRI", "2026-01-01 00:00", 6),
              ElementsAre("2026-01-02 00:00", "2026-01-09 00:00", "2026-01-13 00:00",
                          "2026-01-16 00:00", "2026-01-23 00:00", "2026-01-30 00:00"));
  // The OR makes an impossible day-of-month possible.
  EXPECT_EQ(next("0 0 30 2 MON", "2026-01-01 00:00"), "2026-02-02 00:00");
}

TEST(Cron, OnlyTheRestrictedDayFieldCountsWhenTheOtherIsStar) {
  EXPECT_THAT(fires("0 0 13 * *", "2026-01-01 00:00", 2),
              ElementsAre("2026-01-13 00:00", "2026-02-13 00:00"));
  EXPECT_THAT(fires("0 0 * * FRI", "2026-01-01 00:00", 2),
              ElementsAre("2026-01-02 00:00", "2026-01-09 00:00"));
}

// As in Vixie cron: a field that starts with '*' is not restricted, so `*/10` and MON must both
// match. Days 1, 11, 21, 31 of 2026 first fall on a Monday on 2026-05-11.
TEST(Cron, StarStepDayFieldIsNotRestrictedSoBothMustMatch) {
  EXPECT_EQ(next("0 0 */10 * MON", "2026-01-01 00:00"), "2026-05-11 00:00");
  EXPECT_EQ(next("0 0 13 * */7", "2026-01-01 00:00"), "2026-09-13 00:00");  // a Sunday the 13th
  // The same days without the star are restricted: either matches.
  EXPECT_EQ(next("0 0 1,11,21,31 * MON", "2026-01-01 00:00"), "2026-01-05 00:00");
}

// ---- macros ----

TEST(Cron, MacrosMeanTheirExpansion) {
  const std::pair<const char*, const char*> macros[] = {
      {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
      {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
      {"@hourly", "0 * * * *"},
  };
  for (const auto& [macro, expansion] : macros)
    EXPECT_EQ(fires(macro, "2026-01-01 00:00", 5), fires(expansion, "2026-01-01 00:00", 5))
        << macro;
  EXPECT_EQ(next("@yearly", "2026-01-01 00:00"), "2027-01-01 00:00");
  EXPECT_EQ(next("@weekly", "2026-01-01 00:00"), "2026-01-04 00:00");
  EXPECT_EQ(next("@hourly", "2026-01-01 00:00"), "2026-01-01 01:00");
  EXPECT_EQ(next("@HOURLY", "2026-01-01 00:00"), "2026-01-01 01:00");
  EXPECT_EQ(next("  @monthly ", "2026-01-15 00:00"), "2026-02-01 00:00");
}

// ---- errors ----

TEST(Cron, ErrorsNameTheTextTheFieldAndTheProblem) {
  EXPECT_EQ(error_of("x 1 * * *"), "cron 'x 1 * * *': minute field 'x': 'x' is not a number");
  EXPECT_EQ(error_of("0 24 * * *"),
            "cron '0 24 * * *': hour field '24': hour 24 out of range 0-23");
  EXPECT_EQ(error_of("* * * *"),
            "cron '* * * *': expected 5 fields (minute hour day-of-month month day-of-week), "
            "got 4");
}

TEST(Cron, EveryKindOfError) {
  const std::pair<const char*, const char*> cases[] = {
      // field count
      {"", "expected 5 fields (minute hour day-of-month month day-of-week), got 0"},
      {"   ", "got 0"},
      {"* * * *", "got 4"},
      {"* * * * * *", "got 6"},
      // out of range, per field
      {"60 * * * *", "minute field '60': minute 60 out of range 0-59"},
      {"0 24 * * *", "hour field '24': hour 24 out of range 0-23"},
      {"0 0 0 * *", "day-of-month field '0': day-of-month 0 out of range 1-31"},
      {"0 0 32 * *", "day-of-month field '32': day-of-month 32 out of range 1-31"},
      {"0 0 1 0 *", "month field '0': month 0 out of range 1-12"},
      {"0 0 1 13 *", "month field '13': month 13 out of range 1-12"},
      {"0 0 * * 8", "day-of-week field '8': day-of-week 8 out of range 0-7"},
      {"1,2,99 * * * *", "minute field '1,2,99': minute 99 out of range 0-59"},
      {"0 20-25 * * *", "hour field '20-25': hour 25 out of range 0-23"},
      {"99999999999999999999 * * * *", "out of range 0-59"},
      // not numbers, unknown names
      {"x * * * *", "minute field 'x': 'x' is not a number"},
      {"MON * * * *", "minute field 'MON': 'MON' is not a number"},
      {"0 0 JAN * *", "day-of-month field 'JAN': 'JAN' is not a number"},
      {"0 0 1 FOO *", "month field 'FOO': 'FOO' is not a number or a month name (JAN-DEC)"},
      {"0 0 1 JANUARY *", "'JANUARY' is not a number or a month name (JAN-DEC)"},
      {"0 0 * * MONDAY",
       "day-of-week field 'MONDAY': 'MONDAY' is not a number or a day name (SUN-SAT)"},
      {"0 0 * * JAN", "'JAN' is not a number or a day name (SUN-SAT)"},
      {"0 0 1 JAN-FOO *", "'FOO' is not a number or a month name"},
      {"1x * * * *", "'1x' is not a number"},
      {"+1 * * * *", "'+1' is not a number"},
      {"? * * * *", "'?' is not a number"},
      {"** * * * *", "'**' is not a number"},
      {"1-2-3 * * * *", "'2-3' is not a number"},
      {"*-5 * * * *", "'*' is not a number"},
      // ranges
      {"5-3 * * * *", "minute field '5-3': range 5-3 goes backwards"},
      {"0 0 1 DEC-JAN *", "range DEC-JAN goes backwards"},
      {"1- * * * *", "minute field '1-': missing number"},
      {"-5 * * * *", "minute field '-5': missing number"},
      // steps
      {"*/0 * * * *", "minute field '*/0': step 0 out of range 1-59"},
      {"*/60 * * * *", "step 60 out of range 1-59"},
      {"*/x * * * *", "minute field '*/x': step 'x' is not a number"},
      {"*/ * * * *", "step '' is not a number"},
      {"*/1/2 * * * *", "step '1/2' is not a number"},
      {"/5 * * * *", "step '/5' needs a range before it"},
      {"5/15 * * * *",
       "minute field '5/15': '5/15': a step needs '*' or a range before it, e.g. '5-59/15'"},
      // lists
      {"1,,2 * * * *", "minute field '1,,2': empty list item"},
      {"1, * * * *", "empty list item"},
      {",1 * * * *", "empty list item"},
      // macros
      {"@reboot",
       "unknown macro '@reboot', expected one of @yearly, @annually, @monthly, @weekly, @daily, "
       "@midnight, @hourly"},
      {"@daily 1", "macro @daily takes no fields after it"},
      {"@", "unknown macro '@'"},
  };
  for (const auto& [text, problem] : cases) {
    const std::string error = error_of(text);
    EXPECT_THAT(error, AllOf(HasSubstr("cron '" + std::string(text) + "': "), HasSubstr(problem)))
        << "text '" << text << "'";
  }
}

TEST(Cron, ErrorsNameTheFirstBadField) {
  EXPECT_THAT(error_of("x 99 * * *"), HasSubstr("minute field 'x'"));
  EXPECT_THAT(error_of("0 99 * * x"), HasSubstr("hour field '99'"));
}

TEST(Cron, OverlongTextIsRefusedAndQuotedShort) {
  std::string text = "0";
  while (text.size() <= CronExpression::kTextBytesMax) text += ",0";
  text += " * * * *";
  const std::string error = error_of(text);
  EXPECT_THAT(error, HasSubstr("longer than 1024 bytes"));
  EXPECT_LT(error.size(), 200u);
  // Just under the limit is fine.
  std::string fits = "0";
  while (fits.size() + 2 + 8 <= CronExpression::kTextBytesMax) fits += ",0";
  fits += " * * * *";
  EXPECT_EQ(error_of(fits), "");
}

// ---- next_after across boundaries ----

TEST(Cron, NextAfterCrossesMinuteHourDayMonthAndYear) {
  EXPECT_EQ(next("* * * * *", "2026-01-01 10:15:59"), "2026-01-01 10:16");
  EXPECT_EQ(next("* * * * *", "2026-01-01 10:59"), "2026-01-01 11:00");
  EXPECT_EQ(next("* * * * *", "2026-01-01 23:59"), "2026-01-02 00:00");
  EXPECT_EQ(next("* * * * *", "2026-01-31 23:59"), "2026-02-01 00:00");
  EXPECT_EQ(next("* * * * *", "2026-02-28 23:59"), "2026-03-01 00:00");
  EXPECT_EQ(next("* * * * *", "2028-02-28 23:59"), "2028-02-29 00:00");
  EXPECT_EQ(next("* * * * *", "2026-12-31 23:59"), "2027-01-01 00:00");
  EXPECT_EQ(next("45 * * * *", "2026-01-01 10:45"), "2026-01-01 11:45");
  EXPECT_EQ(next("0 3 * * *", "2026-01-01 03:00"), "2026-01-02 03:00");
  EXPECT_EQ(next("0 3 * * *", "2026-01-31 04:00"), "2026-02-01 03:00");
  EXPECT_EQ(next("0 0 1 * *", "2026-12-01 00:00"), "2027-01-01 00:00");
  EXPECT_EQ(next("59 23 31 12 *", "2026-12-31 23:59"), "2027-12-31 23:59");
  EXPECT_EQ(next("59 23 31 12 *", "2026-12-31 23:58:59"), "2026-12-31 23:59");
}

TEST(Cron, NextAfterSkipsMonthsTooShort) {
  EXPECT_THAT(fires("0 0 31 * *", "2026-01-01 00:00", 7),
              ElementsAre("2026-01-31 00:00", "2026-03-31 00:00", "2026-05-31 00:00",
                          "2026-07-31 00:00", "2026-08-31 00:00", "2026-10-31 00:00",
                          "2026-12-31 00:00"));
}

TEST(Cron, LeapDays) {
  EXPECT_THAT(fires("0 0 29 2 *", "2026-01-01 00:00", 3),
              ElementsAre("2028-02-29 00:00", "2032-02-29 00:00", "2036-02-29 00:00"));
  EXPECT_EQ(next("0 0 29 2 *", "1999-01-01 00:00"), "2000-02-29 00:00");  // 2000: by 400
  EXPECT_EQ(next("0 0 29 2 *", "2096-03-01 00:00"), "2104-02-29 00:00");  // 2100: not by 100
  EXPECT_EQ(next("0 0 29 2 *", "2028-02-29 00:00"), "2032-02-29 00:00");
}

// A Feb 29 that is a Sunday (both must match, the day-of-week starts with '*'): 2088 -> 2128
// is a 40-year gap, longer than the 28-year cycle of the Julian calendar.
TEST(Cron, RareExpressionsAreFoundDecadesAhead) {
  EXPECT_THAT(fires("0 0 29 2 */7", "2026-01-01 00:00", 4),
              ElementsAre("2032-02-29 00:00", "2060-02-29 00:00", "2088-02-29 00:00",
                          "2128-02-29 00:00"));
}

TEST(Cron, ImpossibleExpressionsNeverFire) {
  for (const char* text : {"0 0 30 2 *", "0 0 31 2 *", "0 0 31 4 *", "0 0 31 2,4,6,9,11 *",
                           "* * 30-31 FEB *"}) {
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(cron(text).next_after(at("2026-01-01 00:00")), std::nullopt) << text;
    EXPECT_EQ(cron(text).last_at_or_before(at("2026-01-01 00:00")), std::nullopt) << text;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1)) << text;
  }
}

TEST(Cron, BeforeTheEpoch) {
  EXPECT_EQ(cron("0 0 * * *").next_after(-1), 0);
  EXPECT_EQ(next("* * * * *", "1969-12-31 23:59:30"), "1970-01-01 00:00");
  EXPECT_EQ(next("0 12 * * *", "1969-07-20 20:17"), "1969-07-21 12:00");
  EXPECT_EQ(last("0 0 1 1 *", "1970-01-01 00:00:00"), "1970-01-01 00:00");
  EXPECT_EQ(last("0 0 1 1 *", "1969-12-31 23:59"), "1969-01-01 00:00");
}

TEST(Cron, ExtremeTimesGiveNothingInsteadOfOverflowing) {
  const auto every_minute = cron("* * * * *");
  EXPECT_EQ(every_minute.next_after(std::numeric_limits<int64_t>::max()), std::nullopt);
  EXPECT_EQ(every_minute.last_at_or_before(std::numeric_limits<int64_t>::min()), std::nullopt);
  const auto near_max = every_minute.last_at_or_before(std::numeric_limits<int64_t>::max());
  ASSERT_TRUE(near_max.has_value());
  EXPECT_EQ(*near_max % kMinuteMs, 0);
  EXPECT_GT(*near_max, std::numeric_limits<int64_t>::max() - kMinuteMs);
}

// ---- last_at_or_before ----

TEST(Cron, LastAtOrBefore) {
  EXPECT_EQ(last("*/15 * * * *", "2026-01-01 10:30"), "2026-01-01 10:30");  // at: included
  EXPECT_EQ(last("*/15 * * * *", "2026-01-01 10:29:59"), "2026-01-01 10:15");
  EXPECT_EQ(last("0 9 * * MON-FRI", "2026-01-05 08:00"), "2026-01-02 09:00");  // Mon -> Fri
  EXPECT_EQ(last("0 0 31 * *", "2026-03-30 00:00"), "2026-01-31 00:00");
  EXPECT_EQ(last("0 0 29 2 *", "2032-02-28 00:00"), "2028-02-29 00:00");
  EXPECT_EQ(last("0 0 29 2 *", "2104-01-01 00:00"), "2096-02-29 00:00");
  EXPECT_EQ(last("59 23 31 12 *", "2027-01-01 00:00"), "2026-12-31 23:59");
  EXPECT_EQ(last("0 0 13 * FRI", "2026-01-15 00:00"), "2026-01-13 00:00");
}

// Against the test's own matcher (timegm/gmtime_r calendar): walking fire to fire over two
// months finds exactly the minutes the matcher accepts, and last_at_or_before walks back the same.
TEST(Cron, FiresAgreeWithAMinuteByMinuteScan) {
  struct Case {
    const char* text;
    std::function<bool(const std::tm&)> matches;
  };
  const Case cases[] = {
      {"*/7 * * * *", [](const std::tm& t) { return t.tm_min % 7 == 0; }},
      {"*/15 9-17 * * MON-FRI",
       [](const std::tm& t) {
         return t.tm_min % 15 == 0 && t.tm_hour >= 9 && t.tm_hour <= 17 && t.tm_wday >= 1 &&
                t.tm_wday <= 5;
       }},
      {"5 4 * * SUN",
       [](const std::tm& t) { return t.tm_min == 5 && t.tm_hour == 4 && t.tm_wday == 0; }},
      {"0 0 13 * 5",
       [](const std::tm& t) {
         return t.tm_min == 0 && t.tm_hour == 0 && (t.tm_mday == 13 || t.tm_wday == 5);
       }},
      {"30 12 1,15,28-31 * *",
       [](const std::tm& t) {
         return t.tm_min == 30 && t.tm_hour == 12 &&
                (t.tm_mday == 1 || t.tm_mday == 15 || t.tm_mday >= 28);
       }},
      {"0 */6 * FEB,MAR *",
       [](const std::tm& t) {
         return t.tm_min == 0 && t.tm_hour % 6 == 0 && (t.tm_mon == 1 || t.tm_mon == 2);
       }},
      {"0 0 */2 * */3",  // both start with '*': both must match
       [](const std::tm& t) {
         return t.tm_min == 0 && t.tm_hour == 0 && t.tm_mday % 2 == 1 && t.tm_wday % 3 == 0;
       }},
  };
  for (const auto& [start, end] : {std::pair{"2028-01-15 00:00", "2028-03-15 00:00"},
                                   std::pair{"2026-12-01 00:00", "2027-01-31 00:00"}}) {
    const int64_t start_ms = at(start);
    const int64_t end_ms = at(end);
    std::vector<std::pair<int64_t, std::tm>> minutes;
    for (int64_t t = start_ms + kMinuteMs; t <= end_ms; t += kMinuteMs) {
      const time_t seconds = t / 1000;
      std::tm tm{};
      gmtime_r(&seconds, &tm);
      minutes.emplace_back(t, tm);
    }
    for (const auto& c : cases) {
      const CronExpression expression = cron(c.text);
      std::vector<int64_t> scanned;
      for (const auto& [t, tm] : minutes)
        if (c.matches(tm)) scanned.push_back(t);
      std::vector<int64_t> walked;
      for (auto t = expression.next_after(start_ms); t && *t <= end_ms;
           t = expression.next_after(*t))
        walked.push_back(*t);
      EXPECT_EQ(texts(walked), texts(scanned)) << c.text << " from " << start;
      std::vector<int64_t> walked_back;
      for (auto t = expression.last_at_or_before(end_ms); t && *t > start_ms;
           t = expression.last_at_or_before(*t - 1))
        walked_back.insert(walked_back.begin(), *t);
      EXPECT_EQ(texts(walked_back), texts(scanned)) << c.text << " back from " << end;
    }
  }
}

// From random times, next_after and last_at_or_before are each other's inverse.
TEST(Cron, NextAndLastAreConsistentFromRandomTimes) {
  std::mt19937_64 rng(2026);
  std::uniform_int_distribution<int64_t> any_ms(at("1900-01-01 00:00"), at("2300-01-01 00:00"));
  for (const char* text : {"* * * * *", "*/5 9-17 * * MON-FRI", "0 0 29 2 *", "0 0 13 * FRI",
                           "15 3 1 JAN,JUL *", "0 0 29 2 */7", "@weekly"}) {
    const CronExpression expression = cron(text);
    for (int i = 0; i < 200; ++i) {
      const int64_t t = any_ms(rng);
      const auto after = expression.next_after(t);
      const auto before = expression.last_at_or_before(t);
      ASSERT_TRUE(after && before) << text << " at " << utc_text(t);
      EXPECT_GT(*after, t);
      EXPECT_LE(*before, t);
      EXPECT_EQ(*after % kMinuteMs, 0);
      EXPECT_EQ(*before % kMinuteMs, 0);
      EXPECT_EQ(expression.next_after(*before), after) << text << " at " << utc_text(t);
      EXPECT_EQ(expression.last_at_or_before(*after - 1), before) << text << " at " << utc_text(t);
    }
  }
}

// ---- catch-up ----

TEST(CatchUp, SkipRunsNothing) {
  EXPECT_TRUE(missed_fires(cron("0 * * * *"), at("2026-01-01 00:00"), at("2026-01-01 05:30"),
                           CatchUpPolicy::skip, 100)
                  .empty());
}

TEST(CatchUp, OnceRunsOnlyTheLatestMissed) {
  EXPECT_THAT(texts(missed_fires(cron("0 * * * *"), at("2026-01-01 00:00"),
                                 at("2026-01-01 05:30"), CatchUpPolicy::once, 100)),
              ElementsAre("2026-01-01 05:00"));
}

TEST(CatchUp, AllRunsEveryMissedOldestFirst) {
  EXPECT_THAT(texts(missed_fires(cron("0 * * * *"), at("2026-01-01 00:00"),
                                 at("2026-01-01 05:30"), CatchUpPolicy::all, 100)),
              ElementsAre("2026-01-01 01:00", "2026-01-01 02:00", "2026-01-01 03:00",
                          "2026-01-01 04:00", "2026-01-01 05:00"));
}

TEST(CatchUp, AllKeepsTheLatestMaxFires) {
  EXPECT_THAT(texts(missed_fires(cron("0 * * * *"), at("2026-01-01 00:00"),
                                 at("2026-01-01 05:30"), CatchUpPolicy::all, 3)),
              ElementsAre("2026-01-01 03:00", "2026-01-01 04:00", "2026-01-01 05:00"));
  EXPECT_TRUE(missed_fires(cron("0 * * * *"), at("2026-01-01 00:00"), at("2026-01-01 05:30"),
                           CatchUpPolicy::all, 0)
                  .empty());
  EXPECT_TRUE(missed_fires(cron("0 * * * *"), at("2026-01-01 00:00"), at("2026-01-01 05:30"),
                           CatchUpPolicy::once, 0)
                  .empty());
}

TEST(CatchUp, WindowExcludesTheLastFireAndIncludesNow) {
  EXPECT_THAT(texts(missed_fires(cron("0 * * * *"), at("2026-01-01 00:00"),
                                 at("2026-01-01 02:00"), CatchUpPolicy::all, 100)),
              ElementsAre("2026-01-01 01:00", "2026-01-01 02:00"));
  EXPECT_THAT(texts(missed_fires(cron("0 * * * *"), at("2026-01-01 00:00"),
                                 at("2026-01-01 01:59:59"), CatchUpPolicy::all, 100)),
              ElementsAre("2026-01-01 01:00"));
}

TEST(CatchUp, NothingMissedMeansNothingToRun) {
  const auto hourly = cron("0 * * * *");
  for (auto policy : {CatchUpPolicy::skip, CatchUpPolicy::once, CatchUpPolicy::all}) {
    EXPECT_TRUE(missed_fires(hourly, at("2026-01-01 00:00"), at("2026-01-01 00:59"), policy, 10)
                    .empty());
    EXPECT_TRUE(missed_fires(hourly, at("2026-01-01 05:00"), at("2026-01-01 05:00"), policy, 10)
                    .empty());
    EXPECT_TRUE(missed_fires(hourly, at("2026-01-01 05:00"), at("2026-01-01 01:00"), policy, 10)
                    .empty());  // the clock went back
    EXPECT_TRUE(missed_fires(cron("0 0 30 2 *"), at("2020-01-01 00:00"), at("2026-01-01 00:00"),
                             policy, 10)
                    .empty());
  }
}

// Ten years down with an every-minute schedule: the cost follows the fires returned.
TEST(CatchUp, LongOutagesAreCheap) {
  const auto every_minute = cron("* * * * *");
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THAT(texts(missed_fires(every_minute, at("2016-01-01 00:00"), at("2026-01-01 00:00:30"),
                                 CatchUpPolicy::all, 3)),
              ElementsAre("2025-12-31 23:58", "2025-12-31 23:59", "2026-01-01 00:00"));
  EXPECT_THAT(texts(missed_fires(every_minute, at("2016-01-01 00:00"), at("2026-01-01 00:00:30"),
                                 CatchUpPolicy::once, 3)),
              ElementsAre("2026-01-01 00:00"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

// ---- policy names ----

TEST(SchedulePolicy, OverlapNamesRoundTrip) {
  for (auto p : {OverlapPolicy::skip, OverlapPolicy::allow, OverlapPolicy::buffer_one}) {
    const auto parsed = parse_overlap_policy(to_string(p));
    ASSERT_TRUE(std::holds_alternative<OverlapPolicy>(parsed)) << to_string(p);
    EXPECT_EQ(std::get<OverlapPolicy>(parsed), p);
  }
  EXPECT_EQ(to_string(OverlapPolicy::buffer_one), "buffer-one");
  EXPECT_EQ(std::get<OverlapPolicy>(parse_overlap_policy("buffer_one")), OverlapPolicy::buffer_one);
}

TEST(SchedulePolicy, CatchUpNamesRoundTrip) {
  for (auto p : {CatchUpPolicy::skip, CatchUpPolicy::once, CatchUpPolicy::all}) {
    const auto parsed = parse_catch_up_policy(to_string(p));
    ASSERT_TRUE(std::holds_alternative<CatchUpPolicy>(parsed)) << to_string(p);
    EXPECT_EQ(std::get<CatchUpPolicy>(parsed), p);
  }
  EXPECT_EQ(to_string(CatchUpPolicy::once), "once");
}

TEST(SchedulePolicy, UnknownNamesListTheValidOnes) {
  const auto overlap = parse_overlap_policy("queue");
  ASSERT_TRUE(std::holds_alternative<Status>(overlap));
  EXPECT_EQ(std::get<Status>(overlap).message(),
            "overlap policy 'queue': unknown, expected one of skip, allow, buffer-one");
  const auto catch_up = parse_catch_up_policy("");
  ASSERT_TRUE(std::holds_alternative<Status>(catch_up));
  EXPECT_EQ(std::get<Status>(catch_up).message(),
            "catch-up policy '': unknown, expected one of skip, once, all");
  EXPECT_TRUE(std::holds_alternative<Status>(parse_catch_up_policy("ALL")));  // names are exact
}

// ---- overlap ----

TEST(Overlap, DecisionForEveryCase) {
  struct Case {
    OverlapPolicy policy;
    bool running;
    bool buffered;
    OverlapDecision expected;
  };
  using D = OverlapDecision;
  using P = OverlapPolicy;
  const Case cases[] = {
      {P::allow, false, false, D::start},      {P::allow, true, false, D::start},
      {P::allow, true, true, D::start},        {P::skip, false, false, D::start},
      {P::skip, true, false, D::skip},         {P::skip, true, true, D::skip},
      {P::buffer_one, false, false, D::start}, {P::buffer_one, true, false, D::buffer},
      {P::buffer_one, true, true, D::skip},    {P::buffer_one, false, true, D::start},
  };
  for (const auto& c : cases)
    EXPECT_EQ(to_string(decide_overlap(c.policy, c.running, c.buffered)), to_string(c.expected))
        << to_string(c.policy) << " running=" << c.running << " buffered=" << c.buffered;
}
