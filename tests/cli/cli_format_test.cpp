// The CLI's plain-text pieces: durations, tables, fields, times.
#include "duration.hpp"
#include "progress.hpp"
#include "text_format.hpp"

#include <gtest/gtest.h>

using namespace actorflow::cli;
using namespace std::chrono_literals;

TEST(DurationTest, ParsesUnitsCombinationsAndBareSeconds) {
  EXPECT_EQ(parse_duration("500ms"), 500ms);
  EXPECT_EQ(parse_duration("30s"), 30s);
  EXPECT_EQ(parse_duration("5m"), 5min);
  EXPECT_EQ(parse_duration("1h30m"), 90min);
  EXPECT_EQ(parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(parse_duration("2"), 2s);
  EXPECT_EQ(parse_duration("0"), 0ms);
}

TEST(DurationTest, RefusesWhatIsNotADuration) {
  for (const char* bad : {"", "s", "5x", "-5s", "5 s", "5s3", "1.2.3s", "ms", "31d", "800h"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(DurationTest, FormatsForPeople) {
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(5s), "5s");
  EXPECT_EQ(format_duration(12345ms), "12.3s");
  EXPECT_EQ(format_duration(125s), "2m05s");
  EXPECT_EQ(format_duration(62min), "1h02m");
}

TEST(TextFormatTest, TableAlignsColumnsWithoutTrailingSpaces) {
  EXPECT_EQ(render_table({"ID", "STATUS"}, {{"wf-long-id", "running"}, {"a", "completed"}}),
            "ID          STATUS\n"
            "wf-long-id  running\n"
            "a           completed\n");
  EXPECT_EQ(render_table({"A", "B", "C"}, {{"x"}}), "A  B  C\nx\n");
  EXPECT_EQ(render_table({}, {{"dead letters", "2"}}), "dead letters  2\n");
}

TEST(TextFormatTest, FieldsAlignValuesAndTheirContinuationLines) {
  EXPECT_EQ(render_fields({{"status", "running"}, {"data", "{\n  \"a\": 1\n}"}}),
            "status  running\n"
            "data    {\n"
            "          \"a\": 1\n"
            "        }\n");
}

TEST(TextFormatTest, UtcTimes) {
  EXPECT_EQ(format_utc(0), "-");
  EXPECT_EQ(format_utc(1'714'564'803'123), "2024-05-01 12:00:03Z");
}

TEST(ProgressTest, TerminalStatusesAreTheFourEnds) {
  for (const char* ended : {"completed", "failed", "compensated", "dead-lettered"}) EXPECT_TRUE(is_terminal_status(ended));
  for (const char* going : {"running", "compensating", ""}) EXPECT_FALSE(is_terminal_status(going));
}
