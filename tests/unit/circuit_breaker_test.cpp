#include <actorflow/actors/atoms.hpp>
#include <actorflow/actors/circuit_breaker_actor.hpp>
#include <actorflow/logging.hpp>
#include <actorflow/virtual_clock.hpp>

#include <caf/all.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

using namespace actorflow;
using namespace std::chrono_literals;
using testing::HasSubstr;

namespace {

constexpr int64_t kT0Ms = 1'000'000;

BreakerOptions options(int failures_threshold, Millis window, Millis reset_timeout,
                       int trials_max) {
  BreakerOptions o;
  o.failures_threshold = failures_threshold;
  o.window = window;
  o.reset_timeout = reset_timeout;
  o.half_open_trials_max = trials_max;
  return o;
}

// A breaker opened at kT0Ms: 3 failures in a 10 s window, 5 s reset timeout.
CircuitBreaker opened_breaker(int trials_max = 1) {
  CircuitBreaker breaker(options(3, 10s, 5s, trials_max));
  for (int i = 0; i < 3; ++i) breaker.record(false, kT0Ms);
  return breaker;
}

}  // namespace

TEST(CircuitBreaker, StateNames) {
  EXPECT_EQ(to_string(BreakerState::closed), "closed");
  EXPECT_EQ(to_string(BreakerState::open), "open");
  EXPECT_EQ(to_string(BreakerState::half_open), "half-open");
}

TEST(CircuitBreaker, ClosedLetsCallsPass) {
  CircuitBreaker breaker(options(3, 10s, 5s, 1));
  auto permit = breaker.acquire(kT0Ms);
  EXPECT_TRUE(permit.allowed);
  EXPECT_EQ(permit.state, BreakerState::closed);
  breaker.record(true, kT0Ms);
  EXPECT_EQ(breaker.state(kT0Ms), BreakerState::closed);
}

