#include "api_audit.hpp"

#include <actorflow/logging.hpp>

namespace actorflow::node::auth {

void log_api_call(const RouteRule& rule, const Caller* caller, const std::string& client, int status,
                  const std::string& started_id) {
  Json line{{"event", "api_call"}, {"route", rule.route}, {"client", client}, {"status", status}};
  const std::string& workflow_id = rule.workflow_id.empty() ? started_id : rule.workflow_id;
  if (!workflow_id.empty()) line["workflow_id"] = workflow_id;
  if (!rule.schedule_id.empty()) line["schedule_id"] = rule.schedule_id;
  line["token_name"] = caller ? Json(caller->name) : Json(nullptr);
  line["role"] = caller ? Json(std::string(to_string(caller->role))) : Json(nullptr);
  log_json(status >= 400 ? spdlog::level::warn : spdlog::level::info, line);
}

}  // namespace actorflow::node::auth
