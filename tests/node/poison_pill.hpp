#pragma once
// The workflow of the aborting test plugin (plugins/aborting_plugin.cpp): it prepares, then
// explodes; with input {"abort": true} the explode handler aborts the process.
namespace actorflow::testing {

inline constexpr const char* kPoisonPillYaml = R"(name: poison_pill
version: 1
steps:
  - step: prepare
    handler: poison.prepare
    compensate: poison.undo
  - step: explode
    handler: poison.explode
    compensate: poison.undo
)";

}  // namespace actorflow::testing
