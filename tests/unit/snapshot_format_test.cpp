// Snapshots and history events are written by hand in the Protocol Buffers wire format
// (src/workflow/wire_writer.hpp): the bytes must be exactly what the generated code writes, so
// that every reader (and every older snapshot) agrees with actorflow.proto.
#include "workflow/workflow_state.hpp"

#include "actorflow.pb.h"

#include <gtest/gtest.h>

using namespace actorflow;

namespace {

// Every field set, negative numbers and empty repeated elements included.
WorkflowState rich_state() {
  WorkflowState s;
  s.id = "wf-1/child";
  s.definition = "saga";
  s.version = 3;
  s.status = WorkflowStatus::compensating;
  s.data = Json{{"order", 42}, {"charge", {{"ok", true}}}, {"text", "ünïcode"}};
  s.error = "step 'ship' failed";
  StepRecord& charge = s.steps["charge"];
  charge.status = StepStatus::compensation_wait;
  charge.attempts = 2;
  charge.failures = 1;
  charge.breaker_waits = 4;
  charge.compensation_attempts = 5;
  charge.compensation_failures = 6;
  charge.retry_at_ms = 1'700'000'000'123;
  charge.error = "refused";
  charge.timeouts = 7;
  charge.outcome_unknown = true;
  charge.crashes = 8;
  charge.compensation_crashes = 9;
  charge.released = true;
  s.steps["ship"].status = StepStatus::failed;
  s.steps["pending"];  // all defaults but the status name
  s.choices["route"] = 1;
  s.choices["none"] = -1;
  s.completed = {"reserve", "", "charge"};
  s.compensations_done = 1;
  s.failed_step = "ship";
  s.parent_id = "parent";
  s.parent_path = "fan/child";
  s.restarts = 2;
  s.history_seq = 99;
  s.started_ms = -5;
  s.pending_signals.push_back({3, "approve", Json{{"by", "ann"}}, 1'700'000'000'000});
  s.inbox_seen = 3;
  return s;
}

// The same snapshot through the generated code.
std::string generated_snapshot(const WorkflowState& s, uint64_t epoch) {
  pb::WorkflowSnapshot m;
  m.set_format(1);
  m.set_id(s.id);
  m.set_definition(s.definition);
  m.set_version(s.version);
  m.set_status(std::string(to_string(s.status)));
  m.set_data_json(s.data.dump());
  m.set_error(s.error);
  for (const auto& [path, r] : s.steps) {
    auto* entry = m.add_steps();
    entry->set_path(path);
    auto* rec = entry->mutable_record();
    rec->set_status(std::string(to_string(r.status)));
    rec->set_attempts(r.attempts);
    rec->set_failures(r.failures);
    rec->set_breaker_waits(r.breaker_waits);
    rec->set_compensation_attempts(r.compensation_attempts);
    rec->set_compensation_failures(r.compensation_failures);
    rec->set_retry_at_ms(r.retry_at_ms);
    rec->set_error(r.error);
    rec->set_timeouts(r.timeouts);
    rec->set_outcome_unknown(r.outcome_unknown);
    rec->set_crashes(r.crashes);
    rec->set_compensation_crashes(r.compensation_crashes);
    rec->set_released(r.released);
  }
  for (const auto& [path, branch] : s.choices) {
    auto* entry = m.add_choices();
    entry->set_path(path);
    entry->set_branch(branch);
  }
  for (const auto& path : s.completed) m.add_completed(path);
  m.set_compensations_done(s.compensations_done);
  m.set_failed_step(s.failed_step);
  m.set_parent_id(s.parent_id);
  m.set_parent_path(s.parent_path);
  m.set_restarts(s.restarts);
  m.set_history_seq(s.history_seq);
  m.set_started_ms(s.started_ms);
  m.set_epoch(epoch);
  for (const auto& signal : s.pending_signals) {
    auto* p = m.add_pending_signals();
    p->set_seq(signal.seq);
    p->set_name(signal.name);
    p->set_payload_json(signal.payload.dump());
    p->set_at_ms(signal.at_ms);
  }
  m.set_inbox_seen(s.inbox_seen);
  return m.SerializeAsString();
}

}  // namespace

