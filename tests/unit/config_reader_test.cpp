// The one reader of YAML configs (libactors/src/config/): node config, definitions and chaos
// files read their texts and maps with it, so its messages are theirs.
#include "config/document.hpp"
#include "config/map_fields.hpp"
#include "config/suggestion.hpp"
#include "temp_dir.hpp"

#include <actorflow/duration.hpp>
#include <actorflow/limits.hpp>

#include <gtest/gtest.h>

#include <fstream>

using namespace actorflow;
using namespace actorflow::config;
using namespace std::chrono_literals;

namespace {

// One text read by a test: its problems, and the map fields of its document.
class Reading {
 public:
  explicit Reading(const std::string& yaml, Naming naming = Naming::path, std::vector<std::string_view> keys = {"a", "b"},
                   std::string name = "s")
      : document_(YAML::Load(yaml)),
        fields_(source_, Value::unkeyed(std::move(name), document_, YAML::Mark()),
                MapShape{std::move(keys), "settings", naming}) {}

  MapFields& fields() { return fields_; }
  std::vector<std::string> problems() { return problems_.take(); }

 private:
  Problems problems_;
  Source source_{"t.yaml", problems_};
  YAML::Node document_;
  MapFields fields_;
};

std::vector<std::string> one(const std::string& problem) { return {problem}; }

}  // namespace

// ---- keys ----------------------------------------------------------------------------------------

TEST(ConfigReader, AnUnknownKeyNamesTheKeysAllowedAndTheOneProbablyMeant) {
  Reading path("shard: 4\n", Naming::path, {"enabled", "shards", "listen"}, "cluster");
  EXPECT_EQ(path.problems(), one("t.yaml:1:1: cluster.shard: unknown key; expected one of enabled, shards, listen in "
                                 "cluster (did you mean 'shards'?)"));
  Reading label("retires: 3\n", Naming::label, {"handler", "retry"}, "step 'charge'");
  EXPECT_EQ(label.problems(), one("t.yaml:1:1: step 'charge': retires: unknown key; expected one of handler, retry"));
  Reading top("stor: memory\n", Naming::path, {"node", "store"}, "");
  EXPECT_EQ(top.problems(), one("t.yaml:1:1: stor: unknown key; expected one of node, store (did you mean 'store'?)"));
}

TEST(ConfigReader, ARepeatedKeyAndAKeyThatIsNoWordAreRefused) {
  Reading repeated("a: 1\nb: 2\na: 3\n");
  EXPECT_EQ(repeated.problems(), one("t.yaml:3:1: s.a: repeated key (first at line 1); expected each key once"));
  EXPECT_EQ(repeated.fields().integer("a", 0, 9), 1);  // the first one counts
  Reading list_key("[a]: 1\n");
  EXPECT_EQ(list_key.problems(), one("t.yaml:1:1: s: expected a key name, got a list"));
}

TEST(ConfigReader, AValueThatIsNoMapSaysWhatTheMapHolds) {
  Reading scalar("just text\n");
  EXPECT_FALSE(scalar.fields().is_map());
  EXPECT_EQ(scalar.problems(), one("t.yaml:1:1: s: expected a map of settings (a, b), got 'just text'"));
  Problems problems;
  const Source source{"t.yaml", problems};
  MapFields empty(source, Value::unkeyed("log", YAML::Node(), YAML::Mark()), MapShape{{"level"}, "log settings",
                                                                                      Naming::path, true});
  EXPECT_TRUE(empty.is_map());
  EXPECT_TRUE(problems.take().empty());
}

TEST(ConfigReader, AMissingKeyIsReportedWhereItsMapIs) {
  Reading reading("a: 1\n");
  EXPECT_FALSE(reading.fields().require("b", "a name"));
  EXPECT_TRUE(reading.fields().require("a"));
  EXPECT_EQ(reading.problems(), one("t.yaml:1:1: s.b: missing; expected a name"));
}

// ---- values --------------------------------------------------------------------------------------

TEST(ConfigReader, IntegersOutsideTheRangeOrOfAnotherTypeNameTheRange) {
  Reading reading("a: 4097\nb: [1]\n");
  EXPECT_EQ(reading.fields().integer("a", 1, 4096), std::nullopt);
  EXPECT_EQ(reading.fields().integer("b", 1, 4096), std::nullopt);
  EXPECT_TRUE(reading.fields().failed("a"));
  EXPECT_EQ(reading.problems(), (std::vector<std::string>{
                                    "t.yaml:1:4: s.a: expected an integer from 1 to 4096, got '4097'",
                                    "t.yaml:2:4: s.b: expected an integer from 1 to 4096, got a list",
                                }));
  Reading fine("a: -3\n");
  EXPECT_EQ(fine.fields().integer("a", -5, 5), -3);
  EXPECT_EQ(fine.fields().integer("b", -5, 5), std::nullopt);  // absent: not a problem
  EXPECT_FALSE(fine.fields().failed("b"));
  EXPECT_TRUE(fine.problems().empty());
}

