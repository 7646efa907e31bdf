#pragma once
// What this build of the node is (GET /v1/version): {"version","git_revision","build_type",
// "store_kinds","plugin_abi_version"}; the values of actorflow/version.hpp, store_kinds.hpp and
// plugin.hpp of the linked library.
#include <actorflow/json.hpp>

namespace actorflow::node {

Json version_json();

}  // namespace actorflow::node
