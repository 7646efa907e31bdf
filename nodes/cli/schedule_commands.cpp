// Commands on cron schedules: list, show, pause, resume, delete.
#include "commands.hpp"
#include "json_fields.hpp"
#include "text_format.hpp"

#include <ostream>

namespace actorflow::cli {

namespace {

std::string schedule_path(const std::string& schedule_id) { return "/v1/schedules/" + percent_encode(schedule_id); }

std::string state_of(const Json& schedule) {
  auto paused = schedule.find("paused");
  return paused != schedule.end() && paused->is_boolean() && paused->get<bool>() ? "paused" : "active";
}

void print_schedule(Session& s, const Json& schedule) {
  std::string fires_max = text_of(schedule, "catch_up_fires_max");
  std::string catch_up = text_of(schedule, "catch_up");
  if (catch_up == "capped" && !fires_max.empty()) catch_up += " (at most " + fires_max + " fires)";
  auto input = schedule.find("input");
  std::string last_workflow = text_of(schedule, "last_workflow_id");
  s.out << render_fields({{"schedule", text_of(schedule, "id")},
                          {"state", state_of(schedule)},
                          {"cron", text_of(schedule, "cron")},
                          {"definition", text_of(schedule, "definition")},
                          {"overlap", text_of(schedule, "overlap")},
                          {"catch-up", catch_up},
                          {"created", format_utc(ms_of(schedule, "created_ms"))},
                          {"last fire", format_utc(ms_of(schedule, "last_fire_ms"))},
                          {"next fire", format_utc(ms_of(schedule, "next_fire_ms"))},
                          {"buffered fire", format_utc(ms_of(schedule, "buffered_fire_ms"))},
                          {"last workflow", last_workflow.empty() ? "-" : last_workflow},
                          {"fires started", text_of(schedule, "fires_started")},
                          {"fires skipped", text_of(schedule, "fires_skipped")},
                          {"input", input == schedule.end() ? "-" : input->dump(2)}});
}

// Show the schedule the reply holds (pause, resume and show answer with it).
int report_schedule(Session& s, const Reply& reply, const std::string& done_text) {
  if (!reply.ok()) return fail(s, reply);
  if (s.json) {
    print_body(s, reply);
    return exit_code::ok;
  }
  if (!usable(s, reply)) return exit_code::error;
  if (!done_text.empty()) s.out << done_text << "\n";
  print_schedule(s, *reply.json);
  return exit_code::ok;
}

}  // namespace

int list_schedules(Session& s) {
  Reply reply = s.client.get("/v1/schedules");
  if (!reply.ok()) return fail(s, reply);
  if (s.json) {
    print_body(s, reply);
    return exit_code::ok;
  }
  if (!usable(s, reply)) return exit_code::error;
  Json list = array_of(*reply.json, "schedules");
  if (list.empty()) {
    s.out << "no schedules\n";
    return exit_code::ok;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& schedule : list)
    rows.push_back({text_of(schedule, "id"), text_of(schedule, "cron"), text_of(schedule, "definition"),
                    state_of(schedule), format_utc(ms_of(schedule, "next_fire_ms")),
                    text_of(schedule, "last_workflow_id")});
  s.out << render_table({"ID", "CRON", "DEFINITION", "STATE", "NEXT FIRE", "LAST WORKFLOW"}, rows);
  return exit_code::ok;
}

int show_schedule(Session& s, const std::string& schedule_id) {
  return report_schedule(s, s.client.get(schedule_path(schedule_id)), "");
}

int pause_schedule(Session& s, const std::string& schedule_id) {
  return report_schedule(s, s.client.post(schedule_path(schedule_id) + "/pause", Json::object()),
                         "schedule '" + schedule_id + "' paused");
}

int resume_schedule(Session& s, const std::string& schedule_id) {
  return report_schedule(s, s.client.post(schedule_path(schedule_id) + "/resume", Json::object()),
                         "schedule '" + schedule_id + "' resumed");
}

int delete_schedule(Session& s, const std::string& schedule_id) {
  Reply reply = s.client.del(schedule_path(schedule_id));
  if (!reply.ok()) return fail(s, reply);
  if (s.json) {
    print_body(s, reply);
  } else {
    s.out << "schedule '" << schedule_id << "' deleted (the workflows it started go on)\n";
  }
  return exit_code::ok;
}

}  // namespace actorflow::cli
