#pragma once
// The store kinds this build of the library opens (see open_store() in store.hpp), for reports of
// what a build holds (GET /v1/version).
#include <actorflow/export.hpp>
#include <string>
#include <vector>

namespace ACTORFLOW_API actorflow {

// The spec prefixes open_store() accepts, in a fixed order: "memory", "sqlite", "redis".
std::vector<std::string> store_kinds();

}  // namespace actorflow
