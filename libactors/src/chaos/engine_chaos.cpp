// Engine calls for chaos policies (actorflow/chaos.hpp).
#include <actorflow/actorflow.hpp>

#include "workflow/engine_core.hpp"

namespace actorflow {

Status Engine::set_chaos(ChaosConfig config) { return core_->chaos->configure(std::move(config)); }

ChaosConfig Engine::chaos() const { return core_->chaos->config(); }

}  // namespace actorflow
