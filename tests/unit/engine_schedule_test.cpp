// Cron schedules on a virtual clock: fire times and workflow ids, pause/resume/delete, the
// overlap policies (with an async step the test completes by hand) and the catch-up policies
// after an engine restart on the same store. A test reaches a fire by awaiting its timer
// ("schedule <id> fire"), and knows the scheduler has handled it when the next one is armed.
#include "async_probe.hpp"
#include "test_engine.hpp"

#include <actorflow/schedule.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <set>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

constexpr int64_t kStart = 1'700'000'000'000;  // the virtual clock's start: 2023-11-14T22:13:20Z
constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t k2215 = kStart + 100'000;           // 2023-11-14T22:15:00Z
constexpr int64_t k2300 = kStart + 2'800'000;         // 2023-11-14T23:00:00Z

EngineOptions schedule_options(std::shared_ptr<Store> store = nullptr) {
  EngineOptions options;
  options.store = std::move(store);
  options.passivate_after = std::nullopt;
  options.step_timeout_default = Millis(30 * 24 * kHour);  // virtual jumps never time a step out
  options.seed = 42;
  return options;
}

// "report": one sync step that echoes the fire time; "long": one async step held by the probe.
void register_definitions(Engine& engine, AsyncProbe* hold = nullptr) {
  engine.register_handler("tick", [](const StepContext& ctx) { return Json{{"fire_ms", ctx.input()["schedule"]["fire_ms"]}}; });
  ASSERT_TRUE(engine.register_workflow(WorkflowBuilder("report").step("tick", "tick").build()));
  if (hold) {
    engine.register_async_handler("hold", hold->handler());
    ASSERT_TRUE(engine.register_workflow(WorkflowBuilder("long").step("hold", "hold").build()));
  }
}

ScheduleSpec spec(std::string id, std::string cron, std::string definition = "report",
                  OverlapPolicy overlap = OverlapPolicy::skip, CatchUpPolicy catch_up = CatchUpPolicy::once) {
  ScheduleSpec s;
  s.id = std::move(id);
  s.cron = std::move(cron);
  s.definition = std::move(definition);
  s.overlap = overlap;
  s.catch_up = catch_up;
  return s;
}

std::string label(const std::string& schedule_id) { return "schedule " + schedule_id + " fire"; }

bool armed(VirtualClock& clock, const std::string& schedule_id) {
  for (const auto& timer : clock.pending())
    if (timer.label == label(schedule_id)) return true;
  return false;
}

// Fires the schedule's armed timer and returns its time once the scheduler has handled the fire
// (it has armed the next one).
int64_t fire(VirtualClock& clock, const std::string& schedule_id) {
  auto timer = clock.advance_to_timer(label(schedule_id));
  if (!timer) {
    ADD_FAILURE() << "schedule " << schedule_id << " has no fire armed";
    return 0;
  }
  EXPECT_TRUE(clock.await_timer(label(schedule_id))) << "the fire at " << timer->due_ms << " was not handled";
  return timer->due_ms;
}

std::string wf(const std::string& schedule_id, int64_t fire_ms) { return schedule_id + "@" + std::to_string(fire_ms); }

ScheduleInfo info_of(Engine& engine, const std::string& schedule_id) {
  auto info = engine.schedule(schedule_id);
  if (!info) {
    ADD_FAILURE() << "no schedule " << schedule_id;
    return {};
  }
  return *info;
}

}  // namespace

