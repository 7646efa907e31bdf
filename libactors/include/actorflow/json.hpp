#pragma once
// Workflow data is JSON: every step reads the workflow's data and its output is merged under
// the step's name.
#include <nlohmann/json.hpp>

namespace actorflow {
using Json = nlohmann::json;
}  // namespace actorflow
