#pragma once
// An OTP-style supervisor usable for any actors: it starts its children in order, monitors them
// and restarts them when they fail, per strategy. More than `restarts_max` restarts within
// `period` means the children cannot be kept alive: the supervisor stops its children and exits
// with an error (its own supervisor, if any, decides what next).
#include <actorflow/export.hpp>
#include <actorflow/clock.hpp>

#include <caf/fwd.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ACTORFLOW_API actorflow {

enum class RestartStrategy {
  one_for_one,   // restart only the child that failed
  one_for_all,   // restart every child
  rest_for_one,  // restart the failed child and the children started after it
};

enum class RestartPolicy {
  permanent,  // always restarted
  transient,  // restarted only after an abnormal exit
  temporary,  // never restarted
};

struct ChildSpec {
  std::string name;
  std::function<caf::actor(caf::actor_system&)> start;
  RestartPolicy restart = RestartPolicy::permanent;
};

struct SupervisorOptions {
  RestartStrategy strategy = RestartStrategy::one_for_one;
  int restarts_max = 3;
  Millis period{5'000};
  std::vector<ChildSpec> children;
};

// Spawns the supervisor. It answers:
//   (child_atom, std::string name) -> caf::actor   (the child's current incarnation)
//   (restarts_atom)                -> int           (restarts so far)
// An exit message sent to it stops its children, then itself.
caf::actor spawn_supervisor(caf::actor_system& system, SupervisorOptions options,
                            std::shared_ptr<Clock> clock);

}  // namespace actorflow
