#pragma once
// The name of the JSON type, for headers that only pass it around (declarations, references):
// including it costs a fraction of actorflow/json.hpp. Include that one to build or read values.
#include <actorflow/export.hpp>
#include <nlohmann/json_fwd.hpp>

namespace ACTORFLOW_API actorflow {
using Json = nlohmann::json;
}  // namespace actorflow
