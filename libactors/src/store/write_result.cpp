#include <actorflow/store.hpp>

namespace actorflow {

std::string_view to_string(WriteResult result) {
  switch (result) {
    case WriteResult::ok: return "ok";
    case WriteResult::exists: return "exists";
    case WriteResult::stale_epoch: return "stale-epoch";
    case WriteResult::unavailable: return "unavailable";
  }
  return "unknown";
}

}  // namespace actorflow
