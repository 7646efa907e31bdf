// The dashboard as a person sees it: an engine (memory store, real clock) holds workflows in each
// interesting state, the HTTP API and the dashboard serve it on a loopback port, and headless
// Chromium loads the page, runs its scripts and dumps the resulting DOM (or a screenshot).
#include "dashboard_server.hpp"
#include "dom_text.hpp"
#include "headless_chromium.hpp"

#include <actorflow/actorflow.hpp>
#include <actorflow/logging.hpp>
#include <actorflow/step_handler.hpp>
#include <actorflow/workflow_definition.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

constexpr auto kChromiumLimit = std::chrono::seconds(60);

const std::string kCompleted = "orders/2024/0001";    // a retry on the way
const std::string kProbe = "probe/<b>not bold</b>";   // an id that must stay text
const std::string kCompensated = "orders/2024/0002";  // card declined: stock released
const std::string kDeadLettered = "mail/0007";
const std::string kWaiting = "returns/0003";
const std::string kDeclined = "card declined: insufficient funds";
const std::string kSmtpRefused = "SMTP relay refused the message: mailbox full";

// As JavaScript's encodeURIComponent.
std::string encode_uri_component(const std::string& text) {
  static const std::string kept = "-_.!~*'()";
  std::string encoded;
  for (unsigned char c : text) {
    if (std::isalnum(c) || kept.find(static_cast<char>(c)) != std::string::npos) {
      encoded += static_cast<char>(c);
    } else {
      char escape[4];
      std::snprintf(escape, sizeof escape, "%%%02X", c);
      encoded += escape;
    }
  }
  return encoded;
}

