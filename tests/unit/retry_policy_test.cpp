#include <actorflow/error_strategy.hpp>
#include <actorflow/retry_delay.hpp>
#include <actorflow/retry_policy.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>

using namespace actorflow;
using namespace std::chrono_literals;

namespace {

RetryPolicy policy(Millis initial, double multiplier, Millis max, double jitter) {
  RetryPolicy p;
  p.interval_initial = initial;
  p.multiplier = multiplier;
  p.interval_max = max;
  p.jitter = jitter;
  return p;
}

// The problem() text for `p`, or "" when there is none.
std::string problem_of(const RetryPolicy& p) {
  return p.problem().value_or("");
}

}  // namespace

TEST(RetryPolicy, WithoutJitterDelaysGrowExactly) {
  std::mt19937_64 rng(1);
  const auto p = policy(1000ms, 2.0, 60s, 0.0);
  const int64_t expected_ms[] = {1000, 2000, 4000, 8000, 16000};
  for (int retry = 1; retry <= 5; ++retry)
    EXPECT_EQ(retry_delay(p, retry, rng).count(), expected_ms[retry - 1])
        << "retry " << retry;
}

TEST(RetryPolicy, FractionalMultiplier) {
  std::mt19937_64 rng(1);
  const auto p = policy(100ms, 1.5, 60s, 0.0);
  const int64_t expected_ms[] = {100, 150, 225, 338, 506};  // rounded to whole ms
  for (int retry = 1; retry <= 5; ++retry)
    EXPECT_EQ(retry_delay(p, retry, rng).count(), expected_ms[retry - 1])
        << "retry " << retry;
}

TEST(RetryPolicy, IntervalMaxCapsTheDelay) {
  std::mt19937_64 rng(1);
  const auto p = policy(1000ms, 2.0, 5000ms, 0.0);
  const int64_t expected_ms[] = {1000, 2000, 4000, 5000, 5000};
  for (int retry = 1; retry <= 5; ++retry)
    EXPECT_EQ(retry_delay(p, retry, rng).count(), expected_ms[retry - 1])
        << "retry " << retry;
  EXPECT_EQ(retry_delay(p, 5'000, rng), 5000ms);  // multiplier^4999 overflows a double
}

TEST(RetryPolicy, JitteredDelaysStayWithinBounds) {
  std::mt19937_64 rng(42);
  const auto p = policy(1000ms, 2.0, 10s, 0.25);
  for (int retry = 1; retry <= 6; ++retry) {
    const double full_ms = std::min(1000.0 * std::pow(2.0, retry - 1), 10'000.0);
    std::set<int64_t> seen_ms;
    for (int draw = 0; draw < 200; ++draw) {
      const int64_t delay_ms = retry_delay(p, retry, rng).count();
      EXPECT_GE(delay_ms, full_ms * 0.75) << "retry " << retry;
      EXPECT_LE(delay_ms, full_ms) << "retry " << retry;
      seen_ms.insert(delay_ms);
    }
    EXPECT_GT(seen_ms.size(), 10u) << "jitter should spread the delays, retry " << retry;
  }
}

TEST(RetryPolicy, SameSeedSameDelays) {
  const auto p = policy(1000ms, 2.0, 60s, 0.5);
  std::mt19937_64 a(7);
  std::mt19937_64 b(7);
  for (int retry = 1; retry <= 5; ++retry)
    EXPECT_EQ(retry_delay(p, retry, a), retry_delay(p, retry, b));
}

TEST(RetryPolicy, DefaultsMakeSense) {
  EXPECT_FALSE(RetryPolicy{}.problem().has_value());
}

TEST(RetryPolicy, ProblemNamesTheFieldAndTheBadValue) {
  auto with = [](auto change) {
    RetryPolicy p;
    change(p);
    return problem_of(p);
  };
  using testing::AllOf;
  using testing::HasSubstr;
  EXPECT_THAT(with([](RetryPolicy& p) { p.retries_max = -1; }),
              AllOf(HasSubstr("retries_max"), HasSubstr("-1")));
  EXPECT_THAT(with([](RetryPolicy& p) { p.interval_initial = 0ms; }),
              AllOf(HasSubstr("interval_initial"), HasSubstr("got 0 ms")));
  EXPECT_THAT(with([](RetryPolicy& p) { p.interval_initial = -5ms; }),
              AllOf(HasSubstr("interval_initial"), HasSubstr("-5")));
  EXPECT_THAT(with([](RetryPolicy& p) { p.multiplier = 0.5; }),
              AllOf(HasSubstr("multiplier"), HasSubstr("0.5")));
  EXPECT_THAT(with([](RetryPolicy& p) { p.multiplier = std::nan(""); }), HasSubstr("multiplier"));
  EXPECT_THAT(with([](RetryPolicy& p) { p.interval_max = 500ms; }),
              AllOf(HasSubstr("interval_max"), HasSubstr("500")));
  EXPECT_THAT(with([](RetryPolicy& p) { p.jitter = 1.0; }),
              AllOf(HasSubstr("jitter"), HasSubstr("got 1")));
  EXPECT_THAT(with([](RetryPolicy& p) { p.jitter = -0.1; }),
              AllOf(HasSubstr("jitter"), HasSubstr("-0.1")));
}

TEST(RetryPolicy, EdgeValuesAreAccepted) {
  RetryPolicy p;
  p.retries_max = 0;
  p.multiplier = 1.0;
  p.interval_max = p.interval_initial;
  p.jitter = 0.0;
  EXPECT_EQ(problem_of(p), "");
}

// The error strategy decides what happens once the retries are spent; its text form lives here.
TEST(RetryPolicy, ErrorStrategyTextRoundTrips) {
  for (auto s : {ErrorStrategy::retry, ErrorStrategy::compensate, ErrorStrategy::dead_letter,
                 ErrorStrategy::retry_then_compensate})
    EXPECT_EQ(parse_error_strategy(to_string(s)), s);
  EXPECT_EQ(to_string(ErrorStrategy::dead_letter), "dead-letter");
  EXPECT_EQ(to_string(ErrorStrategy::retry_then_compensate), "retry-then-compensate");
  EXPECT_EQ(parse_error_strategy("retry_then_compensate"), ErrorStrategy::retry_then_compensate);
  EXPECT_EQ(parse_error_strategy("dead_letter"), ErrorStrategy::dead_letter);
  EXPECT_FALSE(parse_error_strategy("").has_value());
  EXPECT_FALSE(parse_error_strategy("retry-forever").has_value());
  EXPECT_TRUE(strategy_retries(ErrorStrategy::retry_then_compensate));
  EXPECT_FALSE(strategy_retries(ErrorStrategy::dead_letter));
}
