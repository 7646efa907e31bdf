#include <actorflow/actors/atoms.hpp>
#include <actorflow/actors/supervisor.hpp>
#include <actorflow/virtual_clock.hpp>

#include <caf/all.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

using namespace actorflow;
using namespace std::chrono_literals;

namespace {

using crash_atom = caf::atom_constant<caf::atom("crash")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using ping_atom = caf::atom_constant<caf::atom("ping")>;

caf::behavior worker(caf::event_based_actor* self) {
  return {
      // CAF's default exception handler ends the actor with exit_reason::unhandled_exception.
      [](crash_atom) { throw std::runtime_error("worker crashed"); },
      [self](stop_atom) { self->quit(); },  // a normal exit
      [](ping_atom) { return ping_atom::value; },
  };
}

ChildSpec child(std::string name, RestartPolicy restart = RestartPolicy::permanent) {
  return {std::move(name), [](caf::actor_system& sys) { return sys.spawn(worker); }, restart};
}

class Supervisor : public testing::Test {
 protected:
  static caf::actor_system_config& configure(caf::actor_system_config& cfg) {
    cfg.set("scheduler.max-threads", 2);
    return cfg;
  }

  void TearDown() override {
    // The actor system waits for every actor on shutdown; stopping a supervisor stops its children.
    for (auto& sup : supervisors_) self_->send_exit(sup, caf::exit_reason::kill);
  }

  caf::actor start(RestartStrategy strategy, std::vector<ChildSpec> children,
                   int restarts_max = 3) {
    SupervisorOptions options;
    options.strategy = strategy;
    options.restarts_max = restarts_max;
    options.period = 5s;
    options.children = std::move(children);
    auto sup = spawn_supervisor(sys_, std::move(options), clock_);
    supervisors_.push_back(sup);
    return sup;
  }

  caf::actor child_of(const caf::actor& sup, const std::string& name) {
    caf::actor result;
    self_->request(sup, 5s, child_atom::value, name)
        .receive([&](caf::actor& a) { result = a; },
                 [&](caf::error& e) { ADD_FAILURE() << sys_.render(e); });
    return result;
  }

  int restarts_of(const caf::actor& sup) {
    int result = -1;
    self_->request(sup, 5s, restarts_atom::value)
        .receive([&](int n) { result = n; },
                 [&](caf::error& e) { ADD_FAILURE() << sys_.render(e); });
    return result;
  }

  // The child's incarnation once it is no longer `old`. We may learn of a crash before the
  // supervisor has handled the child's down_msg, so there is no message to wait for: poll, with a
  // bound, yielding between attempts.
  caf::actor await_replacement(const caf::actor& sup, const std::string& name,
                               const caf::actor& old) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto current = child_of(sup, name);
      if (current != old) return current;
      std::this_thread::yield();
    }
    ADD_FAILURE() << "child '" << name << "' was not replaced";
    return old;
  }

  // Waits for the down_msgs of `whom` (all monitored by this test), in any order; returns their
  // reasons in the order of `whom`.
  std::vector<caf::error> await_downs(const std::vector<caf::actor>& whom) {
    std::vector<caf::error> reasons(whom.size());
    std::vector<bool> seen(whom.size(), false);
    size_t missing = whom.size();
    bool timed_out = false;
    while (missing > 0 && !timed_out) {
      self_->receive(
          [&](caf::down_msg& down) {
            for (size_t i = 0; i < whom.size(); ++i) {
              if (!seen[i] && down.source == whom[i].address()) {
                seen[i] = true;
                reasons[i] = down.reason;
                --missing;
              }
            }
          },
          caf::after(10s) >> [&] { timed_out = true; });
    }
    EXPECT_FALSE(timed_out) << missing << " down_msg(s) missing";
    return reasons;
  }

  caf::error await_down(const caf::actor& whom) { return await_downs({whom}).at(0); }

  void crash(const caf::actor& a) { self_->send(a, crash_atom::value); }

  bool alive(const caf::actor& a) {
    bool answered = false;
    self_->request(a, 5s, ping_atom::value)
        .receive([&](ping_atom) { answered = true; }, [](caf::error&) {});
    return answered;
  }

  caf::actor_system_config cfg_;
  caf::actor_system sys_{configure(cfg_)};
  caf::scoped_actor self_{sys_};
  std::shared_ptr<VirtualClock> clock_ = std::make_shared<VirtualClock>();
  std::vector<caf::actor> supervisors_;
};

