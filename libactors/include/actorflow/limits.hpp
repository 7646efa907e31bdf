#pragma once
// Every limit of the library and the node, in one place: its name, its default and the node
// config key that changes it (none: fixed). What exceeding it causes is in docs/ARCHITECTURE.md
// ("Limits"); every error names the limit. Untrusted text is checked against these before it is
// parsed (bounded_parse.hpp) and names before they are used (names.hpp).
#include <chrono>
#include <cstddef>

namespace actorflow::limits {

// ---- Parsed input (JSON and YAML) ----
// Nesting depth of any JSON the node parses or is given: HTTP bodies, stored data read back,
// cluster messages, inputs and payloads given to the C++ API. Config: limits.json_depth_max.
inline constexpr size_t kJsonDepthMax = 64;
// Stored data and peer messages wrap accepted JSON: they are read with json_depth_max plus this.
inline constexpr size_t kStoredJsonDepthMargin = 64;
// Nesting of a YAML text (block indentation, "- " indicators, flow brackets), checked before
// yaml-cpp parses it: definitions, node config, chaos files. Fixed (yaml_nesting_max).
inline constexpr size_t kYamlNestingMax = 256;  // room for 32 nested definition nodes, 3 text levels each
// Size of one YAML text (a definitions file or body, the node config, a chaos file). Fixed.
inline constexpr size_t kYamlBytesMax = 1 << 20;
// Workflow definitions (yaml_definition.hpp): nodes nested, nodes in one definition, problems
// reported per load, files read from a directory, retry.max. Fixed.
inline constexpr int kYamlDepthMax = 32;
inline constexpr int kYamlNodesMax = 10'000;
inline constexpr int kYamlProblemsMax = 200;
inline constexpr int kYamlFilesMax = 1'000;
inline constexpr int kYamlRetriesMax = 1'000;

// ---- Names ----
// Definition names and versions, step and node names, signal names, schedule ids:
// [A-Za-z0-9_.-], 1..kNameBytesMax bytes, no leading dot. Fixed.
inline constexpr size_t kNameBytesMax = 128;
// Workflow ids: printable (no byte below 0x20, no 0x7f), 1..kWorkflowIdBytesMax bytes. Fixed.
inline constexpr size_t kWorkflowIdBytesMax = 256;

// ---- HTTP (the node's API server) ----
inline constexpr size_t kBodyBytesMax = 1 << 20;          // http.body_bytes_max: 413 beyond
inline constexpr size_t kHeaderBytesMax = 64 << 10;       // http.header_bytes_max: request line + headers, 431 beyond
inline constexpr size_t kConnectionsMax = 20'000;         // http.connections_max: open connections, 503 beyond
inline constexpr std::chrono::milliseconds kHeaderTimeout{10'000};     // http.header_timeout: the head must arrive within
inline constexpr std::chrono::milliseconds kBodyTimeout{30'000};       // http.body_timeout: the body must arrive within
inline constexpr std::chrono::milliseconds kKeepAliveTimeout{5'000};   // http.keep_alive_timeout: idle connection closed
inline constexpr size_t kKeepAliveRequestsMax = 1'000;    // http.keep_alive_requests_max: then Connection: close
inline constexpr size_t kHttpWorkers = 8;                 // http.workers: threads answering complete requests
inline constexpr size_t kHttpQueueMax = 10'000;           // http.queue_max: complete requests waiting, 503 beyond
inline constexpr size_t kListPageMax = 1'000;             // a page of GET /v1/workflows (limit=). Fixed.

// ---- Engine (EngineOptions; defaults mirrored in engine.hpp) ----
inline constexpr int kStepQueueMax = 100'000;        // engine.step_queue_max: a queued step beyond fails (retryably)
inline constexpr int kBreakerWaitsMax = 1'000;       // engine.breaker_waits_max: a step denied this often fails
inline constexpr int kInstanceRestartsMax = 3;       // engine.instance_restarts_max: then dead-lettered
inline constexpr size_t kStoreBatchWritesMax = 1'024;  // writes in one store commit batch. Fixed.

// ---- Other fixed limits (defined where they are used) ----
// Cron text: CronExpression::kTextBytesMax (1,024). Chaos policies: kChaosPoliciesMax (1,000).
// Node plugins: node::kPluginsMax (64). Node id: 64 bytes of [A-Za-z0-9._-].

}  // namespace actorflow::limits
