// Commands on one workflow: start, signal, approve, status, history, cancel, retry.
#include "commands.hpp"
#include "duration.hpp"
#include "json_fields.hpp"
#include "progress.hpp"
#include "text_format.hpp"
#include "timeline.hpp"

#include <ostream>

namespace actorflow::cli {

namespace {

std::string workflow_path(const std::string& workflow_id) { return "/v1/workflows/" + percent_encode(workflow_id); }

void print_status_block(Session& s, const Json& info) {
  std::vector<std::pair<std::string, std::string>> fields{
      {"workflow", text_of(info, "id")},
      {"status", text_of(info, "status")},
      {"definition", text_of(info, "definition") + " v" + text_of(info, "version")},
      {"restarts", text_of(info, "restarts")}};
  if (std::string error = text_of(info, "error"); !error.empty()) fields.emplace_back("error", error);
  auto data = info.find("data");
  fields.emplace_back("data", data == info.end() ? "-" : data->dump(2));
  s.out << render_fields(fields);
}

int wait_and_report(Session& s, const std::string& workflow_id, const WaitArgs& wait) {
  auto display = s.err_is_tty ? make_inplace_progress(s.err, s.err_columns) : make_timeline_progress(s.err);
  WaitSettings settings;
  settings.timeout = wait.timeout;
  WaitResult result = wait_until_terminal(s.client, workflow_id, settings, *display);
  if (result.end == WaitEnd::failed) {
    if (result.workflow.ok())
      return fail(s, "the node's reply for workflow '" + workflow_id + "' has no status: " +
                         result.workflow.body.substr(0, 200));
    return fail(s, result.workflow);
  }
  const Json& info = *result.workflow.json;
  if (s.json) {
    print_body(s, result.workflow);
  } else {
    print_status_block(s, info);
  }
  std::string status = text_of(info, "status");
  if (result.end == WaitEnd::timed_out) {
    fail(s, "workflow '" + workflow_id + "' has not ended within " + format_duration(wait.timeout) + " (still " +
                status + ")");
    return exit_code::wait_timed_out;
  }
  return status == "completed" ? exit_code::ok : exit_code::ended_otherwise;
}

// The common end of a command whose reply only needs a line of text.
int report(Session& s, const Reply& reply, const std::string& done_text) {
  if (!reply.ok()) return fail(s, reply);
  if (s.json) {
    print_body(s, reply);
  } else {
    s.out << done_text << "\n";
  }
  return exit_code::ok;
}

}  // namespace

int start_workflow(Session& s, const std::string& definition, const std::string& workflow_id, const Json& input,
                   const WaitArgs& wait) {
  Reply reply = s.client.post("/v1/workflows", Json{{"definition", definition}, {"id", workflow_id}, {"input", input}});
  if (!reply.ok()) return fail(s, reply);
  if (!usable(s, reply)) return exit_code::error;
  auto created_field = reply.json->find("created");
  bool created = created_field != reply.json->end() && created_field->is_boolean() ? created_field->get<bool>()
                                                                                   : reply.status == 201;
  if (!s.json) {
    s.out << "workflow '" << workflow_id << "' "
          << (created ? "created (definition " + definition + ")" : "already existed: nothing started") << "\n";
  } else if (!wait.wait) {
    print_body(s, reply);
  }
  if (!wait.wait) return exit_code::ok;
  return wait_and_report(s, workflow_id, wait);
}

int send_signal(Session& s, const std::string& workflow_id, const std::string& name, const Json& payload) {
  Reply reply = s.client.post(workflow_path(workflow_id) + "/signals/" + percent_encode(name), payload);
  return report(s, reply, "signal '" + name + "' delivered to workflow '" + workflow_id + "'");
}

int decide_approval(Session& s, const std::string& workflow_id, const std::string& gate, bool approve,
                    const std::string& by, const std::string& reason) {
  Json decision{{"decision", approve ? "approve" : "reject"}, {"reason", reason}};
  if (!by.empty()) decision["by"] = by;  // else the node takes the token's name
  Reply reply = s.client.post(workflow_path(workflow_id) + "/signals/" + percent_encode(gate), decision);
  return report(s, reply,
                std::string(approve ? "approved" : "rejected") + " '" + gate + "' of workflow '" + workflow_id +
                    "'" + (by.empty() ? std::string() : " (by " + by + ")"));
}

int show_status(Session& s, const std::string& workflow_id, const WaitArgs& wait) {
  if (wait.wait) return wait_and_report(s, workflow_id, wait);
  Reply reply = s.client.get(workflow_path(workflow_id));
  if (!reply.ok()) return fail(s, reply);
  if (s.json) {
    print_body(s, reply);
    return exit_code::ok;
  }
  if (!usable(s, reply)) return exit_code::error;
  print_status_block(s, *reply.json);
  return exit_code::ok;
}

int show_history(Session& s, const std::string& workflow_id) {
  Reply reply = s.client.get(workflow_path(workflow_id) + "/history");
  if (!reply.ok()) return fail(s, reply);
  if (s.json) {
    print_body(s, reply);
    return exit_code::ok;
  }
  if (!usable(s, reply)) return exit_code::error;
  auto events = timeline_events(*reply.json);
  s.out << "history of workflow '" << workflow_id << "': " << events.size() << " events"
        << " (! failure, ~ compensation)\n";
  for (const auto& line : render_timeline(events)) s.out << line << "\n";
  return exit_code::ok;
}

int cancel_workflow(Session& s, const std::string& workflow_id, const std::string& by, const std::string& reason) {
  Json body{{"reason", reason}};
  if (!by.empty()) body["by"] = by;  // else the node takes the token's name
  Reply reply = s.client.post(workflow_path(workflow_id) + "/cancel", body);
  return report(s, reply,
                "cancel requested for workflow '" + workflow_id +
                    "': running steps finish, then completed steps are compensated");
}

int retry_workflow(Session& s, const std::string& workflow_id, const std::string& by) {
  Json body = Json::object();
  if (!by.empty()) body["by"] = by;
  Reply reply = s.client.post(workflow_path(workflow_id) + "/retry", body);
  return report(s, reply, "workflow '" + workflow_id + "' retried from where it stopped");
}

}  // namespace actorflow::cli