struct Trio {
  caf::actor a, b, c;
};

}  // namespace

TEST_F(Supervisor, OneForOneRestartsOnlyTheFailedChild) {
  auto sup = start(RestartStrategy::one_for_one, {child("a"), child("b"), child("c")});
  Trio before{child_of(sup, "a"), child_of(sup, "b"), child_of(sup, "c")};
  crash(before.b);
  auto new_b = await_replacement(sup, "b", before.b);
  EXPECT_TRUE(alive(new_b));
  EXPECT_EQ(child_of(sup, "a"), before.a);
  EXPECT_EQ(child_of(sup, "c"), before.c);
  EXPECT_EQ(restarts_of(sup), 1);
}

TEST_F(Supervisor, OneForAllRestartsEveryChild) {
  auto sup = start(RestartStrategy::one_for_all, {child("a"), child("b"), child("c")});
  Trio before{child_of(sup, "a"), child_of(sup, "b"), child_of(sup, "c")};
  self_->monitor(before.a);
  self_->monitor(before.c);
  crash(before.b);
  await_replacement(sup, "b", before.b);
  // Restarting is one step of the supervisor: once b is replaced, so are its siblings.
  Trio after{child_of(sup, "a"), child_of(sup, "b"), child_of(sup, "c")};
  EXPECT_NE(after.a, before.a);
  EXPECT_NE(after.c, before.c);
  auto reasons = await_downs({before.a, before.c});
  EXPECT_EQ(reasons[0], caf::exit_reason::kill);
  EXPECT_EQ(reasons[1], caf::exit_reason::kill);
  EXPECT_TRUE(alive(after.a) && alive(after.b) && alive(after.c));
  EXPECT_EQ(restarts_of(sup), 1);  // one failure, one restart, however many children it took
}

TEST_F(Supervisor, RestForOneRestartsTheFailedChildAndThoseStartedAfterIt) {
  auto sup = start(RestartStrategy::rest_for_one, {child("a"), child("b"), child("c")});
  Trio before{child_of(sup, "a"), child_of(sup, "b"), child_of(sup, "c")};
  crash(before.b);
  await_replacement(sup, "b", before.b);
  EXPECT_EQ(child_of(sup, "a"), before.a);
  EXPECT_NE(child_of(sup, "c"), before.c);
  EXPECT_EQ(restarts_of(sup), 1);
}

TEST_F(Supervisor, KillingAChildCountsAsAFailure) {
  auto sup = start(RestartStrategy::one_for_one, {child("a")});
  auto before = child_of(sup, "a");
  self_->send_exit(before, caf::exit_reason::kill);
  EXPECT_TRUE(alive(await_replacement(sup, "a", before)));
}

TEST_F(Supervisor, PermanentChildIsRestartedEvenAfterANormalExit) {
  auto sup = start(RestartStrategy::one_for_one, {child("p", RestartPolicy::permanent)});
  auto before = child_of(sup, "p");
  self_->send(before, stop_atom::value);
  EXPECT_TRUE(alive(await_replacement(sup, "p", before)));
}

TEST_F(Supervisor, TransientChildIsRestartedOnlyAfterAnAbnormalExit) {
  auto sup = start(RestartStrategy::one_for_one, {child("t", RestartPolicy::transient)});
  auto first = child_of(sup, "t");
  crash(first);
  auto second = await_replacement(sup, "t", first);
  ASSERT_TRUE(second);
  self_->send(second, stop_atom::value);
  auto after_stop = await_replacement(sup, "t", second);
  EXPECT_FALSE(after_stop) << "a normal exit leaves a transient child stopped";
  EXPECT_EQ(restarts_of(sup), 1);
}

TEST_F(Supervisor, TransientChildStoppedWithUserShutdownStaysStopped) {
  auto sup = start(RestartStrategy::one_for_one, {child("t", RestartPolicy::transient)});
  auto before = child_of(sup, "t");
  self_->send_exit(before, caf::exit_reason::user_shutdown);  // OTP's `shutdown`: not a failure
  EXPECT_FALSE(await_replacement(sup, "t", before));
  EXPECT_EQ(restarts_of(sup), 0);
}

