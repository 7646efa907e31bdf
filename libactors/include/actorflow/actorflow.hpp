#pragma once
// Everything a program that runs workflows uses, in one include: the engine, the types its API
// passes (definitions, handlers, statuses, history, metrics, schedules, breakers) and JSON.
// Headers of their own: the YAML loader (yaml_definition.hpp), plugins (plugin.hpp), the
// failure-point explorer (testing/), the CAF actors for programs built on CAF (actors/).
#include <actorflow/circuit_breaker.hpp>
#include <actorflow/engine.hpp>
#include <actorflow/history_event.hpp>
#include <actorflow/json.hpp>
#include <actorflow/metrics.hpp>
#include <actorflow/schedule.hpp>
#include <actorflow/step_handler.hpp>
#include <actorflow/store.hpp>
#include <actorflow/workflow_definition.hpp>
#include <actorflow/workflow_info.hpp>
#include <actorflow/workflow_status.hpp>
