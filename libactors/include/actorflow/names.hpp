#pragma once
// The one grammar of names (limits.hpp). Names become parts of file names, store keys, paths and
// URLs, so they are checked wherever they enter: definitions when validated, starts, signals and
// schedules when accepted, by the C++ API, YAML and HTTP alike.
//   names (definition names, step and node names, signal names, schedule ids):
//     [A-Za-z0-9_.-], 1..128 bytes, not starting with '.'
//   workflow ids: printable (no byte below 0x20, no 0x7f), 1..256 bytes
#include <actorflow/export.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace ACTORFLOW_API actorflow {

// "<what> '<name>' ..." naming the grammar, or nothing when `name` follows it. `what` says what
// the name is ("step name", "signal name", ...). A long name is shown cut to its first 64 bytes.
std::optional<std::string> name_problem(std::string_view what, std::string_view name);

// The same for a workflow id.
std::optional<std::string> workflow_id_problem(std::string_view id);

}  // namespace actorflow