TEST(CircuitBreaker, OpensAfterThresholdFailuresInsideTheWindow) {
  CircuitBreaker breaker(options(3, 10s, 5s, 1));
  breaker.record(false, kT0Ms);
  breaker.record(true, kT0Ms + 1'000);  // successes do not forgive failures inside the window
  breaker.record(false, kT0Ms + 2'000);
  EXPECT_EQ(breaker.state(kT0Ms + 2'000), BreakerState::closed);
  breaker.record(false, kT0Ms + 9'999);
  EXPECT_EQ(breaker.state(kT0Ms + 9'999), BreakerState::open);
}

TEST(CircuitBreaker, FailuresOutsideTheWindowDoNotCount) {
  CircuitBreaker breaker(options(3, 10s, 5s, 1));
  breaker.record(false, kT0Ms);
  breaker.record(false, kT0Ms + 5'000);
  breaker.record(false, kT0Ms + 10'000);  // the first one is now 10 s old: out of the window
  EXPECT_EQ(breaker.state(kT0Ms + 10'000), BreakerState::closed);
  breaker.record(false, kT0Ms + 14'999);  // three inside (5'000, 10'000, 14'999)
  EXPECT_EQ(breaker.state(kT0Ms + 14'999), BreakerState::open);
}

TEST(CircuitBreaker, OpenDeniesWithTimeLeftUntilHalfOpen) {
  auto breaker = opened_breaker();
  auto permit = breaker.acquire(kT0Ms);
  EXPECT_FALSE(permit.allowed);
  EXPECT_EQ(permit.state, BreakerState::open);
  EXPECT_EQ(permit.retry_after_ms, 5'000);
  permit = breaker.acquire(kT0Ms + 3'500);
  EXPECT_FALSE(permit.allowed);
  EXPECT_EQ(permit.retry_after_ms, 1'500);
  EXPECT_EQ(breaker.acquire(kT0Ms + 4'999).retry_after_ms, 1);
}

TEST(CircuitBreaker, LateAnswerWhileOpenIsIgnored) {
  auto breaker = opened_breaker();
  breaker.record(true, kT0Ms + 100);
  breaker.record(false, kT0Ms + 200);  // would otherwise move opened_at
  EXPECT_EQ(breaker.state(kT0Ms + 4'999), BreakerState::open);
  EXPECT_EQ(breaker.state(kT0Ms + 5'000), BreakerState::half_open);
}

TEST(CircuitBreaker, HalfOpenAfterResetTimeoutLetsOneTrialPass) {
  auto breaker = opened_breaker();
  auto trial = breaker.acquire(kT0Ms + 5'000);
  EXPECT_TRUE(trial.allowed);
  EXPECT_EQ(trial.state, BreakerState::half_open);
  auto second = breaker.acquire(kT0Ms + 5'001);
  EXPECT_FALSE(second.allowed);
  EXPECT_EQ(second.state, BreakerState::half_open);
  EXPECT_EQ(second.retry_after_ms, 1'000);
}

TEST(CircuitBreaker, HalfOpenDenialWaitsAtMostTheResetTimeout) {
  CircuitBreaker breaker(options(1, 10s, 300ms, 1));
  breaker.record(false, kT0Ms);
  EXPECT_TRUE(breaker.acquire(kT0Ms + 300).allowed);
  EXPECT_EQ(breaker.acquire(kT0Ms + 300).retry_after_ms, 300);
}

TEST(CircuitBreaker, TrialSuccessesCloseIt) {
  auto breaker = opened_breaker(2);
  const int64_t t = kT0Ms + 5'000;
  EXPECT_TRUE(breaker.acquire(t).allowed);
  EXPECT_TRUE(breaker.acquire(t).allowed);
  EXPECT_FALSE(breaker.acquire(t).allowed);  // both trials in flight
  breaker.record(true, t + 10);
  EXPECT_EQ(breaker.state(t + 10), BreakerState::half_open);
  EXPECT_FALSE(breaker.acquire(t + 10).allowed);  // one trial done, one in flight: limit reached
  breaker.record(true, t + 20);
  EXPECT_EQ(breaker.state(t + 20), BreakerState::closed);
  EXPECT_TRUE(breaker.acquire(t + 20).allowed);
}

TEST(CircuitBreaker, ClosingClearsOldFailures) {
  auto breaker = opened_breaker();
  const int64_t t = kT0Ms + 5'000;
  ASSERT_TRUE(breaker.acquire(t).allowed);
  breaker.record(true, t);
  ASSERT_EQ(breaker.state(t), BreakerState::closed);
  breaker.record(false, t + 1);
  breaker.record(false, t + 2);
  EXPECT_EQ(breaker.state(t + 2), BreakerState::closed);  // two of three: the old ones are gone
}

TEST(CircuitBreaker, TrialFailureReopensIt) {
  auto breaker = opened_breaker(2);
  const int64_t t = kT0Ms + 5'000;
  ASSERT_TRUE(breaker.acquire(t).allowed);
  breaker.record(false, t + 700);
  EXPECT_EQ(breaker.state(t + 700), BreakerState::open);
  auto permit = breaker.acquire(t + 700);
  EXPECT_FALSE(permit.allowed);
  EXPECT_EQ(permit.retry_after_ms, 5'000);  // the reset timeout starts again at the failure
  EXPECT_EQ(breaker.state(t + 5'700), BreakerState::half_open);
}

TEST(CircuitBreaker, AnswerWithoutATrialInHalfOpenIsIgnored) {
  auto breaker = opened_breaker();
  const int64_t t = kT0Ms + 5'000;
  ASSERT_EQ(breaker.state(t), BreakerState::half_open);
  breaker.record(false, t);  // from a call made before the breaker opened
  EXPECT_EQ(breaker.state(t), BreakerState::half_open);
  EXPECT_TRUE(breaker.acquire(t).allowed);
}

namespace {

class CircuitBreakerActor : public testing::Test {
 protected:
  static caf::actor_system_config& configure(caf::actor_system_config& cfg) {
    cfg.set("scheduler.max-threads", 2);
    return cfg;
  }

  void SetUp() override {
    // The actor logs through the "actorflow" logger; capture just the JSON fields.
    capture_ = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_lines_);
    capture_->set_pattern("{%v}");
    logger()->sinks().push_back(capture_);
    level_ = logger()->level();
    logger()->set_level(spdlog::level::info);  // transitions log at info; the suite may run at warn
  }

  void TearDown() override {
    auto& sinks = logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), capture_), sinks.end());
    logger()->set_level(level_);
  }

  BreakerPermit acquire(const caf::actor& breaker) {
    BreakerPermit permit;
    self_->request(breaker, 5s, acquire_atom::value)
        .receive([&](const BreakerPermit& p) { permit = p; },
                 [&](caf::error& e) { ADD_FAILURE() << sys_.render(e); });
    return permit;
  }

  BreakerState state(const caf::actor& breaker) {
    BreakerState result = BreakerState::closed;
    self_->request(breaker, 5s, state_atom::value)
        .receive([&](BreakerState s) { result = s; },
                 [&](caf::error& e) { ADD_FAILURE() << sys_.render(e); });
    return result;
  }

  spdlog::level::level_enum level_ = spdlog::level::info;
  std::ostringstream log_lines_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> capture_;
  caf::actor_system_config cfg_;
  caf::actor_system sys_{configure(cfg_)};
  caf::scoped_actor self_{sys_};
  std::shared_ptr<VirtualClock> clock_ = std::make_shared<VirtualClock>(kT0Ms);
};

}  // namespace

TEST_F(CircuitBreakerActor, RunsTheBreakerOnTheClocksTimeAndLogsTransitions) {
  auto breaker = spawn_circuit_breaker(sys_, "payments", options(2, 10s, 5s, 1), clock_);
  EXPECT_TRUE(acquire(breaker).allowed);
  self_->send(breaker, record_atom::value, false);
  self_->send(breaker, record_atom::value, false);
  EXPECT_EQ(state(breaker), BreakerState::open);  // our messages arrive in order

  clock_->advance(2s);
  auto denied = acquire(breaker);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after_ms, 3'000);

  clock_->advance(3s);
  auto trial = acquire(breaker);
  EXPECT_TRUE(trial.allowed);
  EXPECT_EQ(trial.state, BreakerState::half_open);
  self_->send(breaker, record_atom::value, true);
  EXPECT_EQ(state(breaker), BreakerState::closed);
  self_->send_exit(breaker, caf::exit_reason::user_shutdown);

  const std::string log = log_lines_.str();
  EXPECT_THAT(log, HasSubstr(R"({"at_ms":1000000,"event":"breaker_transition","from":"closed",)"
                             R"("service":"payments","to":"open"})"));
  EXPECT_THAT(log, HasSubstr(R"({"at_ms":1005000,"event":"breaker_transition","from":"open",)"
                             R"("service":"payments","to":"half-open"})"));
  EXPECT_THAT(log, HasSubstr(R"({"at_ms":1005000,"event":"breaker_transition","from":"half-open",)"
                             R"("service":"payments","to":"closed"})"));
}

TEST_F(CircuitBreakerActor, StateQueryAloneNoticesTheResetTimeout) {
  auto breaker = spawn_circuit_breaker(sys_, "mail", options(1, 10s, 5s, 1), clock_);
  self_->send(breaker, record_atom::value, false);
  EXPECT_EQ(state(breaker), BreakerState::open);
  clock_->advance(5s);
  EXPECT_EQ(state(breaker), BreakerState::half_open);
  self_->send_exit(breaker, caf::exit_reason::user_shutdown);
}
