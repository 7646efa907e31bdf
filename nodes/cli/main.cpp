// actorflow: the command line of an Actorflow node (its HTTP/JSON API, nodes/http_api.hpp).
// CLI11 wiring only: each subcommand's callback checks its arguments and leaves the command to run.
#include "arguments.hpp"
#include "commands.hpp"
#include "progress.hpp"

#include <actorflow/version.hpp>

#include <CLI/CLI.hpp>

#include <csignal>
#include <functional>
#include <iostream>

#include <unistd.h>

using namespace actorflow::cli;

namespace {

struct GlobalArgs {
  std::string node = "http://127.0.0.1:8080";
  bool json = false;
  std::string timeout = "10s";
  std::string token;
  std::string token_file;
  std::string ca_file;
};

// The token of --token-file: its first non-empty line, trimmed.
std::string token_from_file(const std::string& path) {
  const std::string text = text_file("--token-file", path);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const size_t last = line.find_last_not_of(" \t\r");
    return line.substr(first, last - first + 1);
  }
  throw CLI::ValidationError("--token-file", "'" + path + "' holds no token");
}

struct WaitText {
  bool wait = false;
  std::string timeout = "5m";
};

void add_wait_options(CLI::App* command, WaitText& wait) {
  command->add_flag("--wait", wait.wait,
                    "wait until the workflow ends (progress on stderr), then show its status (with --json: the "
                    "status reply); exit 0 completed, 3 failed, compensated or dead-lettered, 4 not ended in time");
  command->add_option("--wait-timeout", wait.timeout, "how long --wait waits (e.g. 30s, 5m, 1h; implies --wait)")
      ->capture_default_str();
}

WaitArgs wait_args(CLI::App* command, const WaitText& text) {
  WaitArgs wait;
  wait.wait = text.wait || command->count("--wait-timeout") > 0;
  wait.timeout = duration_argument("--wait-timeout", text.timeout);
  return wait;
}

}  // namespace

