#pragma once
// Workflow definitions written in YAML (config/workflows/*.yaml), loaded into the same
// WorkflowDefinition trees that WorkflowBuilder makes. A file holds one definition per YAML
// document (documents are separated by `---`). The format, in full (config/workflows/README.md
// has the same with more words):
//
//   name: order_saga                  # required; the name the engine starts it by
//   version: 1                        # required, >= 1; a registered version is immutable
//   description: free text            # optional, ignored
//   defaults:                         # optional; what steps get unless they say otherwise
//     timeout: 30s                    #   step timeout
//     retry: {max: 3, initial: 1s, multiplier: 2, max_interval: 30s, jitter: 0.2}
//     on_error: retry-then-compensate #   retry | compensate | dead-letter | retry-then-compensate
//   steps:                            # required, non-empty: the nodes, run in order
//     - step: reserve_inventory       # a step; its output lands at data/reserve_inventory
//       handler: inventory.reserve    #   required: a handler the program registered
//       compensate: inventory.release #   undoes it when a later step fails for good
//       timeout: 5s
//       retry: {max: 5, initial: 100ms}   # keys left out come from defaults.retry (or built-ins)
//       on_error: compensate
//       breaker: payments             #   a circuit breaker the program registered
//       input: /order                 #   JSON pointer into the data, or a map field: pointer
//     - parallel: notify              # fork/join: every branch runs, all must succeed
//       branches:
//         - [{step: email, handler: notify.email}]
//         - [{step: sms, handler: notify.sms}]
//     - choice: gate                  # the first branch whose `if` holds runs, else otherwise
//       when:
//         - if: {path: /amount, op: ">", value: 100}
//           then: [...nodes...]
//       otherwise: [...nodes...]      # optional
//     - approval: manager             # a wait for {"decision": "approve"|"reject", ...}
//       signal: manager               #   default: the node's name (also for `wait`)
//       timeout: 48h                  #   default: wait forever
//       on_timeout: {escalate: [...nodes...], then_timeout: 24h}
//                                     #   or: fail (the default), or {branch: [...nodes...]}
//     - wait: confirmation            # a wait for a signal; its payload lands at data/confirmation
//       signal: confirmed
//     - sleep: cool_off               # a durable timer:
//       for: 10m                      #   a duration, or  until: /remind_at  (ms since epoch)
//     - child: ship                   # starts a child workflow and waits for it
//       workflow: shipping            #   required; also: input, compensate, on_error
//
// Durations: an integer and a unit, ms s m h d, several may follow each other: 500ms, 30s, 1h30m.
// Conditions (`if`): {path: <pointer>, op: <op>, value: <JSON>} with op one of "==", "!=", "<",
// "<=", ">", ">=" (quoted: unquoted, YAML reads `!=` as a tag and `>` as a block; or the words eq,
// ne, lt, le, gt, ge), in (value is a list), exists (value: true (default) or false); or
// {all: [...]}, {any: [...]}, {not: <condition>}; or literally true / false. A path missing from
// the data, or ordering a number against a string, makes a comparison false: `<` and friends
// compare numbers with numbers and strings with strings. Quoted values are strings; unquoted ones
// are numbers, booleans or null when they read as such.
//
// Everything is checked before a definition is accepted, and every problem is reported, each as
// "source:line:column: context: what (expected ...)": malformed YAML, unknown or duplicate keys,
// missing keys, wrong types, bad durations, bad JSON pointers, bad retry policies, duplicate node
// names, on_timeout without a timeout, unreachable choice branches (a condition that is literally
// false, `in` an empty list, a branch after one whose condition is literally true, a condition
// repeating an earlier branch's), a definition name and version loaded twice, and cycles of child
// workflows between the definitions loaded together (a -> b -> a, using each name's highest
// version, which is the one the engine starts). Handlers, breakers and child workflows not loaded
// together are checked only when YamlLoadOptions says how; Engine::register_workflow checks them
// again in any case.
#include <actorflow/export.hpp>
#include <actorflow/limits.hpp>
#include <actorflow/clock.hpp>
#include <actorflow/duration.hpp>
#include <actorflow/workflow_definition.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ACTORFLOW_API actorflow {

inline constexpr size_t kYamlBytesMax = limits::kYamlBytesMax;  // a file (or text) longer is refused
inline constexpr int kYamlDepthMax = limits::kYamlDepthMax;  // nodes nested deeper are refused
inline constexpr int kYamlNodesMax = limits::kYamlNodesMax;  // nodes in one definition
inline constexpr int kYamlProblemsMax = limits::kYamlProblemsMax;  // reported per load; then "... and N more"
inline constexpr int kYamlFilesMax = limits::kYamlFilesMax;  // files read by load_workflow_dir
inline constexpr int kYamlRetriesMax = limits::kYamlRetriesMax;  // retry.max above this is refused

struct YamlLoadResult {
  // The definitions without a problem of their own, ordered so that a child workflow comes before
  // the workflows that start it (the order Engine::register_workflow needs). Refuse the whole set
  // when `problems` is not empty.
  std::vector<WorkflowDefinition> definitions;
  // Every problem found, each naming source:line:column: file by file, node by node, then those
  // between definitions (duplicate versions, child cycles).
  std::vector<std::string> problems;

  bool ok() const { return problems.empty(); }
};

// Optional checks against what the embedding program registers. An empty function: not checked
// here (the engine checks at registration, without YAML locations).
struct YamlLoadOptions {
  std::function<bool(const std::string&)> has_handler;
  std::function<bool(const std::string&)> has_breaker;
  std::function<bool(const std::string&)> has_definition;  // child workflows not loaded together
};

// The loaders share no state: they are thread-safe. They never throw for bad input; every problem
// is in the result.
//
// Parses every definition in `text`; `source_name` (e.g. "orders.yaml") prefixes the locations.
YamlLoadResult load_workflow_yaml(std::string_view text, const std::string& source_name,
                                  const YamlLoadOptions& options = {});
// Reads and parses one file; locations name the file as given.
YamlLoadResult load_workflow_file(const std::string& path, const YamlLoadOptions& options = {});
// Loads every *.yaml and *.yml file in `dir` (not recursive), sorted by name, as one set: child
// cycles and duplicate versions are found across files.
YamlLoadResult load_workflow_dir(const std::string& dir, const YamlLoadOptions& options = {});

// Durations in definitions: parse_duration (actorflow/duration.hpp), without fractions or bare
// numbers, at most kDurationMsMax.

}  // namespace actorflow
