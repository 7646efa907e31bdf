// End to end: the built `actorflow` binary, run as a child process, against a node served in this
// process (an Engine on a memory store behind HttpApi on an httplib::Server, 127.0.0.1, a free
// port). Checks what it prints and its exit codes.
#include "child_process.hpp"
#include "http_api.hpp"
#include "temp_dir.hpp"

#include <actorflow/actorflow.hpp>
#include <actorflow/schedule.hpp>
#include <actorflow/step_handler.hpp>
#include <actorflow/workflow_definition.hpp>

#include <httplib.h>
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#ifndef ACTORFLOW_CLI_PATH
#error "ACTORFLOW_CLI_PATH (the actorflow binary) must be defined by the build"
#endif

using namespace actorflow;
using namespace std::chrono_literals;
using actorflow::testing::ProgramResult;
using actorflow::testing::run_program;

namespace {

constexpr auto cli_time_limit = 60s;

EngineOptions test_options() {
  EngineOptions options;
  options.store = make_memory_store();
  options.clock = make_real_clock();
  options.passivate_after = std::nullopt;
  return options;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Lines of `text` containing `part`.
std::vector<std::string> lines_with(const std::string& text, const std::string& part) {
  std::vector<std::string> found;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    if (contains(line, part)) found.push_back(line);
    pos = end + 1;
  }
  return found;
}

std::string describe(const ProgramResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine = std::make_unique<Engine>(test_options());
    engine->register_handler("reserve", [](const StepContext&) { return Json{{"reserved", true}}; });
    engine->register_handler("release", [](const StepContext&) { return Json{{"released", true}}; });
    engine->register_handler("ship", [](const StepContext&) { return Json{{"shipped", true}}; });
    engine->register_handler("boom", [](const StepContext&) -> Json { throw NonRetryableError("the card was declined"); });
    ASSERT_TRUE(engine->register_workflow(WorkflowBuilder("quick").step("reserve", "reserve").build()));
    // A step, a wait for a signal, an approval, a last step; a reject compensates the reservation.
    ASSERT_TRUE(engine->register_workflow(WorkflowBuilder("gated")
                                              .step(StepSpec("reserve", "reserve").compensate_with("release"))
                                              .wait_for(WaitSpec("go", "go"))
                                              .approval(WaitSpec("manager", "manager"))
                                              .step("ship", "ship")
                                              .build()));
    ASSERT_TRUE(engine->register_workflow(
        WorkflowBuilder("doomed").step(StepSpec("charge", "boom").on_error(ErrorStrategy::dead_letter)).build()));

    node::HttpApiOptions api_options;
    api_options.definitions_dir = files.path().string();
    api = std::make_unique<node::HttpApi>(*engine, api_options);
    api->bind(server);
    port = server.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    serving = std::thread([this] { server.listen_after_bind(); });
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!server.is_running() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    ASSERT_TRUE(server.is_running());
    node_url = "http://127.0.0.1:" + std::to_string(port);
  }

  void TearDown() override {
    server.stop();
    if (serving.joinable()) serving.join();
  }

