// A new workflow in its instance: the first transition runs before anything is stored, and the
// commit that creates the workflow carries it, so starting costs one write, not two, and no read.
#include "workflow/workflow_runner.hpp"

#include <actorflow/logging.hpp>

#include <caf/all.hpp>

#include <stdexcept>

namespace actorflow {

void WorkflowRunner::begin(StartRequest request) {
  state_ = std::move(request.state);
  definition_ = std::move(request.definition);
  start_reply_.emplace(std::move(request.reply));
  epoch_ = core_.write_epoch(state_.id);  // 0 (a cluster shard just lost): the create is refused
  index(definition_->root);
  record("workflow_started", {}, 0, {}, "running");
  try {
    advance();
  } catch (const std::exception& e) {
    // A bug in the definition (a throwing condition): the workflow is created as far as it got,
    // then the instance crashes like one that was running, so the supervisor's restarts apply.
    crash_after_start_ = e.what();
  } catch (...) {
    crash_after_start_ = "a non-standard exception";
  }
  commit();
}

bool WorkflowRunner::start_acknowledged(WriteResult written) {
  StartReply reply = std::move(*start_reply_);
  start_reply_.reset();
  if (written == WriteResult::exists) {
    // Nothing of this instance left it: the stored workflow stays as it is.
    reply({Status::ok(), false});
    self_->quit();
    return false;
  }
  if (written != WriteResult::ok) {
    // Stale: this node lost the workflow's shard meanwhile; the caller may ask its new owner.
    reply({Status::error("start of '" + state_.id + "' not stored: " + std::string(to_string(written))), false,
           written == WriteResult::stale_epoch || written == WriteResult::unavailable});
    return true;  // then stops as fenced
  }
  ++core_.counters.workflows_started;
  reply({Status::ok(), true});
  if (!crash_after_start_.empty()) throw std::runtime_error(crash_after_start_);
  return true;
}

}  // namespace actorflow