TEST(Schedules, AScheduleFiresAtItsCronTimesAndEachFireStartsItsOwnWorkflow) {
  TestEngine t(schedule_options());
  register_definitions(*t.engine);
  ASSERT_TRUE(t.engine->create_schedule(spec("every5", "*/5 * * * *")));
  EXPECT_EQ(t.clock->await_timer(label("every5"))->due_ms, k2215);

  std::vector<int64_t> fires;
  for (int i = 0; i < 3; ++i) {
    fires.push_back(fire(*t.clock, "every5"));
    // Overlap skip (the default): the next fire would be dropped while this run still runs.
    ASSERT_TRUE(t.engine->wait(wf("every5", fires.back()), Millis(10'000)));
  }
  EXPECT_EQ(fires, (std::vector<int64_t>{k2215, k2215 + 5 * kMinute, k2215 + 10 * kMinute}));

  for (int64_t fire_ms : fires) {
    auto info = t.engine->query(wf("every5", fire_ms));
    ASSERT_TRUE(info) << wf("every5", fire_ms);
    EXPECT_EQ(info->status, WorkflowStatus::completed);
    EXPECT_EQ(info->definition, "report");
    EXPECT_EQ(info->data["schedule"]["id"], "every5");
    EXPECT_EQ(info->data["schedule"]["fire_ms"], fire_ms);
    EXPECT_EQ(info->data["tick"]["fire_ms"], fire_ms);
  }
  EXPECT_EQ(t.engine->query(wf("every5", k2215))->data["schedule"]["fire_utc"], "2023-11-14T22:15:00Z");

  auto info = info_of(*t.engine, "every5");
  EXPECT_EQ(info.spec.cron, "*/5 * * * *");
  EXPECT_EQ(info.last_fire_ms, fires.back());
  EXPECT_EQ(info.last_workflow_id, wf("every5", fires.back()));
  EXPECT_EQ(info.next_fire_ms, fires.back() + 5 * kMinute);
  EXPECT_EQ(info.fires_started, 3u);
  EXPECT_EQ(info.fires_skipped, 0u);
  EXPECT_FALSE(info.paused);
}

TEST(Schedules, ABadScheduleIsRefusedNamingEveryProblemAndNothingIsStored) {
  TestEngine t(schedule_options());
  register_definitions(*t.engine);

  auto bad_cron = t.engine->create_schedule(spec("s", "0 24 * * *"));
  EXPECT_FALSE(bad_cron);
  EXPECT_NE(bad_cron.message().find("hour 24 out of range"), std::string::npos) << bad_cron.message();

  auto unknown = t.engine->create_schedule(spec("s", "0 6 * * *", "nope"));
  EXPECT_FALSE(unknown);
  EXPECT_NE(unknown.message().find("unknown workflow definition 'nope'"), std::string::npos) << unknown.message();

  ScheduleSpec many = spec("a@b", "* * *", "nope");
  many.input = Json::array();
  many.catch_up_fires_max = 0;
  auto all = t.engine->create_schedule(many);
  EXPECT_FALSE(all);
  for (const char* part : {"'@'", "cron '* * *'", "input must be a JSON object", "catch_up_fires_max 0", "'nope'"})
    EXPECT_NE(all.message().find(part), std::string::npos) << part << " not in:\n" << all.message();

  EXPECT_FALSE(t.engine->create_schedule(spec("", "0 6 * * *")));
  ScheduleSpec reserved = spec("s", "0 6 * * *");
  reserved.input = {{"schedule", 1}};
  auto reserved_status = t.engine->create_schedule(reserved);
  EXPECT_NE(reserved_status.message().find("\"schedule\" field"), std::string::npos) << reserved_status.message();

  EXPECT_TRUE(t.engine->schedules().empty());
  EXPECT_TRUE(t.clock->pending().empty());
}

TEST(Schedules, CreatingAnExistingIdIsOkWithTheSameSpecAndAnErrorWithAnother) {
  TestEngine t(schedule_options());
  register_definitions(*t.engine);
  ASSERT_TRUE(t.engine->create_schedule(spec("daily", "0 6 * * *")));
  EXPECT_TRUE(t.engine->create_schedule(spec("daily", "0 6 * * *")));
  auto changed = t.engine->create_schedule(spec("daily", "0 7 * * *"));
  EXPECT_FALSE(changed);
  EXPECT_NE(changed.message().find("schedule 'daily' exists with a different spec (cron '0 6 * * *'"), std::string::npos)
      << changed.message();
  ASSERT_EQ(t.engine->schedules().size(), 1u);
  EXPECT_EQ(t.engine->schedules()[0].spec.cron, "0 6 * * *");
}

TEST(Schedules, APausedScheduleFiresNothingAndResumingGoesOnFromNowWithoutTheMissedFires) {
  TestEngine t(schedule_options());
  register_definitions(*t.engine);
  ASSERT_TRUE(t.engine->create_schedule(spec("p", "*/5 * * * *", "report", OverlapPolicy::skip, CatchUpPolicy::all)));
  ASSERT_TRUE(armed(*t.clock, "p"));

  ASSERT_TRUE(t.engine->pause_schedule("p"));
  EXPECT_TRUE(t.engine->pause_schedule("p")) << "pausing a paused schedule is ok";
  EXPECT_FALSE(armed(*t.clock, "p"));
  auto paused = info_of(*t.engine, "p");
  EXPECT_TRUE(paused.paused);
  EXPECT_EQ(paused.next_fire_ms, 0);

  t.clock->advance(Millis(kHour));  // twelve fire times pass while paused
  ASSERT_TRUE(t.engine->resume_schedule("p"));
  EXPECT_TRUE(t.engine->resume_schedule("p")) << "resuming a running schedule is ok";
  const int64_t now = kStart + kHour;  // 23:13:20
  EXPECT_EQ(info_of(*t.engine, "p").last_fire_ms, now);
  const int64_t next = fire(*t.clock, "p");
  EXPECT_EQ(next, now + 100'000);  // 23:15
  ASSERT_TRUE(t.engine->wait(wf("p", next), Millis(10'000)));
  for (int64_t missed = k2215; missed < next; missed += 5 * kMinute)
    EXPECT_FALSE(t.engine->query(wf("p", missed))) << "fire at " << missed << " fell while paused";
  EXPECT_EQ(info_of(*t.engine, "p").fires_started, 1u);
}

TEST(Schedules, DeletingRemovesTheScheduleAndItsTimerAndUnknownIdsAreClearErrors) {
  TestEngine t(schedule_options());
  register_definitions(*t.engine);
  ASSERT_TRUE(t.engine->create_schedule(spec("a", "*/5 * * * *")));
  ASSERT_TRUE(t.engine->create_schedule(spec("b", "0 6 * * *")));
  const int64_t fired = fire(*t.clock, "a");
  ASSERT_TRUE(t.engine->wait(wf("a", fired), Millis(10'000)));

  ASSERT_TRUE(t.engine->delete_schedule("a"));
  EXPECT_FALSE(armed(*t.clock, "a"));
  ASSERT_EQ(t.engine->schedules().size(), 1u);
  EXPECT_EQ(t.engine->schedules()[0].spec.id, "b");
  EXPECT_EQ(t.engine->query(wf("a", fired))->status, WorkflowStatus::completed) << "its workflows stay";

  for (const Status& status : {t.engine->delete_schedule("a"), t.engine->pause_schedule("zz"), t.engine->resume_schedule("zz")}) {
    EXPECT_FALSE(status);
    EXPECT_NE(status.message().find("no schedule '"), std::string::npos) << status.message();
  }
  EXPECT_FALSE(t.engine->schedule("a"));
}

TEST(ScheduleOverlap, SkipDropsAFireWhileThePreviousRunStillRuns) {
  AsyncProbe hold;
  TestEngine t(schedule_options());
  register_definitions(*t.engine, &hold);
  ASSERT_TRUE(t.engine->create_schedule(spec("s", "*/5 * * * *", "long", OverlapPolicy::skip)));

  const int64_t first = fire(*t.clock, "s");
  auto call = hold.await_call(1);
  EXPECT_EQ(call.workflow_id, wf("s", first));
  const int64_t second = fire(*t.clock, "s");
  EXPECT_FALSE(t.engine->query(wf("s", second))) << "skipped while " << wf("s", first) << " runs";
  EXPECT_EQ(info_of(*t.engine, "s").fires_skipped, 1u);

  call.complete(StepOutcome::success());
  ASSERT_EQ(t.engine->wait(wf("s", first), Millis(10'000))->status, WorkflowStatus::completed);
  const int64_t third = fire(*t.clock, "s");
  EXPECT_EQ(hold.await_call(2).workflow_id, wf("s", third));
  EXPECT_EQ(hold.calls(), 2u);
  hold.await_call(2).complete(StepOutcome::success());
}

TEST(ScheduleOverlap, AllowStartsEveryFireHoweverManyRun) {
  AsyncProbe hold;
  TestEngine t(schedule_options());
  register_definitions(*t.engine, &hold);
  ASSERT_TRUE(t.engine->create_schedule(spec("s", "*/5 * * * *", "long", OverlapPolicy::allow)));
  std::vector<int64_t> fires;
  for (int i = 0; i < 3; ++i) fires.push_back(fire(*t.clock, "s"));
  std::set<std::string> started;
  for (size_t n = 1; n <= 3; ++n) started.insert(hold.await_call(n).workflow_id);
  EXPECT_EQ(started, (std::set<std::string>{wf("s", fires[0]), wf("s", fires[1]), wf("s", fires[2])}));
  for (size_t n = 1; n <= 3; ++n) hold.await_call(n).complete(StepOutcome::success());
}

TEST(ScheduleOverlap, BufferOneKeepsOneFireAndStartsItWhenTheRunningOneEnds) {
  AsyncProbe hold;
  TestEngine t(schedule_options());
  register_definitions(*t.engine, &hold);
  ASSERT_TRUE(t.engine->create_schedule(spec("b", "*/5 * * * *", "long", OverlapPolicy::buffer_one)));

  const int64_t first = fire(*t.clock, "b");
  auto call = hold.await_call(1);
  const int64_t second = fire(*t.clock, "b");  // buffered
  EXPECT_EQ(info_of(*t.engine, "b").buffered_fire_ms, second);
  const int64_t third = fire(*t.clock, "b");   // one is buffered already: skipped
  auto info = info_of(*t.engine, "b");
  EXPECT_EQ(info.buffered_fire_ms, second);
  EXPECT_EQ(info.fires_skipped, 1u);

  // While the first runs, the poll leaves the buffered fire alone.
  ASSERT_TRUE(t.clock->advance_to_timer("scheduler poll"));
  ASSERT_TRUE(t.clock->await_timer("scheduler poll"));
  EXPECT_FALSE(t.engine->query(wf("b", second)));

  call.complete(StepOutcome::success());
  ASSERT_EQ(t.engine->wait(wf("b", first), Millis(10'000))->status, WorkflowStatus::completed);
  ASSERT_TRUE(t.clock->advance_to_timer("scheduler poll"));
  auto buffered = hold.await_call(2);
  EXPECT_EQ(buffered.workflow_id, wf("b", second));
  EXPECT_EQ(buffered.input["schedule"]["fire_ms"], second);
  EXPECT_FALSE(t.engine->query(wf("b", third)));
  buffered.complete(StepOutcome::success());
  ASSERT_EQ(t.engine->wait(wf("b", second), Millis(10'000))->status, WorkflowStatus::completed);
  info = info_of(*t.engine, "b");
  EXPECT_EQ(info.buffered_fire_ms, 0);

  // Nothing runs and nothing is buffered: the next fire starts at once. (Once it is handled, the
  // scheduler has also recorded the buffered start, which it writes after starting it.)
  const int64_t fourth = fire(*t.clock, "b");
  auto next = hold.await_call(3);
  EXPECT_EQ(next.workflow_id, wf("b", fourth));
  info = info_of(*t.engine, "b");
  EXPECT_EQ(info.last_workflow_id, wf("b", fourth));
  EXPECT_EQ(info.fires_started, 3u);
  EXPECT_EQ(info.fires_skipped, 1u);
  next.complete(StepOutcome::success());
}

// Catch-up: an hourly schedule fires at 23:00, the engine goes away and a new one on the same
// store starts at 03:13:20, so the fires of 00:00, 01:00, 02:00 and 03:00 were missed.
struct CatchUpCase {
  const char* name;
  CatchUpPolicy policy;
  OverlapPolicy overlap;
  size_t fires_max;
  std::vector<int> hours_started;  // of the missed ones: 0..3
  uint64_t skipped;
};

void PrintTo(const CatchUpCase& c, std::ostream* os) { *os << c.name; }

class ScheduleCatchUp : public ::testing::TestWithParam<CatchUpCase> {};

TEST_P(ScheduleCatchUp, FiresMissedWhileTheEngineWasDownFollowThePolicyAfterARestart) {
  const CatchUpCase& c = GetParam();
  auto store = make_memory_store();
  ScheduleSpec hourly = spec("hourly", "0 * * * *", "report", c.overlap, c.policy);
  hourly.catch_up_fires_max = c.fires_max;
  {
    auto clock = std::make_shared<VirtualClock>(kStart);
    auto options = schedule_options(store);
    options.clock = clock;
    Engine first(options);
    register_definitions(first);
    ASSERT_TRUE(first.create_schedule(hourly));
    ASSERT_EQ(fire(*clock, "hourly"), k2300);
    ASSERT_EQ(first.wait(wf("hourly", k2300), Millis(10'000))->status, WorkflowStatus::completed);
  }

  auto clock = std::make_shared<VirtualClock>(kStart + 5 * kHour);  // 03:13:20
  auto options = schedule_options(store);
  options.clock = clock;
  Engine second(options);
  register_definitions(second);
  EXPECT_EQ(second.recover(), 0);
  auto next = clock->await_timer(label("hourly"));  // armed once the catch-up is done
  ASSERT_TRUE(next);
  EXPECT_EQ(next->due_ms, k2300 + 5 * kHour);       // 04:00

  std::set<int> started;
  for (int hour = 0; hour < 4; ++hour) {
    auto info = second.wait(wf("hourly", k2300 + (hour + 1) * kHour), Millis(10'000));
    if (!info) continue;
    EXPECT_EQ(info->status, WorkflowStatus::completed);
    started.insert(hour);
  }
  EXPECT_EQ(started, std::set<int>(c.hours_started.begin(), c.hours_started.end()));
  auto info = info_of(second, "hourly");
  EXPECT_EQ(info.fires_started, 1 + c.hours_started.size());
  EXPECT_EQ(info.fires_skipped, c.skipped);
  EXPECT_EQ(info.last_fire_ms, k2300 + 4 * kHour);
}

INSTANTIATE_TEST_SUITE_P(
    Policies, ScheduleCatchUp,
    ::testing::Values(CatchUpCase{"skip", CatchUpPolicy::skip, OverlapPolicy::allow, 100, {}, 4},
                      CatchUpCase{"once", CatchUpPolicy::once, OverlapPolicy::allow, 100, {3}, 3},
                      CatchUpCase{"all", CatchUpPolicy::all, OverlapPolicy::allow, 100, {0, 1, 2, 3}, 0},
                      CatchUpCase{"all_at_most_two", CatchUpPolicy::all, OverlapPolicy::allow, 2, {2, 3}, 2},
                      // The missed fires are started together, so they overlap: skip keeps the first.
                      CatchUpCase{"all_with_overlap_skip", CatchUpPolicy::all, OverlapPolicy::skip, 100, {0}, 3}),
    [](const ::testing::TestParamInfo<CatchUpCase>& info) { return std::string(info.param.name); });

TEST(ScheduleCatchUp, APausedScheduleStaysPausedAcrossARestartAndCatchesNothingUp) {
  auto store = make_memory_store();
  {
    auto clock = std::make_shared<VirtualClock>(kStart);
    auto options = schedule_options(store);
    options.clock = clock;
    Engine first(options);
    register_definitions(first);
    ASSERT_TRUE(first.create_schedule(spec("hourly", "0 * * * *", "report", OverlapPolicy::allow, CatchUpPolicy::all)));
    ASSERT_TRUE(first.pause_schedule("hourly"));
  }
  auto clock = std::make_shared<VirtualClock>(kStart + 5 * kHour);
  auto options = schedule_options(store);
  options.clock = clock;
  Engine second(options);
  register_definitions(second);
  second.recover();
  ASSERT_EQ(second.schedules().size(), 1u);
  EXPECT_TRUE(second.schedules()[0].paused);
  ASSERT_TRUE(second.resume_schedule("hourly"));  // handled after the scheduler loaded and caught up
  EXPECT_EQ(clock->await_timer(label("hourly"))->due_ms, k2300 + 5 * kHour);
  for (int hour = 0; hour <= 4; ++hour) EXPECT_FALSE(second.query(wf("hourly", k2300 + hour * kHour)));
  EXPECT_EQ(info_of(second, "hourly").fires_started, 0u);
}