int main(int argc, char** argv) {
  // A node that closes an HTTPS connection (a refused client certificate) must give an error
  // message, not kill the CLI with SIGPIPE (OpenSSL writes with write(2)).
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"Drives a running Actorflow node through its HTTP API.", "actorflow"};
  app.set_version_flag("--version", std::string("actorflow ") + actorflow::version() + " (revision " +
                                        actorflow::git_revision() + ", " + actorflow::build_type() + ")");
  app.fallthrough();  // global options may come after the subcommand too
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 error reply or no connection, 2 bad command line, 3 waited and the workflow ended "
      "otherwise than completed, 4 waited and it did not end in time.");

  GlobalArgs global;
  app.add_option("--node", global.node, "the node's URL")->envname("ACTORFLOW_NODE")->capture_default_str();
  app.add_flag("--json", global.json, "print the node's JSON replies (errors too) on stdout, for scripts");
  app.add_option("--timeout", global.timeout, "limit on each HTTP call (e.g. 500ms, 10s)")->capture_default_str();
  auto* token_opt = app.add_option("--token", global.token,
                                   "API token for a node with auth.tokens_file (sent as 'Authorization: Bearer'; "
                                   "prefer --token-file or ACTORFLOW_TOKEN: arguments are visible to other users)")
                        ->envname("ACTORFLOW_TOKEN");
  app.add_option("--token-file", global.token_file, "read the API token from this file (its first line)")
      ->excludes(token_opt);
  app.add_option("--ca-file", global.ca_file, "for an https:// node: trust this CA certificate (PEM), e.g. a private CA")
      ->check(CLI::ExistingFile);

  std::function<int(Session&)> run;
  std::string id, name, definition, by, reason, input_text, input_file, payload_text;
  bool reject = false;
  WaitText wait;

  auto* start = app.add_subcommand("start", "start a workflow (nothing happens if the id exists)");
  start->add_option("definition", definition, "the registered definition")->required();
  start->add_option("workflow-id", id, "the new workflow's id")->required();
  auto* input_opt = start->add_option("--input", input_text, "the workflow's input data: a JSON object");
  start->add_option("--input-file", input_file, "read the input (a JSON object) from this file")
      ->excludes(input_opt);
  add_wait_options(start, wait);
  start->callback([&] {
    auto input = !input_file.empty()   ? json_object_file("--input-file", input_file)
                 : !input_text.empty() ? json_object_argument("--input", input_text)
                                       : nlohmann::json::object();
    auto waiting = wait_args(start, wait);
    run = [&, input, waiting](Session& s) { return start_workflow(s, definition, id, input, waiting); };
  });

  auto* signal = app.add_subcommand("signal", "send a signal to a workflow");
  signal->add_option("workflow-id", id)->required();
  signal->add_option("name", name, "the signal's name")->required();
  signal->add_option("--payload", payload_text, "the signal's payload: a JSON object (default {})");
  signal->callback([&] {
    auto payload = payload_text.empty() ? nlohmann::json::object() : json_object_argument("--payload", payload_text);
    run = [&, payload](Session& s) { return send_signal(s, id, name, payload); };
  });

  auto* approve = app.add_subcommand("approve", "approve (or --reject) an approval gate of a workflow");
  approve->add_option("workflow-id", id)->required();
  approve->add_option("gate", name, "the approval's signal name")->required();
  approve->add_option("--by", by, "who decides (default: the token's name; required without a token)");
  approve->add_option("--reason", reason, "why");
  approve->add_flag("--reject", reject, "reject instead: the wait fails and the workflow compensates");
  approve->callback([&] { run = [&](Session& s) { return decide_approval(s, id, name, !reject, by, reason); }; });

  auto* status = app.add_subcommand("status", "a workflow's status, definition, error, restarts and data");
  status->add_option("workflow-id", id)->required();
  add_wait_options(status, wait);
  status->callback([&] {
    auto waiting = wait_args(status, wait);
    run = [&, waiting](Session& s) { return show_status(s, id, waiting); };
  });

  auto* history = app.add_subcommand("history", "a workflow's history as a timeline");
  history->add_option("workflow-id", id)->required();
  history->callback([&] { run = [&](Session& s) { return show_history(s, id); }; });

  ListArgs list_args;
  auto* list = app.add_subcommand("list", "list workflows, ordered by id");
  list->add_option("--status", list_args.status,
                   "only this status (running, compensating, completed, failed, compensated, dead-lettered)");
  list->add_option("--definition", list_args.definition, "only this definition");
  list->add_option("--after", list_args.after, "start after this id (the previous page's last)");
  list->add_option("--limit", list_args.limit, "workflows per page (1..1000, the node's default 100)")
      ->check(CLI::Range(1, 1000));
  list->add_flag("--all", list_args.all, "follow the pages to the last");
  list->callback([&] { run = [&](Session& s) { return list_workflows(s, list_args); }; });

  auto* cancel = app.add_subcommand("cancel", "cancel a workflow: running steps finish, completed ones are compensated");
  cancel->add_option("workflow-id", id)->required();
  cancel->add_option("--by", by, "who cancels (default: the token's name)");
  cancel->add_option("--reason", reason, "why");
  cancel->callback([&] { run = [&](Session& s) { return cancel_workflow(s, id, by, reason); }; });

  auto* dead_letters = app.add_subcommand("dead-letters", "workflows parked for an operator, and why");
  dead_letters->callback([&] { run = [](Session& s) { return show_dead_letters(s); }; });

  auto* retry = app.add_subcommand("retry", "run a dead-lettered workflow again from where it stopped");
  retry->add_option("workflow-id", id)->required();
  retry->add_option("--by", by, "who retries (recorded in the history)");
  retry->callback([&] { run = [&](Session& s) { return retry_workflow(s, id, by); }; });

  app.add_subcommand("definitions", "registered workflow definitions, every version, the latest marked")
      ->callback([&] { run = [](Session& s) { return list_definitions(s); }; });

  std::string definition_file;
  auto* deploy = app.add_subcommand(
      "deploy", "register the definitions of a YAML file (new workflows take a new version, running ones keep theirs)");
  deploy->add_option("file", definition_file, "the YAML file (config/workflows/README.md has the format)")
      ->required();
  deploy->callback([&] {
    auto yaml = text_file("file", definition_file);
    run = [&, yaml](Session& s) { return deploy_definitions(s, definition_file, yaml); };
  });

  auto* schedules = app.add_subcommand("schedules", "cron schedules: list (default), show, pause, resume, delete");
  schedules->require_subcommand(0, 1);
  schedules->add_subcommand("list", "every schedule")->callback([&] {
    run = [](Session& s) { return list_schedules(s); };
  });
  struct ScheduleAction {
    const char* name;
    const char* help;
    int (*command)(Session&, const std::string&);
  };
  for (auto action : {ScheduleAction{"show", "one schedule in full", show_schedule},
                      ScheduleAction{"pause", "stop firing (running workflows go on)", pause_schedule},
                      ScheduleAction{"resume", "fire again, from now on", resume_schedule},
                      ScheduleAction{"delete", "remove it (its workflows go on)", delete_schedule}}) {
    auto* sub = schedules->add_subcommand(action.name, action.help);
    sub->add_option("schedule-id", id)->required();
    sub->callback([&, action] { run = [&, action](Session& s) { return action.command(s, id); }; });
  }
  schedules->callback([&] {
    if (!run) run = [](Session& s) { return list_schedules(s); };
  });

  app.add_subcommand("breakers", "circuit breakers and their states")->callback([&] {
    run = [](Session& s) { return show_breakers(s); };
  });
  app.add_subcommand("stats", "workflows by status, running instances, dead letters")->callback([&] {
    run = [](Session& s) { return show_stats(s); };
  });
  app.add_subcommand("cluster", "the cluster's members and which node owns each shard")->callback([&] {
    run = [](Session& s) { return show_cluster(s); };
  });

  std::chrono::milliseconds timeout{};
  std::optional<NodeUrl> url;
  ClientCredentials credentials;
  try {
    app.parse(argc, argv);
    timeout = duration_argument("--timeout", global.timeout);
    std::string url_error;
    url = parse_node_url(global.node, url_error);
    if (!url) throw CLI::ValidationError("--node", url_error);
    credentials.token = global.token_file.empty() ? global.token : token_from_file(global.token_file);
    credentials.ca_file = global.ca_file;
    if (!credentials.ca_file.empty() && url->scheme != "https")
      throw CLI::ValidationError("--ca-file", "only for an https:// node, and --node is " + url->to_string());
    if (approve->parsed() && by.empty() && credentials.token.empty())
      throw CLI::ValidationError("--by", "approve needs --by (who decides) when no token names the caller");
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? exit_code::ok : exit_code::usage;
  }

  NodeClient client(*url, timeout, credentials);
  auto columns = terminal_columns(STDERR_FILENO);
  Session session{client, global.json, std::cout, std::cerr, columns.has_value(), columns.value_or(80)};
  return run(session);
}