TEST_F(Supervisor, TemporaryChildIsNeverRestarted) {
  auto sup =
      start(RestartStrategy::one_for_one, {child("once", RestartPolicy::temporary), child("a")});
  auto before = child_of(sup, "once");
  crash(before);
  EXPECT_FALSE(await_replacement(sup, "once", before));
  EXPECT_EQ(restarts_of(sup), 0);
}

TEST_F(Supervisor, TemporarySiblingIsStoppedButNotRestarted) {
  auto sup =
      start(RestartStrategy::one_for_all, {child("a"), child("once", RestartPolicy::temporary)});
  auto a = child_of(sup, "a");
  auto once = child_of(sup, "once");
  self_->monitor(once);
  crash(a);
  await_replacement(sup, "a", a);
  EXPECT_FALSE(child_of(sup, "once"));
  EXPECT_EQ(await_down(once), caf::exit_reason::kill);
}

TEST_F(Supervisor, UnknownChildIsAnError) {
  auto sup = start(RestartStrategy::one_for_one, {child("a")});
  std::string error;
  self_->request(sup, 5s, child_atom::value, std::string("nope"))
      .receive([](caf::actor&) {}, [&](caf::error& e) { error = sys_.render(e); });
  EXPECT_THAT(error, testing::HasSubstr("unknown child 'nope'"));
}

TEST_F(Supervisor, RestartsSpreadOverMoreThanThePeriodAreFine) {
  auto sup = start(RestartStrategy::one_for_one, {child("a")}, /*restarts_max=*/1);
  self_->monitor(sup);
  auto current = child_of(sup, "a");
  for (int i = 0; i < 4; ++i) {
    crash(current);
    current = await_replacement(sup, "a", current);
    clock_->advance(5s);  // the previous restart leaves the period
  }
  EXPECT_EQ(restarts_of(sup), 4);
}

TEST_F(Supervisor, TooManyRestartsWithinThePeriodTakeTheSupervisorDown) {
  auto sup = start(RestartStrategy::one_for_one, {child("a"), child("b")}, /*restarts_max=*/2);
  self_->monitor(sup);
  auto b = child_of(sup, "b");
  self_->monitor(b);
  auto current = child_of(sup, "a");
  for (int i = 0; i < 2; ++i) {
    crash(current);
    current = await_replacement(sup, "a", current);
    clock_->advance(1s);  // still inside the 5 s period
  }
  crash(current);  // the third restart within 5 s is one too many
  auto reasons = await_downs({sup, b});
  EXPECT_THAT(sys_.render(reasons[0]), testing::HasSubstr("restart intensity exceeded"));
  EXPECT_EQ(reasons[1], caf::exit_reason::kill);
}

TEST_F(Supervisor, ExitMessageStopsTheChildrenThenTheSupervisor) {
  auto sup = start(RestartStrategy::one_for_one, {child("a"), child("b")});
  auto a = child_of(sup, "a");
  auto b = child_of(sup, "b");
  self_->monitor(sup);
  self_->monitor(a);
  self_->monitor(b);
  self_->send_exit(sup, caf::exit_reason::user_shutdown);
  auto reasons = await_downs({sup, a, b});
  EXPECT_EQ(reasons[0], caf::exit_reason::user_shutdown);
  EXPECT_TRUE(reasons[1]) << "a still running";
  EXPECT_TRUE(reasons[2]) << "b still running";
}

TEST_F(Supervisor, KilledSupervisorStillStopsItsChildren) {
  auto sup = start(RestartStrategy::one_for_one, {child("a")});
  auto a = child_of(sup, "a");
  self_->monitor(a);
  self_->send_exit(sup, caf::exit_reason::kill);  // cannot be trapped: no exit handler runs
  EXPECT_EQ(await_down(a), caf::exit_reason::kill);
}

TEST_F(Supervisor, ChildThatCannotStartTakesTheSupervisorDown) {
  ChildSpec broken{"broken", [](caf::actor_system&) { return caf::actor{}; },
                   RestartPolicy::permanent};
  auto sup = start(RestartStrategy::one_for_one, {child("a"), broken});
  self_->monitor(sup);
  EXPECT_THAT(sys_.render(await_down(sup)), testing::HasSubstr("child 'broken' failed to start"));
}
