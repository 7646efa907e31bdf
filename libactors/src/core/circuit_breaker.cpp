#include <actorflow/actors/atoms.hpp>
#include <actorflow/actors/circuit_breaker_actor.hpp>
#include <actorflow/logging.hpp>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <algorithm>
#include <optional>

namespace actorflow {

std::string_view to_string(BreakerState state) {
  switch (state) {
    case BreakerState::closed: return "closed";
    case BreakerState::open: return "open";
    case BreakerState::half_open: return "half-open";
  }
  return "unknown";
}

BreakerState CircuitBreaker::state(int64_t now_ms) {
  if (state_ == BreakerState::open && now_ms >= opened_at_ms_ + options_.reset_timeout.count()) {
    state_ = BreakerState::half_open;
    trials_in_flight_ = 0;
    trial_successes_ = 0;
  }
  return state_;
}

BreakerPermit CircuitBreaker::acquire(int64_t now_ms) {
  switch (state(now_ms)) {
    case BreakerState::closed: return {true, 0, BreakerState::closed};
    case BreakerState::open:
      return {false, opened_at_ms_ + options_.reset_timeout.count() - now_ms, BreakerState::open};
    case BreakerState::half_open:
      // Successful trials still count: at most half_open_trials_max calls pass per half-open spell.
      if (trials_in_flight_ + trial_successes_ < options_.half_open_trials_max) {
        ++trials_in_flight_;
        return {true, 0, BreakerState::half_open};
      }
      return {false, std::min<int64_t>(1'000, options_.reset_timeout.count()),
              BreakerState::half_open};
  }
  return {false, 0, state_};
}

void CircuitBreaker::record(bool success, int64_t now_ms) {
  switch (state_) {
    case BreakerState::open: return;  // a late answer to a call made before the breaker opened
    case BreakerState::closed:
      if (success) return;
      while (!failures_ms_.empty() && failures_ms_.front() <= now_ms - options_.window.count())
        failures_ms_.pop_front();
      failures_ms_.push_back(now_ms);
      if (static_cast<int>(failures_ms_.size()) >= options_.failures_threshold) open(now_ms);
      return;
    case BreakerState::half_open:
      if (trials_in_flight_ == 0) return;  // late answer from before: not one of our trials
      --trials_in_flight_;
      if (!success) {
        open(now_ms);
      } else if (++trial_successes_ >= options_.half_open_trials_max) {
        state_ = BreakerState::closed;
        failures_ms_.clear();
      }
      return;
  }
}

void CircuitBreaker::open(int64_t now_ms) {
  state_ = BreakerState::open;
  opened_at_ms_ = now_ms;
  failures_ms_.clear();
  trials_in_flight_ = 0;
  trial_successes_ = 0;
}

namespace {

struct BreakerActorState {
  std::string service;
  std::optional<CircuitBreaker> breaker;
  std::shared_ptr<Clock> clock;
  BreakerState last_logged = BreakerState::closed;
  static inline const char* name = "circuit-breaker";

  // Logs a transition if the breaker's state differs from the one last seen.
  void observe(int64_t now_ms) {
    const BreakerState current = breaker->state(now_ms);
    if (current == last_logged) return;
    log_json(spdlog::level::info, {{"event", "breaker_transition"},
                                   {"service", service},
                                   {"from", to_string(last_logged)},
                                   {"to", to_string(current)},
                                   {"at_ms", now_ms}});
    last_logged = current;
  }
};

caf::behavior breaker_actor(caf::stateful_actor<BreakerActorState>* self, std::string service,
                            BreakerOptions options, std::shared_ptr<Clock> clock) {
  auto& st = self->state;
  st.service = std::move(service);
  st.breaker.emplace(options);
  st.clock = std::move(clock);
  return {
      [self](acquire_atom) {
        auto& st = self->state;
        const int64_t now_ms = st.clock->now_ms();
        BreakerPermit permit = st.breaker->acquire(now_ms);
        st.observe(now_ms);
        return permit;
      },
      [self](record_atom, bool success) {
        auto& st = self->state;
        const int64_t now_ms = st.clock->now_ms();
        st.breaker->record(success, now_ms);
        st.observe(now_ms);
      },
      [self](state_atom) {
        auto& st = self->state;
        const int64_t now_ms = st.clock->now_ms();
        st.observe(now_ms);
        return st.breaker->state(now_ms);
      },
  };
}

}  // namespace

caf::actor spawn_circuit_breaker(caf::actor_system& system, std::string service,
                                 BreakerOptions options, std::shared_ptr<Clock> clock) {
  return system.spawn(breaker_actor, std::move(service), options, std::move(clock));
}

}  // namespace actorflow
