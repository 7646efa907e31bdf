#include <actorflow/version.hpp>

#include "version_build.hpp"

namespace actorflow {

const char* version() { return ACTORFLOW_VERSION; }
const char* git_revision() { return ACTORFLOW_GIT_REVISION; }
const char* build_type() { return ACTORFLOW_BUILD_TYPE; }

}  // namespace actorflow
