// A workflow's history rendered as a readable timeline.
#include "timeline.hpp"

#include <gtest/gtest.h>

using namespace actorflow::cli;
using Json = nlohmann::json;

namespace {

TimelineEvent event(int64_t at_ms, std::string type, std::string step = "", int attempt = 0, std::string from = "",
                    std::string to = "", int64_t duration_ms = -1, std::string detail = "") {
  TimelineEvent e;
  e.at_ms = at_ms;
  e.type = std::move(type);
  e.step = std::move(step);
  e.attempt = attempt;
  e.from = std::move(from);
  e.to = std::move(to);
  e.duration_ms = duration_ms;
  e.detail = std::move(detail);
  return e;
}

}  // namespace

TEST(TimelineTest, ReadsEventsFromAHistoryReply) {
  Json reply = Json::parse(R"({"events":[
    {"seq":1,"at_ms":1000,"type":"workflow_started","step":"","attempt":0,"from":"","to":"running","duration_ms":-1,"detail":""},
    {"seq":2,"at_ms":1015,"type":"step_completed","step":"charge","attempt":1,"from":"running","to":"completed","duration_ms":13,"detail":""}
  ]})");
  auto events = timeline_events(reply);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].seq, 2u);
  EXPECT_EQ(events[1].at_ms, 1015);
  EXPECT_EQ(events[1].type, "step_completed");
  EXPECT_EQ(events[1].step, "charge");
  EXPECT_EQ(events[1].attempt, 1);
  EXPECT_EQ(events[1].from, "running");
  EXPECT_EQ(events[1].to, "completed");
  EXPECT_EQ(events[1].duration_ms, 13);
}

TEST(TimelineTest, MissingOrMistypedFieldsTakeDefaults) {
  auto e = timeline_event(Json::parse(R"({"type":"step_failed","attempt":"two","duration_ms":null})"));
  EXPECT_EQ(e.type, "step_failed");
  EXPECT_EQ(e.attempt, 0);
  EXPECT_EQ(e.duration_ms, -1);
  EXPECT_EQ(e.step, "");
  EXPECT_TRUE(timeline_events(Json::parse(R"({"events":"nope"})")).empty());
  EXPECT_TRUE(timeline_events(Json::array()).empty());
  EXPECT_EQ(timeline_event(Json(42)).type, "");
}

TEST(TimelineTest, RelativeTimeHasMillisecondsAndASign) {
  EXPECT_EQ(relative_time(1000, 1000), "+0.000s");
  EXPECT_EQ(relative_time(2234, 1000), "+1.234s");
  EXPECT_EQ(relative_time(61'005, 1000), "+60.005s");
  EXPECT_EQ(relative_time(995, 1000), "-0.005s");
}

TEST(TimelineTest, ClassifiesFailuresAndCompensations) {
  EXPECT_EQ(classify(event(0, "step_completed")), EventKind::normal);
  EXPECT_EQ(classify(event(0, "approval_granted")), EventKind::normal);
  EXPECT_EQ(classify(event(0, "step_failed")), EventKind::failure);
  EXPECT_EQ(classify(event(0, "step_retrying")), EventKind::failure);
  EXPECT_EQ(classify(event(0, "step_timed_out")), EventKind::failure);
  EXPECT_EQ(classify(event(0, "approval_rejected")), EventKind::failure);
  EXPECT_EQ(classify(event(0, "workflow_dead-lettered")), EventKind::failure);
  EXPECT_EQ(classify(event(0, "compensation_started")), EventKind::compensation);
  EXPECT_EQ(classify(event(0, "workflow_compensating")), EventKind::compensation);
  EXPECT_EQ(classify(event(0, "workflow_compensated")), EventKind::compensation);
  EXPECT_EQ(classify(event(0, "compensation_failed")), EventKind::compensation_failure);
}

TEST(TimelineTest, RendersOneAlignedLinePerEvent) {
  std::vector<TimelineEvent> events{
      event(1000, "workflow_started", "", 0, "", "running"),
      event(1002, "step_dispatched", "charge", 1),
      event(1015, "step_completed", "charge", 1, "running", "completed", 13),
      event(1020, "approval_rejected", "manager", 0, "waiting", "failed", -1, "by bob: too expensive"),
      event(1021, "workflow_compensating", "", 0, "running", "compensating", -1, "rejected"),
      event(1022, "compensation_completed", "charge", 1, "compensating", "compensated", 1500),
  };
  auto lines = render_timeline(events);
  ASSERT_EQ(lines.size(), events.size());
  // type column: the widest is "  compensation_completed" (24); step column: "charge #1" (9).
  EXPECT_EQ(lines[0], "  +0.000s   workflow_started                     -> running");
  EXPECT_EQ(lines[1], "  +0.002s   step_dispatched           charge #1");
  EXPECT_EQ(lines[2], "  +0.015s   step_completed            charge #1  running -> completed  (13ms)");
  EXPECT_EQ(lines[3], "  +0.020s ! approval_rejected         manager    waiting -> failed  by bob: too expensive");
  EXPECT_EQ(lines[4], "  +0.021s ~   workflow_compensating              running -> compensating  rejected");
  EXPECT_EQ(lines[5],
            "  +0.022s ~   compensation_completed  charge #1  compensating -> compensated  (1.500s)");
}

TEST(TimelineTest, DetailOnSeveralLinesStaysOnOne) {
  auto line = render_event(event(0, "step_failed", "ship", 2, "running", "failed", 5, "declined\nby the bank"),
                           0, TimelineLayout{});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find("declined; by the bank"), std::string::npos);
  EXPECT_NE(line.find("ship #2"), std::string::npos);
  EXPECT_NE(line.find("! step_failed"), std::string::npos);
}

TEST(TimelineTest, EmptyHistoryRendersNothing) { EXPECT_TRUE(render_timeline({}).empty()); }

TEST(TimelineTest, AHistoryRecordedByTwoNodesSaysWhereItMoved) {
  auto on = [](TimelineEvent e, std::string node) {
    e.node = std::move(node);
    return e;
  };
  std::vector<TimelineEvent> events{
      on(event(1000, "workflow_started", "", 0, "", "running"), "node-1"),
      on(event(1002, "step_dispatched", "charge", 1), "node-1"),
      on(event(3000, "workflow_recovered", "", 0, "", "running", -1, "resumed by node-2, epoch 9"), "node-2"),
      on(event(3001, "step_redispatched", "charge", 2), "node-2"),
  };
  auto lines = render_timeline(events);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_TRUE(lines[0].ends_with("  @node-1")) << lines[0];
  EXPECT_EQ(lines[1].find('@'), std::string::npos) << lines[1];
  EXPECT_TRUE(lines[2].ends_with("  @node-2")) << lines[2];
  EXPECT_EQ(lines[3].find('@'), std::string::npos) << lines[3];

  // One node throughout: nothing to say.
  events.resize(2);
  for (const auto& line : render_timeline(events)) EXPECT_EQ(line.find('@'), std::string::npos) << line;
}