// Simulated work, so the timeline has durations to draw.
void work_for(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

RetryPolicy quick_retries() {
  RetryPolicy policy;
  policy.retries_max = 2;
  policy.interval_initial = Millis(30);
  policy.jitter = 0.0;
  return policy;
}

EngineOptions engine_options() {
  EngineOptions options;
  options.store = make_memory_store();
  options.clock = make_real_clock();
  options.passivate_after = std::nullopt;
  return options;
}

class DashboardBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium = find_chromium();
    ASSERT_FALSE(chromium.empty()) << kChromiumMissing;

    // Seeding logs every transition at info: keep the test's output to what went wrong.
    log_level_before = logger()->level();
    logger()->set_level(spdlog::level::warn);
    engine = std::make_unique<Engine>(engine_options());
    register_checkout();
    register_notify_and_return();
    start_and_expect(kCompleted, "checkout", {{"card", "flaky"}, {"items", 3}}, WorkflowStatus::completed);
    start_and_expect(kProbe, "checkout", {{"card", "ok"}, {"items", 1}}, WorkflowStatus::completed);
    start_and_expect(kCompensated, "checkout", {{"card", "declined"}, {"items", 2}}, WorkflowStatus::compensated);
    start_and_expect(kDeadLettered, "notify", {{"to", "ada@example.com"}}, WorkflowStatus::dead_lettered);
    ASSERT_TRUE(engine->start("return", kWaiting, {{"order", "orders/2024/0001"}}).status.is_ok());
    ASSERT_TRUE(await_history_event(kWaiting, "signal_waiting"));
    // Two charge failures within the window: the first flaky attempt and the declined card.
    ASSERT_EQ(engine->breaker_state("payments"), BreakerState::open);

    server = std::make_unique<DashboardServer>(*engine);
  }

  void TearDown() override { logger()->set_level(log_level_before); }

  void register_checkout() {
    engine->register_handler("reserve", [](const StepContext& ctx) {
      work_for(15);
      return Json{{"reserved", ctx.input().value("items", 0)}};
    });
    engine->register_handler("release", [](const StepContext&) {
      work_for(8);
      return Json{{"released", true}};
    });
    engine->register_handler("charge", [](const StepContext& ctx) -> Json {
      work_for(35);
      const std::string card = ctx.input().value("card", "ok");
      if (card == "declined") throw NonRetryableError(kDeclined);
      if (card == "flaky" && ctx.attempt() == 1) throw std::runtime_error("payment gateway timed out");
      return Json{{"charge_id", "ch-" + std::to_string(ctx.attempt())}};
    });
    engine->register_handler("refund", [](const StepContext&) {
      work_for(10);
      return Json{{"refunded", true}};
    });
    engine->register_handler("ship", [](const StepContext&) {
      work_for(25);
      return Json{{"tracking", "TRK-42"}};
    });
    engine->register_breaker("inventory", BreakerOptions{});
    BreakerOptions payments;
    payments.failures_threshold = 2;
    payments.window = Millis(600'000);
    payments.reset_timeout = Millis(600'000);
    engine->register_breaker("payments", payments);
    ASSERT_TRUE(engine->register_workflow(
        WorkflowBuilder("checkout")
            .retry_with(quick_retries())
            .step(StepSpec("reserve-stock", "reserve").compensate_with("release").guarded_by("inventory"))
            .step(StepSpec("charge-card", "charge").compensate_with("refund").guarded_by("payments"))
            .step("ship", "ship")
            .build()));
  }

  void register_notify_and_return() {
    engine->register_handler("smtp", [](const StepContext&) -> Json { throw std::runtime_error(kSmtpRefused); });
    engine->register_handler("label", [](const StepContext&) {
      work_for(5);
      return Json{{"label", "RET-3"}};
    });
    ASSERT_TRUE(engine->register_workflow(
        WorkflowBuilder("notify").step(StepSpec("send-email", "smtp").on_error(ErrorStrategy::dead_letter)).build()));
    ASSERT_TRUE(engine->register_workflow(WorkflowBuilder("return")
                                              .step("print-label", "label")
                                              .wait_for(WaitSpec("await-pickup", "pickup-confirmed"))
                                              .step("refund-customer", "refund")
                                              .build()));
  }

  void start_and_expect(const std::string& id, const std::string& definition, Json input, WorkflowStatus status) {
    ASSERT_TRUE(engine->start(definition, id, std::move(input)).status.is_ok()) << id;
    auto info = engine->wait(id, Millis(20'000));
    ASSERT_TRUE(info) << id;
    ASSERT_EQ(info->status, status) << id << ": " << info->error;
  }

  // The engine tells nothing when a workflow starts waiting: poll its history, bounded.
  bool await_history_event(const std::string& id, const std::string& type) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      for (const auto& event : engine->history(id))
        if (event.type == type) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

  std::string page_url(const std::string& fragment) const { return server->url("/ui/" + fragment); }

  ChromiumRun run(std::vector<std::string> args) {
    ChromiumRun result = run_headless_chromium(chromium, args, kChromiumLimit);
    EXPECT_FALSE(result.timed_out) << "chromium ran past " << kChromiumLimit.count() << " s and was killed";
    EXPECT_EQ(result.exit_code, 0) << "chromium failed; its stderr:\n" << result.err;
    return result;
  }

  // The DOM after the page's scripts ran (virtual time lets every fetch and render finish).
  std::string dom_of(const std::string& fragment) {
    ChromiumRun result = run({"--virtual-time-budget=5000", "--dump-dom", page_url(fragment)});
    EXPECT_NE(result.out.find("</html>"), std::string::npos) << "no DOM dumped; stderr:\n" << result.err;
    return result.out;
  }

  // Saves a screenshot under the build's test-artifacts directory; checks it is a real image.
  void screenshot(const std::string& fragment, const std::string& file_name) {
    const std::filesystem::path directory = ACTORFLOW_TEST_ARTIFACTS_DIR;
    std::filesystem::create_directories(directory);
    const std::filesystem::path png = directory / file_name;
    std::filesystem::remove(png);
    run({"--virtual-time-budget=5000", "--run-all-compositor-stages-before-draw", "--window-size=1280,900",
         "--screenshot=" + png.string(), page_url(fragment)});
    ASSERT_TRUE(std::filesystem::exists(png)) << png;
    std::ifstream in(png, std::ios::binary);
    char signature[8] = {};
    in.read(signature, sizeof signature);
    EXPECT_EQ(std::string(signature, sizeof signature), std::string("\x89PNG\r\n\x1a\n", 8)) << png;
    // A blank 1280x900 page compresses to a few KB; a drawn dashboard is far larger.
    EXPECT_GT(std::filesystem::file_size(png), 20'000u) << png << " looks empty";
  }

  static std::string workflow_fragment(const std::string& id) { return "#/workflows/" + encode_uri_component(id); }

  // The timeline lane of one step, from its opening tag to the next lane (or the timeline's end).
  static std::string lane(const std::string& dom, const std::string& step) {
    const size_t step_at = dom.find("data-step=\"" + html_text(step) + "\"");
    if (step_at == std::string::npos) return {};
    const size_t start = dom.rfind("<div class=\"lane", step_at);
    size_t stop = std::min(dom.find("</section>", step_at), dom.size());
    const size_t next_step = dom.find("data-step=\"", step_at + 1);
    if (next_step < stop) stop = dom.rfind("<div class=\"lane", next_step);
    if (start == std::string::npos || stop < start) return {};
    return dom.substr(start, stop - start);
  }

  static void expect_no_problem_shown(const std::string& dom) {
    EXPECT_NE(dom.find("id=\"problem\""), std::string::npos);
    EXPECT_EQ(text_of_id(dom, "problem").value_or("?"), "") << "the page reports a problem";
  }

  std::string chromium;
  spdlog::level::level_enum log_level_before = spdlog::level::info;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<DashboardServer> server;  // after the engine: stops first
};

TEST_F(DashboardBrowserTest, OverviewShowsCountsWorkflowsBreakersAndDeadLetters) {
  const std::string dom = dom_of("#/");
  expect_no_problem_shown(dom);

  EXPECT_EQ(text_of_id(dom, "count-completed"), "2");
  EXPECT_EQ(text_of_id(dom, "count-compensated"), "1");
  EXPECT_EQ(text_of_id(dom, "count-dead-lettered"), "1");
  EXPECT_EQ(text_of_id(dom, "count-running"), "1");
  EXPECT_EQ(text_of_id(dom, "count-failed"), "0");
  EXPECT_EQ(text_of_id(dom, "count-compensating"), "0");

  const std::string workflows = region(dom, "id=\"workflows\"", {"</tbody>"});
  for (const auto& [id, status] : {std::pair{kCompleted, "completed"}, {kProbe, "completed"},
                                   {kCompensated, "compensated"}, {kDeadLettered, "dead-lettered"},
                                   {kWaiting, "running"}}) {
    SCOPED_TRACE(id);
    const std::string row = table_row_with(workflows, ">" + html_text(id) + "</a>");
    ASSERT_FALSE(row.empty()) << "no row for the workflow";
    EXPECT_NE(row.find("href=\"" + workflow_fragment(id) + "\""), std::string::npos) << row;
    EXPECT_NE(row.find(std::string(">") + status + "<"), std::string::npos) << row;
  }

  const std::string payments = table_row_with(region(dom, "id=\"breakers\"", {"</tbody>"}), ">payments<");
  EXPECT_NE(payments.find(">open<"), std::string::npos) << payments;
  const std::string inventory = table_row_with(region(dom, "id=\"breakers\"", {"</tbody>"}), ">inventory<");
  EXPECT_NE(inventory.find(">closed<"), std::string::npos) << inventory;

  const std::string dead_letters = region(dom, "id=\"dead-letters\"", {"</tbody>"});
  const std::string letter = table_row_with(dead_letters, ">" + kDeadLettered + "</a>");
  ASSERT_FALSE(letter.empty()) << dead_letters;
  EXPECT_NE(letter.find(kSmtpRefused), std::string::npos) << letter;
  EXPECT_NE(letter.find(">Retry</button>"), std::string::npos) << letter;
  EXPECT_EQ(dead_letters.find(kCompensated), std::string::npos) << "only dead-lettered workflows are listed";
}

TEST_F(DashboardBrowserTest, AWorkflowIdIsShownAsTextNeverAsMarkup) {
  const std::string dom = dom_of("#/");
  EXPECT_NE(dom.find(html_text(kProbe)), std::string::npos);
  EXPECT_EQ(dom.find("<b>not bold</b>"), std::string::npos) << "the id was inserted as HTML";

  const std::string timeline = dom_of(workflow_fragment(kProbe));
  EXPECT_EQ(text_of_id(timeline, "wf-id"), html_text(kProbe));
  EXPECT_EQ(timeline.find("<b>not bold</b>"), std::string::npos);
}

TEST_F(DashboardBrowserTest, FiltersAndPagesComeFromTheAddress) {
  const std::string completed = region(dom_of("#/?status=completed"), "id=\"workflows\"", {"</tbody>"});
  EXPECT_NE(completed.find(">" + kCompleted + "<"), std::string::npos) << completed;
  EXPECT_NE(completed.find(">" + html_text(kProbe) + "<"), std::string::npos) << completed;
  EXPECT_EQ(completed.find(kCompensated), std::string::npos) << completed;
  EXPECT_EQ(completed.find(kDeadLettered), std::string::npos) << completed;

  const std::string notify = region(dom_of("#/?definition=notify"), "id=\"workflows\"", {"</tbody>"});
  EXPECT_NE(notify.find(">" + kDeadLettered + "<"), std::string::npos) << notify;
  EXPECT_EQ(notify.find("orders/"), std::string::npos) << notify;

  // Ordered by id: mail/0007, orders/2024/0001 | orders/2024/0002, probe/... | returns/0003.
  const std::string first_page_dom = dom_of("#/?limit=2");
  const std::string first_page = region(first_page_dom, "id=\"workflows\"", {"</tbody>"});
  EXPECT_NE(first_page.find(">" + kDeadLettered + "<"), std::string::npos) << first_page;
  EXPECT_NE(first_page.find(">" + kCompleted + "<"), std::string::npos) << first_page;
  EXPECT_EQ(first_page.find(kCompensated), std::string::npos) << first_page;
  const std::string next_button = region(first_page_dom, "id=\"page-next\"", {">"});
  EXPECT_EQ(next_button.find("disabled"), std::string::npos) << "a full page offers the next one";

  const std::string second_page = region(dom_of("#/?limit=2&after=" + encode_uri_component(kCompleted)),
                                         "id=\"workflows\"", {"</tbody>"});
  EXPECT_NE(second_page.find(">" + kCompensated + "<"), std::string::npos) << second_page;
  EXPECT_NE(second_page.find(">" + html_text(kProbe) + "<"), std::string::npos) << second_page;
  EXPECT_EQ(second_page.find(kCompleted), std::string::npos) << second_page;
  EXPECT_EQ(second_page.find(kWaiting), std::string::npos) << second_page;
}

TEST_F(DashboardBrowserTest, TimelineShowsTheFailureAndTheCompensation) {
  const std::string dom = dom_of(workflow_fragment(kCompensated));
  expect_no_problem_shown(dom);
  EXPECT_EQ(text_of_id(dom, "wf-id"), kCompensated);
  EXPECT_NE(region(dom, "id=\"wf-status\"", {"</h2>", "</div>"}).find(">compensated<"), std::string::npos);
  EXPECT_NE(text_of_id(dom, "wf-error").value_or("").find(kDeclined), std::string::npos);

  const std::string charge = lane(dom, "charge-card");
  ASSERT_FALSE(charge.empty()) << "no lane for charge-card";
  EXPECT_NE(charge.find("attempt #1"), std::string::npos) << charge;
  EXPECT_NE(charge.find(">failed<"), std::string::npos) << charge;
  EXPECT_NE(charge.find(kDeclined), std::string::npos) << charge;

  const std::string reserve = lane(dom, "reserve-stock");
  ASSERT_FALSE(reserve.empty()) << "no lane for reserve-stock";
  EXPECT_NE(reserve.find("lane-compensated"), std::string::npos) << reserve;
  EXPECT_NE(reserve.find("row-compensation"), std::string::npos) << reserve;
  EXPECT_NE(reserve.find("compensation #1"), std::string::npos) << reserve;
  EXPECT_NE(reserve.find(">compensated<"), std::string::npos) << reserve;
  EXPECT_NE(reserve.find("fill-compensation"), std::string::npos) << "a compensation draws its own bar";

  EXPECT_TRUE(lane(dom, "ship").empty()) << "ship never ran";
  EXPECT_NE(dom.find("workflow compensating"), std::string::npos);
  EXPECT_NE(dom.find("workflow compensated"), std::string::npos);
  EXPECT_EQ(charge.find("lane-compensated"), std::string::npos) << "charge-card never completed: nothing to undo";
}

TEST_F(DashboardBrowserTest, TimelineShowsRetriesWithTheirDurations) {
  const std::string dom = dom_of(workflow_fragment(kCompleted));
  expect_no_problem_shown(dom);
  const std::string charge = lane(dom, "charge-card");
  ASSERT_FALSE(charge.empty());
  EXPECT_NE(charge.find("attempt #1"), std::string::npos) << charge;
  EXPECT_NE(charge.find(">retrying<"), std::string::npos) << charge;
  EXPECT_NE(charge.find("payment gateway timed out"), std::string::npos) << charge;
  EXPECT_NE(charge.find("attempt #2"), std::string::npos) << charge;
  EXPECT_NE(charge.find(">completed<"), std::string::npos) << charge;
  EXPECT_NE(charge.find("1 retry"), std::string::npos) << charge;
  EXPECT_NE(charge.find("bar-fill"), std::string::npos) << "each attempt draws a bar";
  EXPECT_EQ(lane(dom, "ship").find("compensation"), std::string::npos);
  EXPECT_NE(dom.find("workflow completed"), std::string::npos);
}

TEST_F(DashboardBrowserTest, TimelineShowsAWaitStillOpen) {
  const std::string dom = dom_of(workflow_fragment(kWaiting));
  expect_no_problem_shown(dom);
  const std::string wait = lane(dom, "await-pickup");
  ASSERT_FALSE(wait.empty());
  EXPECT_NE(wait.find("row-wait"), std::string::npos) << wait;
  EXPECT_NE(wait.find(">waiting<"), std::string::npos) << wait;
  EXPECT_NE(wait.find("pickup-confirmed"), std::string::npos) << wait;
  EXPECT_NE(lane(dom, "print-label").find(">completed<"), std::string::npos);
}

TEST_F(DashboardBrowserTest, AnUnknownWorkflowIsReportedOnThePage) {
  const std::string dom = dom_of(workflow_fragment("no/such"));
  EXPECT_NE(text_of_id(dom, "problem").value_or("").find("No workflow no/such on this node."), std::string::npos)
      << region(dom, "id=\"problem\"", {"</div>"});
}

TEST_F(DashboardBrowserTest, ScreenshotsOfTheOverviewAndATimeline) {
  screenshot("#/", "dashboard-overview.png");
  screenshot(workflow_fragment(kCompensated), "dashboard-timeline-compensated.png");
  screenshot(workflow_fragment(kCompleted), "dashboard-timeline-retried.png");
  screenshot(workflow_fragment(kWaiting), "dashboard-timeline-waiting.png");
}

}  // namespace
