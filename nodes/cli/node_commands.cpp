// Commands on the node as a whole: list, dead-letters, breakers, stats, cluster.
#include "commands.hpp"
#include "json_fields.hpp"
#include "text_format.hpp"

#include <map>
#include <ostream>

namespace actorflow::cli {

int list_workflows(Session& s, const ListArgs& args) {
  Json workflows = Json::array();
  std::string after = args.after;
  Json next_after;
  while (true) {
    std::string path =
        "/v1/workflows" + query_string({{"status", args.status},
                                        {"definition", args.definition},
                                        {"after", after},
                                        {"limit", args.limit ? std::to_string(*args.limit) : std::string()}});
    Reply reply = s.client.get(path);
    if (!reply.ok()) return fail(s, reply);
    if (!usable(s, reply)) return exit_code::error;
    if (s.json && !args.all) {
      print_body(s, reply);
      return exit_code::ok;
    }
    for (const auto& w : array_of(*reply.json, "workflows")) workflows.push_back(w);
    next_after = reply.json->value("next_after", Json());
    // A next page only when it moves on: a node answering the same cursor again must not loop us.
    if (!args.all || !next_after.is_string() || next_after.get<std::string>() == after) break;
    after = next_after.get<std::string>();
  }
  if (args.all) next_after = nullptr;
  if (s.json) {
    s.out << Json{{"workflows", workflows}, {"next_after", next_after}}.dump(2) << "\n";
    return exit_code::ok;
  }
  if (workflows.empty()) {
    s.out << "no workflows";
    if (!args.status.empty()) s.out << " with status " << args.status;
    if (!args.definition.empty()) s.out << " of definition " << args.definition;
    s.out << "\n";
    return exit_code::ok;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& w : workflows)
    rows.push_back({text_of(w, "id"), text_of(w, "definition") + " v" + text_of(w, "version"), text_of(w, "status"),
                    format_utc(ms_of(w, "updated_ms"))});
  s.out << render_table({"ID", "DEFINITION", "STATUS", "UPDATED"}, rows);
  if (next_after.is_string())
    s.out << "(more after '" << next_after.get<std::string>() << "': --after '" << next_after.get<std::string>()
          << "', or --all)\n";
  return exit_code::ok;
}

int show_dead_letters(Session& s) {
  Reply reply = s.client.get("/v1/dead-letters");
  if (!reply.ok()) return fail(s, reply);
  if (s.json) {
    print_body(s, reply);
    return exit_code::ok;
  }
  if (!usable(s, reply)) return exit_code::error;
  Json list = array_of(*reply.json, "dead_letters");
  if (list.empty()) {
    s.out << "no dead letters\n";
    return exit_code::ok;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : list)
    rows.push_back({text_of(d, "workflow_id"), format_utc(ms_of(d, "at_ms")), single_line(text_of(d, "reason"))});
  s.out << render_table({"WORKFLOW", "WHEN", "REASON"}, rows);
  return exit_code::ok;
}

int show_breakers(Session& s) {
  Reply reply = s.client.get("/v1/breakers");
  if (!reply.ok()) return fail(s, reply);
  if (s.json) {
    print_body(s, reply);
    return exit_code::ok;
  }
  if (!usable(s, reply)) return exit_code::error;
  Json list = array_of(*reply.json, "breakers");
  if (list.empty()) {
    s.out << "no circuit breakers\n";
    return exit_code::ok;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& b : list) rows.push_back({text_of(b, "service"), text_of(b, "state")});
  s.out << render_table({"SERVICE", "STATE"}, rows);
  return exit_code::ok;
}

int show_stats(Session& s) {
  Reply reply = s.client.get("/v1/stats");
  if (!reply.ok()) return fail(s, reply);
  if (s.json) {
    print_body(s, reply);
    return exit_code::ok;
  }
  if (!usable(s, reply)) return exit_code::error;
  const Json& stats = *reply.json;
  std::vector<std::vector<std::string>> rows;
  if (auto it = stats.find("workflows_by_status"); it != stats.end() && it->is_object())
    for (const auto& [status, count] : it->items()) rows.push_back({"workflows " + status, count.dump()});
  rows.push_back({"running instances", text_of(stats, "running_instances")});
  rows.push_back({"dead letters", text_of(stats, "dead_letters")});
  auto draining = stats.find("draining");
  rows.push_back({"draining", draining != stats.end() && draining->is_boolean() && draining->get<bool>() ? "yes" : "no"});
  s.out << render_table({}, rows);
  return exit_code::ok;
}

// Members, then each owner with its shards ("node-1  0 3 7 12"); a single node says so.
int show_cluster(Session& s) {
  Reply reply = s.client.get("/v1/cluster");
  if (!reply.ok()) return fail(s, reply);
  if (s.json) {
    print_body(s, reply);
    return exit_code::ok;
  }
  if (!usable(s, reply)) return exit_code::error;
  const Json& cluster = *reply.json;
  if (!cluster.value("enabled", false)) {
    s.out << "this node is not part of a cluster (cluster.enabled is false)\n";
    return exit_code::ok;
  }
  std::vector<std::vector<std::string>> members;
  for (const auto& m : array_of(cluster, "members"))
    members.push_back({text_of(m, "node_id"), text_of(m, "http_address"), text_of(m, "cluster_address")});
  s.out << render_table({"MEMBER", "HTTP", "CLUSTER"}, members) << "\n";
  std::map<std::string, std::string> shards_of;
  for (const auto& shard : array_of(cluster, "shards")) {
    std::string owner = text_of(shard, "owner");
    if (owner.empty()) owner = "(no owner)";
    std::string& list = shards_of[owner];
    list += (list.empty() ? "" : " ") + text_of(shard, "shard");
  }
  std::vector<std::vector<std::string>> owners;
  for (const auto& [owner, list] : shards_of) owners.push_back({owner, list});
  s.out << render_table({"OWNER", "SHARDS"}, owners);
  return exit_code::ok;
}

}  // namespace actorflow::cli