TEST(ConfigReader, BadDurationsNameTheRangeAndTheForm) {
  Reading reading("a: 3 mins\nb: 10ms\n");
  EXPECT_EQ(reading.fields().duration("a", 1s, 5min), std::nullopt);
  EXPECT_EQ(reading.fields().duration("b", 1s, 5min), std::nullopt);
  EXPECT_EQ(reading.problems(),
            (std::vector<std::string>{
                "t.yaml:1:4: s.a: expected a duration from 1s to 5m (e.g. 500ms, 30s, 5m, 2h, 1h30m), got '3 mins'",
                "t.yaml:2:4: s.b: expected a duration from 1s to 5m (e.g. 500ms, 30s, 5m, 2h, 1h30m), got '10ms'",
            }));
  Reading never("a: never\nb: 1h30m\n");
  const auto forever = never.fields().duration_or_never("a", 1ms, 24h);
  ASSERT_TRUE(forever);
  EXPECT_EQ(*forever, std::nullopt);
  EXPECT_EQ(never.fields().duration_or_never("b", 1ms, 24h), std::optional<std::optional<Millis>>(90min));
  EXPECT_EQ(never.fields().duration("b"), 90min);  // by default: 1ms to kDurationMsMax
}

TEST(ConfigReader, NumbersBooleansAndTexts) {
  Reading reading("a: 1\nb: lots\n");
  EXPECT_EQ(reading.fields().number("a", 0.0, 1.0, true), std::nullopt);
  EXPECT_EQ(reading.fields().boolean("b"), std::nullopt);
  EXPECT_EQ(reading.problems(), (std::vector<std::string>{
                                    "t.yaml:1:4: s.a: expected a number from 0 up to (not including) 1, got '1'",
                                    "t.yaml:2:4: s.b: expected true or false, got 'lots'",
                                }));
  Reading empty("a: ''\nb:\n");
  EXPECT_EQ(empty.fields().text("a", "a directory path"), std::nullopt);
  EXPECT_EQ(empty.fields().text("b"), std::nullopt);
  EXPECT_EQ(empty.problems(), (std::vector<std::string>{
                                  "t.yaml:1:4: s.a: expected a directory path, got ''",
                                  "t.yaml:2:1: s.b: expected a non-empty string, got nothing",  // at its key
                              }));
  Reading good("a: 0.25\nb: True\n");
  EXPECT_EQ(good.fields().number("a"), 0.25);
  EXPECT_EQ(good.fields().boolean("b"), true);
}

TEST(ConfigReader, WordsSuggestTheOneProbablyMeant) {
  constexpr std::string_view levels[]{"debug", "info", "warn"};
  Reading reading("a: warning\nb: INFO\n");
  EXPECT_EQ(reading.fields().word("a", levels), std::nullopt);
  EXPECT_EQ(reading.fields().word("b", levels), std::nullopt);
  EXPECT_EQ(reading.problems(), (std::vector<std::string>{
                                    "t.yaml:1:4: s.a: expected one of debug, info, warn, got 'warning' (did you "
                                    "mean 'warn'?)",
                                    "t.yaml:2:4: s.b: expected one of debug, info, warn, got 'INFO' (did you mean "
                                    "'info'?)",
                                }));
  // A choice may take spellings beyond its words.
  Reading other("a: dead_letter\n");
  const auto parse = [](std::string_view text) -> std::optional<int> {
    return text == "dead-letter" || text == "dead_letter" ? std::optional<int>(1) : std::nullopt;
  };
  constexpr std::string_view strategies[]{"dead-letter"};
  EXPECT_EQ(other.fields().choice("a", strategies, parse), 1);
}

TEST(ConfigReader, SuggestionsForTyposReorderedWordsAndParts) {
  constexpr std::string_view keys[]{"retries_max", "step_timeout", "shards"};
  EXPECT_EQ(closest("shrads", keys), "shards");
  EXPECT_EQ(closest("max_retries", keys), "retries_max");
  EXPECT_EQ(closest("timeout", keys), "step_timeout");
  EXPECT_EQ(closest("colour", keys), std::nullopt);
  EXPECT_EQ(did_you_mean("colour", keys), "");
}

