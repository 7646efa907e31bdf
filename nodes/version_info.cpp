#include "version_info.hpp"

#include <actorflow/plugin.hpp>
#include <actorflow/store_kinds.hpp>
#include <actorflow/version.hpp>

namespace actorflow::node {

Json version_json() {
  return Json{{"version", version()},
              {"git_revision", git_revision()},
              {"build_type", build_type()},
              {"store_kinds", store_kinds()},
              {"plugin_abi_version", kPluginAbiVersion}};
}

}  // namespace actorflow::node