TEST(SnapshotFormat, HandWrittenBytesAreWhatTheGeneratedCodeWrites) {
  const WorkflowState s = rich_state();
  EXPECT_EQ(encode_state(s, 12), generated_snapshot(s, 12));
  WorkflowState fresh;
  fresh.id = "new";
  fresh.data = Json::object();
  EXPECT_EQ(encode_state(fresh, 0), generated_snapshot(fresh, 0));
}

TEST(SnapshotFormat, EverySnapshotFieldRoundTrips) {
  const WorkflowState s = rich_state();
  std::string error;
  auto back = decode_state(encode_state(s, 12), &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->id, s.id);
  EXPECT_EQ(back->definition, s.definition);
  EXPECT_EQ(back->version, s.version);
  EXPECT_EQ(back->status, s.status);
  EXPECT_EQ(back->data, s.data);
  EXPECT_EQ(back->error, s.error);
  ASSERT_EQ(back->steps.size(), s.steps.size());
  const StepRecord& charge = back->steps.at("charge");
  EXPECT_EQ(charge.status, StepStatus::compensation_wait);
  EXPECT_EQ(charge.attempts, 2);
  EXPECT_EQ(charge.failures, 1);
  EXPECT_EQ(charge.breaker_waits, 4);
  EXPECT_EQ(charge.compensation_attempts, 5);
  EXPECT_EQ(charge.compensation_failures, 6);
  EXPECT_EQ(charge.retry_at_ms, 1'700'000'000'123);
  EXPECT_EQ(charge.error, "refused");
  EXPECT_EQ(charge.timeouts, 7);
  EXPECT_TRUE(charge.outcome_unknown);
  EXPECT_FALSE(back->steps.at("ship").outcome_unknown);
  EXPECT_EQ(charge.crashes, 8);
  EXPECT_EQ(charge.compensation_crashes, 9);
  EXPECT_TRUE(charge.released);
  EXPECT_EQ(back->steps.at("ship").crashes, 0);
  EXPECT_FALSE(back->steps.at("ship").released);
  EXPECT_EQ(back->steps.at("pending").status, StepStatus::pending);
  EXPECT_EQ(back->choices, s.choices);
  EXPECT_EQ(back->completed, s.completed);
  EXPECT_EQ(back->compensations_done, s.compensations_done);
  EXPECT_EQ(back->failed_step, s.failed_step);
  EXPECT_EQ(back->parent_id, s.parent_id);
  EXPECT_EQ(back->parent_path, s.parent_path);
  EXPECT_EQ(back->restarts, s.restarts);
  EXPECT_EQ(back->history_seq, s.history_seq);
  EXPECT_EQ(back->started_ms, s.started_ms);
  ASSERT_EQ(back->pending_signals.size(), 1u);
  EXPECT_EQ(back->pending_signals[0].seq, 3u);
  EXPECT_EQ(back->pending_signals[0].name, "approve");
  EXPECT_EQ(back->pending_signals[0].payload, (Json{{"by", "ann"}}));
  EXPECT_EQ(back->pending_signals[0].at_ms, 1'700'000'000'000);
  EXPECT_EQ(back->inbox_seen, 3u);
}

TEST(SnapshotFormat, HistoryEventsAreWhatTheGeneratedCodeWritesAndRoundTrip) {
  const HistoryEvent event{7, 1'700'000'000'123, "step_failed", "charge", 2, "running", "failed", -1, "no money", "node-2"};
  pb::HistoryEvent m;
  m.set_seq(event.seq);
  m.set_at_ms(event.at_ms);
  m.set_type(event.type);
  m.set_step(event.step);
  m.set_attempt(event.attempt);
  m.set_from(event.from);
  m.set_to(event.to);
  m.set_duration_ms(event.duration_ms);
  m.set_detail(event.detail);
  m.set_node(event.node);
  EXPECT_EQ(encode_event(event), m.SerializeAsString());
  auto back = decode_event(encode_event(event));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->duration_ms, -1);
  EXPECT_EQ(back->detail, "no money");
  EXPECT_EQ(back->attempt, 2);
  EXPECT_EQ(back->node, "node-2");
}
