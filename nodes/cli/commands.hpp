#pragma once
// The CLI's commands, one function each: call the node, print the result (readable text, or the
// reply's JSON with --json), return the process' exit code (session.hpp).
#include "session.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace actorflow::cli {

struct WaitArgs {
  bool wait = false;
  std::chrono::milliseconds timeout{300'000};
};

// ---- one workflow (workflow_commands.cpp) ----
int start_workflow(Session& s, const std::string& definition, const std::string& workflow_id, const Json& input,
                   const WaitArgs& wait);
int send_signal(Session& s, const std::string& workflow_id, const std::string& name, const Json& payload);
int decide_approval(Session& s, const std::string& workflow_id, const std::string& gate, bool approve,
                    const std::string& by, const std::string& reason);
int show_status(Session& s, const std::string& workflow_id, const WaitArgs& wait);
int show_history(Session& s, const std::string& workflow_id);
int cancel_workflow(Session& s, const std::string& workflow_id, const std::string& by, const std::string& reason);
int retry_workflow(Session& s, const std::string& workflow_id, const std::string& by);

// ---- the node as a whole (node_commands.cpp) ----
struct ListArgs {
  std::string status;
  std::string definition;
  std::string after;
  std::optional<int> limit;
  bool all = false;  // follow next_after to the last page
};
int list_workflows(Session& s, const ListArgs& args);
int show_dead_letters(Session& s);
int show_breakers(Session& s);
int show_stats(Session& s);
int show_cluster(Session& s);

// ---- workflow definitions (definition_commands.cpp) ----
int list_definitions(Session& s);
// Posts `yaml` (the text of `file`, named by its file name in the node's problems). A refusal
// prints the node's problems on `err`, one "file:line:column: ..." line each.
int deploy_definitions(Session& s, const std::string& file, const std::string& yaml);

// ---- cron schedules (schedule_commands.cpp) ----
int list_schedules(Session& s);
int show_schedule(Session& s, const std::string& schedule_id);
int pause_schedule(Session& s, const std::string& schedule_id);
int resume_schedule(Session& s, const std::string& schedule_id);
int delete_schedule(Session& s, const std::string& schedule_id);

}  // namespace actorflow::cli