  // Runs `actorflow --node <this node> args...`.
  ProgramResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--node", node_url});
    return run_program(ACTORFLOW_CLI_PATH, args, cli_time_limit);
  }

  void start_and_wait(const std::string& definition, const std::string& id) {
    ASSERT_TRUE(engine->start(definition, id).created);
    ASSERT_TRUE(engine->wait(id, Millis(30'000)));
  }

  // Writes `text` as `name` in the temp dir; its path.
  std::string write_file(const std::string& name, const std::string& text) {
    std::ofstream(files.file(name), std::ios::binary) << text;
    return files.file(name);
  }

  actorflow::testing::TempDir files;  // definition files, and where the node saves deployed ones
  std::unique_ptr<Engine> engine;
  std::unique_ptr<node::HttpApi> api;
  httplib::Server server;
  int port = 0;
  std::thread serving;
  std::string node_url;
};

TEST_F(CliTest, StartWithWaitCompletesWithExit0AndShowsProgressOnStderr) {
  auto r = cli({"start", "quick", "wf-quick", "--input", R"({"order":7})", "--wait", "--wait-timeout", "30s"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "workflow 'wf-quick' created (definition quick)")) << describe(r);
  EXPECT_EQ(lines_with(r.out, "status").size(), 1u) << describe(r);
  EXPECT_TRUE(contains(lines_with(r.out, "status").at(0), "completed")) << describe(r);
  EXPECT_TRUE(contains(r.out, R"("order": 7)")) << describe(r);
  // Progress: one timeline line per history event, on stderr (not a terminal here).
  ASSERT_EQ(lines_with(r.err, "workflow_started").size(), 1u) << describe(r);
  EXPECT_TRUE(contains(lines_with(r.err, "workflow_started")[0], "+0.000s")) << describe(r);
  ASSERT_EQ(lines_with(r.err, "step_completed").size(), 1u) << describe(r);
  EXPECT_TRUE(contains(lines_with(r.err, "step_completed")[0], "reserve #1")) << describe(r);
  EXPECT_EQ(lines_with(r.err, "workflow_completed").size(), 1u) << describe(r);
}

TEST_F(CliTest, StartingAnExistingIdSaysSoAndStartsNothing) {
  start_and_wait("quick", "wf-twice");
  auto r = cli({"start", "quick", "wf-twice"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "workflow 'wf-twice' already existed: nothing started")) << describe(r);
}

TEST_F(CliTest, SignalAndApprovalThroughTheCliLetTheWorkflowComplete) {
  ASSERT_EQ(cli({"start", "gated", "wf-ok"}).exit_code, 0);
  auto signal = cli({"signal", "wf-ok", "go", "--payload", R"({"note":"ready"})"});
  EXPECT_EQ(signal.exit_code, 0) << describe(signal);
  EXPECT_TRUE(contains(signal.out, "signal 'go' delivered to workflow 'wf-ok'")) << describe(signal);
  auto approve = cli({"approve", "wf-ok", "manager", "--by", "alice", "--reason", "within budget"});
  EXPECT_EQ(approve.exit_code, 0) << describe(approve);
  EXPECT_TRUE(contains(approve.out, "approved 'manager' of workflow 'wf-ok' (by alice)")) << describe(approve);

  auto status = cli({"status", "wf-ok", "--wait", "--wait-timeout", "30s"});
  EXPECT_EQ(status.exit_code, 0) << describe(status);
  EXPECT_TRUE(contains(lines_with(status.out, "status").at(0), "completed")) << describe(status);
  EXPECT_TRUE(contains(status.out, R"("note": "ready")")) << describe(status);
  auto granted = lines_with(status.err, "approval_granted");
  ASSERT_EQ(granted.size(), 1u) << describe(status);
  EXPECT_TRUE(contains(granted[0], "alice")) << describe(status);
}

TEST_F(CliTest, ARejectCompensatesAndTheWaitExits3) {
  ASSERT_EQ(cli({"start", "gated", "wf-no"}).exit_code, 0);
  ASSERT_EQ(cli({"signal", "wf-no", "go"}).exit_code, 0);
  auto reject = cli({"approve", "wf-no", "manager", "--by", "bob", "--reason", "too expensive", "--reject"});
  EXPECT_EQ(reject.exit_code, 0) << describe(reject);
  EXPECT_TRUE(contains(reject.out, "rejected 'manager'")) << describe(reject);

  auto status = cli({"status", "wf-no", "--wait-timeout", "30s"});  // --wait-timeout implies --wait
  EXPECT_EQ(status.exit_code, 3) << describe(status);
  EXPECT_TRUE(contains(lines_with(status.out, "status").at(0), "compensated")) << describe(status);

  // The history marks the rejection as a failure and the undoing as compensation.
  auto history = cli({"history", "wf-no"});
  EXPECT_EQ(history.exit_code, 0) << describe(history);
  auto rejected = lines_with(history.out, "approval_rejected");
  ASSERT_EQ(rejected.size(), 1u) << describe(history);
  EXPECT_TRUE(contains(rejected[0], " ! ")) << rejected[0];
  EXPECT_TRUE(contains(rejected[0], "too expensive")) << rejected[0];
  auto compensated = lines_with(history.out, "compensation_completed");
  ASSERT_EQ(compensated.size(), 1u) << describe(history);
  EXPECT_TRUE(contains(compensated[0], " ~ ")) << compensated[0];
  EXPECT_TRUE(contains(compensated[0], "reserve")) << compensated[0];
  EXPECT_TRUE(lines_with(history.out, "ship").empty()) << "the last step never ran\n" << describe(history);
}

TEST_F(CliTest, CancelEndsTheWorkflowCompensatedWithWhoAndWhy) {
  ASSERT_EQ(cli({"start", "gated", "wf-cancel"}).exit_code, 0);
  auto cancel = cli({"cancel", "wf-cancel", "--by", "carol", "--reason", "customer left"});
  EXPECT_EQ(cancel.exit_code, 0) << describe(cancel);
  EXPECT_TRUE(contains(cancel.out, "cancel requested for workflow 'wf-cancel'")) << describe(cancel);

  auto status = cli({"status", "wf-cancel", "--wait", "--wait-timeout", "30s"});
  EXPECT_EQ(status.exit_code, 3) << describe(status);
  EXPECT_TRUE(contains(status.out, "compensated")) << describe(status);
  EXPECT_TRUE(contains(status.out, "cancelled by carol: customer left")) << describe(status);

  auto again = cli({"cancel", "wf-cancel", "--by", "carol"});
  EXPECT_EQ(again.exit_code, 1) << describe(again);
  EXPECT_TRUE(contains(again.err, "actorflow: workflow 'wf-cancel' has ended (compensated) (HTTP 409)"))
      << describe(again);
}

TEST_F(CliTest, AFailingWorkflowIsDeadLetteredListedAndRetriable) {
  auto start = cli({"start", "doomed", "wf-doomed", "--wait", "--wait-timeout", "30s"});
  EXPECT_EQ(start.exit_code, 3) << describe(start);
  EXPECT_TRUE(contains(lines_with(start.out, "status").at(0), "dead-lettered")) << describe(start);
  EXPECT_TRUE(contains(start.out, "the card was declined")) << describe(start);
  ASSERT_FALSE(lines_with(start.err, "step_failed").empty()) << describe(start);
  EXPECT_TRUE(contains(lines_with(start.err, "step_failed")[0], " ! ")) << describe(start);

  auto dead = cli({"dead-letters"});
  EXPECT_EQ(dead.exit_code, 0) << describe(dead);
  auto row = lines_with(dead.out, "wf-doomed");
  ASSERT_EQ(row.size(), 1u) << describe(dead);
  EXPECT_TRUE(contains(row[0], "the card was declined")) << row[0];

  auto retry = cli({"retry", "wf-doomed", "--by", "ops"});
  EXPECT_EQ(retry.exit_code, 0) << describe(retry);
  EXPECT_TRUE(contains(retry.out, "workflow 'wf-doomed' retried")) << describe(retry);
}

TEST_F(CliTest, AWaitThatRunsOutExits4) {
  ASSERT_EQ(cli({"start", "gated", "wf-slow"}).exit_code, 0);
  auto r = cli({"status", "wf-slow", "--wait", "--wait-timeout", "300ms"});
  EXPECT_EQ(r.exit_code, 4) << describe(r);
  EXPECT_TRUE(contains(r.err, "actorflow: workflow 'wf-slow' has not ended within 300ms (still running)"))
      << describe(r);
}

TEST_F(CliTest, ListShowsATableFilteredByStatusAndDefinition) {
  start_and_wait("quick", "wf-a");
  start_and_wait("quick", "wf-b");
  ASSERT_TRUE(engine->start("gated", "wf-g").created);

  auto all = cli({"list"});
  EXPECT_EQ(all.exit_code, 0) << describe(all);
  ASSERT_EQ(lines_with(all.out, "ID").size(), 1u) << describe(all);
  EXPECT_TRUE(contains(lines_with(all.out, "ID")[0], "DEFINITION")) << describe(all);
  ASSERT_EQ(lines_with(all.out, "wf-a").size(), 1u) << describe(all);
  EXPECT_TRUE(contains(lines_with(all.out, "wf-a")[0], "quick v1")) << describe(all);
  EXPECT_TRUE(contains(lines_with(all.out, "wf-a")[0], "completed")) << describe(all);
  EXPECT_EQ(lines_with(all.out, "wf-g").size(), 1u) << describe(all);

  auto completed = cli({"list", "--status", "completed"});
  EXPECT_EQ(completed.exit_code, 0) << describe(completed);
  EXPECT_EQ(lines_with(completed.out, "wf-a").size(), 1u) << describe(completed);
  EXPECT_EQ(lines_with(completed.out, "wf-b").size(), 1u) << describe(completed);
  EXPECT_TRUE(lines_with(completed.out, "wf-g").empty()) << describe(completed);

  auto gated = cli({"list", "--definition", "gated"});
  EXPECT_EQ(gated.exit_code, 0) << describe(gated);
  EXPECT_EQ(lines_with(gated.out, "wf-g").size(), 1u) << describe(gated);
  EXPECT_TRUE(lines_with(gated.out, "wf-a").empty()) << describe(gated);

  auto page = cli({"list", "--limit", "2"});
  EXPECT_EQ(page.exit_code, 0) << describe(page);
  EXPECT_TRUE(lines_with(page.out, "wf-g").empty()) << describe(page);
  EXPECT_TRUE(contains(page.out, "more after 'wf-b'")) << describe(page);

  auto paged = cli({"--json", "list", "--limit", "1", "--all"});
  EXPECT_EQ(paged.exit_code, 0) << describe(paged);
  Json body = Json::parse(paged.out);
  ASSERT_EQ(body["workflows"].size(), 3u) << paged.out;
  EXPECT_EQ(body["workflows"][2]["id"], "wf-g");
  EXPECT_TRUE(body["next_after"].is_null());

  auto none = cli({"list", "--status", "failed"});
  EXPECT_EQ(none.exit_code, 0) << describe(none);
  EXPECT_TRUE(contains(none.out, "no workflows with status failed")) << describe(none);
}

TEST_F(CliTest, HistoryIsATimelineInOrderFromTheFirstEvent) {
  start_and_wait("quick", "wf-h");
  auto r = cli({"history", "wf-h"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  auto events = engine->history("wf-h");
  ASSERT_GE(events.size(), 3u);
  EXPECT_TRUE(contains(r.out, "history of workflow 'wf-h': " + std::to_string(events.size()) + " events"))
      << describe(r);
  // One line per event, in the order of the history, the first at +0.000s.
  size_t pos = 0;
  for (const auto& event : events) {
    size_t found = r.out.find(event.type, pos);
    ASSERT_NE(found, std::string::npos) << event.type << " missing or out of order\n" << describe(r);
    pos = found;
  }
  EXPECT_TRUE(contains(lines_with(r.out, "workflow_started").at(0), "+0.000s")) << describe(r);
  auto done = lines_with(r.out, "step_completed");
  ASSERT_EQ(done.size(), 1u) << describe(r);
  EXPECT_TRUE(contains(done[0], "reserve #1")) << done[0];
  EXPECT_TRUE(contains(done[0], "running -> completed")) << done[0];
  EXPECT_TRUE(contains(done[0], "ms)")) << done[0];
}

TEST_F(CliTest, AnUnknownWorkflowIsExit1WithTheApisErrorNamingIt) {
  auto r = cli({"status", "no-such-wf"});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_TRUE(contains(r.err, "actorflow: no such workflow: 'no-such-wf' (HTTP 404)")) << describe(r);
  EXPECT_TRUE(r.out.empty()) << describe(r);

  auto signal = cli({"signal", "wf-nope", "go"});
  EXPECT_EQ(signal.exit_code, 1) << describe(signal);
  EXPECT_TRUE(contains(signal.err, "'wf-nope'")) << describe(signal);
}

TEST_F(CliTest, NoNodeListeningIsExit1WithAClearMessage) {
  // A port bound but not listening: a connection to it is refused, and nobody else can take it.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  std::string dead_url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));

  auto r = run_program(ACTORFLOW_CLI_PATH, {"status", "wf-1", "--node", dead_url, "--timeout", "5s"}, cli_time_limit);
  close(fd);
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_TRUE(contains(r.err, "actorflow: cannot reach node at " + dead_url + ": ")) << describe(r);
}

TEST_F(CliTest, JsonModePrintsParseableRepliesErrorsToo) {
  start_and_wait("quick", "wf-json");
  auto status = cli({"--json", "status", "wf-json"});
  EXPECT_EQ(status.exit_code, 0) << describe(status);
  Json info = Json::parse(status.out);
  EXPECT_EQ(info["id"], "wf-json");
  EXPECT_EQ(info["status"], "completed");

  auto history = cli({"history", "wf-json", "--json"});  // the global option after the subcommand
  EXPECT_EQ(history.exit_code, 0) << describe(history);
  EXPECT_GE(Json::parse(history.out)["events"].size(), 3u);

  auto missing = cli({"status", "wf-missing", "--json"});
  EXPECT_EQ(missing.exit_code, 1) << describe(missing);
  EXPECT_EQ(Json::parse(missing.out)["error"], "no such workflow: 'wf-missing'");

  auto waited = cli({"--json", "start", "quick", "wf-json-2", "--wait"});
  EXPECT_EQ(waited.exit_code, 0) << describe(waited);
  EXPECT_EQ(Json::parse(waited.out)["status"], "completed");
}

TEST_F(CliTest, WorkflowIdsWithSlashesArePercentEncoded) {
  auto start = cli({"start", "quick", "run-1/order 0001", "--wait"});
  EXPECT_EQ(start.exit_code, 0) << describe(start);
  auto info = engine->query("run-1/order 0001");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, WorkflowStatus::completed);
  auto status = cli({"status", "run-1/order 0001"});
  EXPECT_EQ(status.exit_code, 0) << describe(status);
  EXPECT_TRUE(contains(status.out, "run-1/order 0001")) << describe(status);
}

TEST_F(CliTest, TheNodeMayComeFromTheEnvironment) {
  start_and_wait("quick", "wf-env");
  auto r = run_program(ACTORFLOW_CLI_PATH, {"status", "wf-env"}, cli_time_limit, {"ACTORFLOW_NODE=" + node_url});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "completed")) << describe(r);
}

TEST_F(CliTest, BadCommandLinesExit2SayingWhatIsWrong) {
  auto missing = cli({"start", "quick"});
  EXPECT_EQ(missing.exit_code, 2) << describe(missing);
  EXPECT_TRUE(contains(missing.err, "workflow-id")) << describe(missing);

  auto not_object = cli({"start", "quick", "wf-x", "--input", "[1,2]"});
  EXPECT_EQ(not_object.exit_code, 2) << describe(not_object);
  EXPECT_TRUE(contains(not_object.err, "--input: '[1,2]' must be a JSON object")) << describe(not_object);

  auto bad_json = cli({"signal", "wf-x", "go", "--payload", "{oops"});
  EXPECT_EQ(bad_json.exit_code, 2) << describe(bad_json);
  EXPECT_TRUE(contains(bad_json.err, "--payload")) << describe(bad_json);

  auto bad_wait = cli({"status", "wf-x", "--wait-timeout", "soon"});
  EXPECT_EQ(bad_wait.exit_code, 2) << describe(bad_wait);
  EXPECT_TRUE(contains(bad_wait.err, "'soon' is not a duration")) << describe(bad_wait);

  auto bad_url = run_program(ACTORFLOW_CLI_PATH, {"--node", "ftp://host", "status", "wf-x"}, cli_time_limit);
  EXPECT_EQ(bad_url.exit_code, 2) << describe(bad_url);
  EXPECT_TRUE(contains(bad_url.err, "scheme 'ftp' is not http or https")) << describe(bad_url);

  auto no_by = cli({"approve", "wf-x", "manager"});
  EXPECT_EQ(no_by.exit_code, 2) << describe(no_by);
  EXPECT_TRUE(contains(no_by.err, "--by")) << describe(no_by);

  EXPECT_FALSE(engine->query("wf-x")) << "nothing reached the node";
}

TEST_F(CliTest, SchedulesCanBeListedShownPausedAndDeleted) {
  ScheduleSpec spec;
  spec.id = "nightly";
  spec.cron = "0 3 * * *";
  spec.definition = "quick";
  ASSERT_TRUE(engine->create_schedule(spec));

  auto list = cli({"schedules"});
  EXPECT_EQ(list.exit_code, 0) << describe(list);
  ASSERT_EQ(lines_with(list.out, "nightly").size(), 1u) << describe(list);
  EXPECT_TRUE(contains(lines_with(list.out, "nightly")[0], "0 3 * * *")) << describe(list);
  EXPECT_TRUE(contains(lines_with(list.out, "nightly")[0], "active")) << describe(list);

  auto pause = cli({"schedules", "pause", "nightly"});
  EXPECT_EQ(pause.exit_code, 0) << describe(pause);
  EXPECT_TRUE(contains(pause.out, "schedule 'nightly' paused")) << describe(pause);
  EXPECT_TRUE(engine->schedule("nightly")->paused);

  auto show = cli({"schedules", "show", "nightly"});
  EXPECT_EQ(show.exit_code, 0) << describe(show);
  EXPECT_TRUE(contains(show.out, "paused")) << describe(show);

  auto del = cli({"schedules", "delete", "nightly"});
  EXPECT_EQ(del.exit_code, 0) << describe(del);
  EXPECT_FALSE(engine->schedule("nightly"));

  auto gone = cli({"schedules", "show", "nightly"});
  EXPECT_EQ(gone.exit_code, 1) << describe(gone);
  EXPECT_TRUE(contains(gone.err, "no such schedule: 'nightly'")) << describe(gone);
}

// ---- workflow definitions: deploy and list ----

constexpr const char* quick_v2_yaml =
    "name: quick\n"
    "version: 2\n"
    "steps:\n"
    "  - step: reserve\n"
    "    handler: reserve\n"
    "  - step: ship\n"
    "    handler: ship\n";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(CliTest, DeployRegistersANewVersionThatNewWorkflowsStart) {
  const std::string file = write_file("quick_v2.yaml", quick_v2_yaml);
  auto r = cli({"deploy", file});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "registered quick v2")) << describe(r);
  const std::string saved = files.file("quick-v2.yaml");
  EXPECT_TRUE(contains(r.out, "saved as " + saved)) << describe(r);
  EXPECT_EQ(read_text(saved), quick_v2_yaml);

  ASSERT_TRUE(engine->start("quick", "wf-v2").created);
  ASSERT_TRUE(engine->wait("wf-v2", Millis(30'000)));
  auto info = engine->query("wf-v2");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->version, 2);
  EXPECT_EQ(info->status, WorkflowStatus::completed);

  // Versions are immutable: the same file again is refused, with the node's reason.
  auto again = cli({"deploy", file});
  EXPECT_EQ(again.exit_code, 1) << describe(again);
  EXPECT_TRUE(contains(again.err, "quick v2 is already registered")) << describe(again);
  EXPECT_TRUE(contains(again.err, "(HTTP 409)")) << describe(again);
}

TEST_F(CliTest, DeployOfAMalformedDefinitionPrintsEachProblemWithItsLineAndExits1) {
  const std::string file = write_file("broken.yaml",
                                      "name: broken\n"
                                      "version: 1\n"
                                      "steps:\n"
                                      "  - step: reserve\n"
                                      "    handler: no_such_handler\n"
                                      "    timeout: soon\n");
  auto r = cli({"deploy", file});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_TRUE(contains(r.err, "actorflow: 2 problems in the definitions; nothing was registered (HTTP 400)"))
      << describe(r);
  auto unknown_handler = lines_with(r.err, "no_such_handler");
  ASSERT_EQ(unknown_handler.size(), 1u) << describe(r);
  EXPECT_EQ(unknown_handler[0].rfind("broken.yaml:5:14: ", 0), 0u) << unknown_handler[0];
  auto bad_duration = lines_with(r.err, "soon");
  ASSERT_EQ(bad_duration.size(), 1u) << describe(r);
  EXPECT_EQ(bad_duration[0].rfind("broken.yaml:6:14: ", 0), 0u) << bad_duration[0];
  EXPECT_TRUE(r.out.empty()) << describe(r);

  auto json = cli({"--json", "deploy", file});
  EXPECT_EQ(json.exit_code, 1) << describe(json);
  EXPECT_EQ(Json::parse(json.out)["problems"].size(), 2u) << describe(json);

  for (const auto& [name, version] : engine->definitions()) EXPECT_NE(name, "broken");
  EXPECT_FALSE(std::filesystem::exists(files.file("broken-v1.yaml")));

  auto missing = cli({"deploy", files.file("no-such-file.yaml")});
  EXPECT_EQ(missing.exit_code, 2) << describe(missing);
  EXPECT_TRUE(contains(missing.err, "cannot read file")) << describe(missing);
}

TEST_F(CliTest, DefinitionsListsEveryVersionAndMarksTheLatest) {
  ASSERT_EQ(cli({"deploy", write_file("quick_v2.yaml", quick_v2_yaml)}).exit_code, 0);
  auto r = cli({"definitions"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  auto header = lines_with(r.out, "NAME");
  ASSERT_EQ(header.size(), 1u) << describe(r);
  EXPECT_TRUE(contains(header[0], "VERSION")) << describe(r);
  auto quick = lines_with(r.out, "quick");
  ASSERT_EQ(quick.size(), 2u) << describe(r);
  EXPECT_EQ(quick[0], "quick   1") << describe(r);
  EXPECT_EQ(quick[1], "quick   2        yes") << describe(r);
  EXPECT_EQ(lines_with(r.out, "gated").size(), 1u) << describe(r);

  auto json = cli({"--json", "definitions"});
  EXPECT_EQ(json.exit_code, 0) << describe(json);
  const Json listed = Json::parse(json.out);
  Json versions = Json::array();
  for (const auto& d : listed.value("definitions", Json::array()))
    if (d.value("name", "") == "quick") versions.push_back({d.value("version", Json()), d.value("latest", Json())});
  EXPECT_EQ(versions, Json::parse("[[1, false], [2, true]]")) << json.out;
}

}  // namespace
