// A new workflow in its instance: the first transition runs before anything is stored, and the
// commit that creates it carries it, so starting costs one write, not two, and no read.
// "Created" and "already exists" are answered only from what the store holds.
#include "workflow/workflow_runner.hpp"

#include <actorflow/logging.hpp>

#include <caf/all.hpp>

#include <stdexcept>

namespace actorflow {
namespace {

// The answer to a start of `id` that found `stored` there: the same start again (a retry) is
// answered "existed"; another definition or input is a clash.
StartResult existing_answer(const WorkflowState& stored, const std::string& definition, uint64_t input_digest) {
  const bool same_definition = stored.definition == definition;
  // 0: written before the digest was kept; the input cannot be compared, so a retry is assumed.
  const bool same_input = stored.input_digest == 0 || stored.input_digest == input_digest;
  if (same_definition && same_input) return {Status::ok(), false};
  return {Status::error(StatusCode::already_exists,
                        "workflow '" + stored.id + "' exists (definition '" + stored.definition + "', status " +
                            std::string(to_string(stored.status)) + ") with " +
                            (same_definition ? "a different input" : "another definition than '" + definition + "'")),
          false};
}

}  // namespace

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

void WorkflowRunner::on_repeated_start(StartRequest request) {
  // The creating commit is awaited before any other message, so state_ is what the store holds.
  request.reply(existing_answer(state_, request.state.definition, request.state.input_digest));
}

bool WorkflowRunner::start_acknowledged(WriteResult written) {
  StartReply reply = std::move(*start_reply_);
  start_reply_.reset();
  if (written == WriteResult::exists) {
    // Nothing of this instance left it: the stored workflow stays as it is.
    answer_from_stored(std::move(reply));
    return false;
  }
  if (written != WriteResult::ok) {
    // Stale: this node lost the workflow's shard meanwhile; the caller may ask its new owner.
    // Unavailable: the store did not answer, so the create may or may not be stored; the caller
    // asks again and hears what the store holds.
    const std::string why = core_.fence.fenced() ? "this engine is fenced: " + core_.fence.reason()
                                                 : std::string(to_string(written));
    reply({Status::unavailable("start of '" + state_.id + "' not stored: " + why), false,
           written == WriteResult::stale_epoch || written == WriteResult::unavailable});
    return true;  // then stops as fenced
  }
  ++core_.counters.workflows_started;
  reply({Status::ok(), true});
  if (!crash_after_start_.empty()) throw std::runtime_error(crash_after_start_);
  return true;
}

void WorkflowRunner::answer_from_stored(StartReply reply) {
  // Awaited: a repeated start queued behind it must not be answered from the unstored state.
  self_->request(core_.store_reader, caf::infinite, load_atom::value, state_.id)
      .await(
          [this, reply](LoadedSnapshot& loaded) {
            std::optional<WorkflowState> stored;
            if (loaded.stored) stored = decode_state(loaded.stored->snapshot, nullptr);
            // state_ is still this start as asked: nothing of it was stored.
            if (stored) reply(existing_answer(*stored, state_.definition, state_.input_digest));
            else reply({Status::ok(), false});  // it exists, unreadable: quarantined when it loads
            self_->quit();
          },
          [this, reply](caf::error&) {
            reply({Status::unavailable("start of '" + state_.id + "': the stored workflow could not be read"), false, true});
            self_->quit();
          });
}

}  // namespace actorflow
