#pragma once
// Memory per live in-flight workflow: N sagas are started and held in their first step (an async
// handler that keeps its callbacks), so each has a running instance actor, a dispatched step and
// its timeout timer. The process' resident memory then, less before, over N. Then they are all
// released and must complete.
#include <actorflow/store.hpp>

#include <cstdint>
#include <memory>

namespace bench {

struct InFlightMemory {
  int64_t workflows = 0;
  double bytes_per_workflow = 0;
  int64_t completed = 0;  // after release
};

InFlightMemory measure_in_flight_memory(std::shared_ptr<actorflow::Store> store, int64_t workflows);

}  // namespace bench
