#pragma once
// CPU used while nothing happens: by an Engine in this process (after it ran some workflows) and,
// when a program is given, by an actorflow-node with no workflows to run, over the same window.
#include <actorflow/actorflow.hpp>

#include <chrono>
#include <string>

namespace bench {

struct IdleCpu {
  double seconds = 0;
  double engine_percent = 0;  // of one core
  double node_percent = -1;   // -1: not measured
};

// The engine is made from `options` (its store and end hook are set here).
IdleCpu measure_idle_cpu(actorflow::EngineOptions options, const std::string& node_program, std::chrono::seconds duration);

}  // namespace bench