// ---- texts and files -----------------------------------------------------------------------------

TEST(ConfigReader, TextsTooLargeTooDeepOrMalformedAreRefused) {
  Problems problems;
  const Source source{"t.yaml", problems};
  EXPECT_FALSE(parse_yaml_documents(std::string(limits::kYamlBytesMax + 1, '#'), source, "node config"));
  EXPECT_FALSE(parse_yaml_documents("a: [1\nb: 2\n", source, "node config"));
  EXPECT_FALSE(parse_yaml_documents(std::string(1000, '[') + std::string(1000, ']'), source, "node config"));
  const auto problem = problems.take();
  ASSERT_EQ(problem.size(), 3u);
  EXPECT_EQ(problem[0], "t.yaml: is 1048577 bytes; expected a node config of at most 1048576 bytes");
  EXPECT_EQ(problem[1], "t.yaml:2:2: malformed YAML: end of sequence flow not found");
  EXPECT_EQ(problem[2], "t.yaml:1: YAML nests deeper than yaml_nesting_max (256 levels)");
}

TEST(ConfigReader, OneDocumentIsExpectedWhereOneIsRead) {
  Problems problems;
  const Source source{"t.yaml", problems};
  const auto document = parse_yaml_document("a: 1\n---\na: 2\n", source, "chaos config");
  ASSERT_TRUE(document);
  EXPECT_EQ((*document)["a"].Scalar(), "1");
  EXPECT_EQ(problems.take(), one("t.yaml:3:1: expected one YAML document, found 2"));
  const auto empty = parse_yaml_document("# only a comment\n", source, "chaos config");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->IsNull());
}

TEST(ConfigReader, FilesMissingNotFilesOrTooLargeSayWhatIsExpected) {
  actorflow::testing::TempDir dir;
  Problems problems;
  EXPECT_FALSE(read_yaml_file(dir.file("missing.yaml"), "chaos config", problems));
  EXPECT_FALSE(read_yaml_file(dir.path().string(), "chaos config", problems));
  const std::string large = dir.file("large.yaml");
  std::ofstream(large) << std::string(limits::kYamlBytesMax + 10, '#');
  EXPECT_FALSE(read_yaml_file(large, "chaos config", problems));
  const std::string good = dir.file("good.yaml");
  std::ofstream(good) << "a: 1\n";
  EXPECT_EQ(read_yaml_file(good, "chaos config", problems), "a: 1\n");
  EXPECT_EQ(problems.take(), (std::vector<std::string>{
                                 dir.file("missing.yaml") + ": cannot read: No such file or directory; expected a "
                                                            "YAML chaos config file",
                                 dir.path().string() + ": is not a file; expected a YAML chaos config file",
                                 large + ": is 1048586 bytes; expected a chaos config of at most 1048576 bytes",
                             }));
}

TEST(ConfigReader, ProblemsBeyondTheLimitAreCounted) {
  Problems problems;
  for (int i = 0; i < limits::kYamlProblemsMax + 3; ++i) problems.add("p");
  const auto kept = problems.take();
  ASSERT_EQ(kept.size(), static_cast<size_t>(limits::kYamlProblemsMax) + 1);
  EXPECT_EQ(kept.back(), "... and 3 more problems (at most 200 are reported)");
}

// ---- durations -----------------------------------------------------------------------------------

TEST(ConfigReader, DurationSyntaxesAndTheirText) {
  EXPECT_EQ(parse_duration("1h30m"), 90min);
  EXPECT_EQ(parse_duration("1.5s"), std::nullopt);
  EXPECT_EQ(parse_duration("2"), std::nullopt);
  const DurationSyntax option{.fractions = true, .bare_seconds = true, .max_ms = 60'000};
  EXPECT_EQ(parse_duration("1.5s", option), 1500ms);
  EXPECT_EQ(parse_duration("2", option), 2s);
  EXPECT_EQ(parse_duration("2m", option), std::nullopt);  // beyond max_ms
  EXPECT_EQ(parse_duration("30m1h", option), std::nullopt);  // largest unit first
  EXPECT_EQ(duration_text(1500ms), "1500ms");
  EXPECT_EQ(duration_text(24h), "24h");
  EXPECT_EQ(duration_text(Millis(kDurationMsMax)), "3650d");
  EXPECT_EQ(duration_text(0ms), "0ms");
}
