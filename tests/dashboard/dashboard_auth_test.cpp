// The dashboard on a node with API tokens, in a real browser (headless Chromium driven over the
// DevTools pipe): it asks for a token, keeps it in the tab's sessionStorage only (not in the
// address, not in a cookie), shows who the token says the caller is, hides the actions a read
// token cannot take, signs out, and with an operate token an approval made from the page reaches
// the workflow under the token's name.
#include "chromium_session.hpp"
#include "dashboard_server.hpp"
#include "headless_chromium.hpp"
#include "temp_dir.hpp"

#include <actorflow/actorflow.hpp>
#include <actorflow/logging.hpp>
#include <actorflow/step_handler.hpp>
#include <actorflow/workflow_definition.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

using namespace actorflow;
using namespace actorflow::testing;
using namespace std::chrono_literals;

namespace {

const std::string kWaiting = "leave/0001";  // waits for an approval
const std::string kParked = "mail/0009";    // dead-lettered
const std::string kReadToken(64, 'a');
const std::string kOperateToken = std::string(32, 'b') + std::string(32, 'c');

std::string js(const std::string& text) { return Json(text).dump(); }

class DashboardAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium = find_chromium();
    ASSERT_FALSE(chromium.empty()) << kChromiumMissing;
    log_level_before = logger()->level();
    logger()->set_level(spdlog::level::err);

    EngineOptions options;
    options.store = make_memory_store();
    options.clock = make_real_clock();
    options.passivate_after = std::nullopt;
    engine = std::make_unique<Engine>(options);
    engine->register_handler("prepare", [](const StepContext&) { return Json{{"prepared", true}}; });
    engine->register_handler("smtp", [](const StepContext&) -> Json { throw std::runtime_error("mailbox full"); });
    WaitSpec sign_off("sign-off", "sign-off");
    sign_off.approval = true;
    ASSERT_TRUE(engine->register_workflow(WorkflowBuilder("leave").step("prepare", "prepare").wait_for(sign_off).build()));
    ASSERT_TRUE(engine->register_workflow(
        WorkflowBuilder("notify").step(StepSpec("send-email", "smtp").on_error(ErrorStrategy::dead_letter)).build()));
    ASSERT_TRUE(engine->start("notify", kParked, Json::object()).status.is_ok());
    const auto parked = engine->wait(kParked, Millis(20'000));
    ASSERT_TRUE(parked);
    ASSERT_EQ(parked->status, WorkflowStatus::dead_lettered);
    ASSERT_TRUE(engine->start("leave", kWaiting, Json::object()).status.is_ok());
    ASSERT_TRUE(await_history_event(kWaiting, "approval_waiting"));

    const std::string tokens = dir.file("tokens");
    std::ofstream(tokens) << "read viewer " << kReadToken << "\noperate ops-bot " << kOperateToken << "\n";
    authorizer = std::make_unique<node::auth::Authorizer>(node::auth::AuthSettings{tokens});
    ASSERT_TRUE(authorizer->load());
    server = std::make_unique<DashboardServer>(*engine, authorizer.get());
  }

  void TearDown() override { logger()->set_level(log_level_before); }

  bool await_history_event(const std::string& id, const std::string& type) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      for (const auto& event : engine->history(id))
        if (event.type == type) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  static void sign_in(ChromiumSession& browser, const std::string& token) {
    browser.evaluate("document.getElementById('login-token').value = " + js(token) +
                     "; document.getElementById('login-form').requestSubmit(); true");
  }

  static std::string text_of(ChromiumSession& browser, const std::string& id) {
    const Json text = browser.evaluate("document.getElementById(" + js(id) + ").textContent");
    return text.is_string() ? text.get<std::string>() : "";
  }

  std::string chromium;
  spdlog::level::level_enum log_level_before = spdlog::level::info;
  TempDir dir;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<node::auth::Authorizer> authorizer;
  std::unique_ptr<DashboardServer> server;  // last: stops first
};

TEST_F(DashboardAuthTest, AReadTokenSeesNoActionsAndAnOperateTokenApproves) {
  ChromiumSession browser(chromium, 30s);
  const std::string workflow_page = server->url("/ui/#/workflows/leave%2F0001");
  browser.navigate(workflow_page);
  ASSERT_TRUE(browser.wait_until("!document.getElementById('login-view').hidden", 10s));
  EXPECT_EQ(browser.evaluate("document.getElementById('workflow-view').hidden"), Json(true));

  sign_in(browser, kReadToken);
  ASSERT_TRUE(browser.wait_until("document.getElementById('whoami').textContent === 'viewer (read)'", 10s));
  ASSERT_TRUE(browser.wait_until("document.getElementById('wf-id').textContent === " + js(kWaiting) +
                                     " && document.getElementById('history').children.length > 0",
                                 10s));
  EXPECT_EQ(browser.evaluate("document.querySelectorAll('#wf-action-buttons button').length"), Json(0));
  EXPECT_EQ(browser.evaluate("document.getElementById('wf-actions').hidden"), Json(true));
  EXPECT_EQ(browser.evaluate("sessionStorage.getItem('actorflow.token')"), Json(kReadToken));
  EXPECT_EQ(browser.evaluate("document.cookie"), Json(""));
  EXPECT_EQ(browser.evaluate("location.href.includes(" + js(kReadToken) + ")"), Json(false));

  browser.evaluate("location.hash = '#/'; true");
  ASSERT_TRUE(browser.wait_until("document.getElementById('dead-letters').textContent.includes(" + js(kParked) + ")", 10s));
  EXPECT_EQ(browser.evaluate("document.querySelectorAll('#dead-letters button.retry').length"), Json(0));

  browser.evaluate("document.getElementById('logout').click(); true");
  ASSERT_TRUE(browser.wait_until("!document.getElementById('login-view').hidden", 10s));
  EXPECT_EQ(browser.evaluate("sessionStorage.getItem('actorflow.token')"), Json());
  EXPECT_EQ(browser.evaluate("document.getElementById('overview-view').hidden"), Json(true));

  sign_in(browser, std::string(64, 'f'));  // not a token of this node
  ASSERT_TRUE(browser.wait_until("!document.getElementById('login-error').hidden", 10s));
  EXPECT_EQ(browser.evaluate("sessionStorage.getItem('actorflow.token')"), Json());

  sign_in(browser, kOperateToken);
  ASSERT_TRUE(browser.wait_until("document.getElementById('whoami').textContent === 'ops-bot (operate)'", 10s));
  ASSERT_TRUE(browser.wait_until("document.querySelectorAll('#dead-letters button.retry').length === 1", 10s));
  browser.evaluate("location.hash = '#/workflows/leave%2F0001'; true");
  ASSERT_TRUE(browser.wait_until("document.querySelector('#wf-action-buttons button.approve') !== null", 10s));
  EXPECT_EQ(browser.evaluate("document.querySelector('#wf-action-buttons button.approve').dataset.signal"),
            Json("sign-off"));
  browser.evaluate("document.querySelector('#wf-action-buttons button.approve').click(); true");

  const auto done = engine->wait(kWaiting, Millis(20'000));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, WorkflowStatus::completed) << done->error;
  std::string decision;
  for (const auto& event : engine->history(kWaiting))
    if (event.type == "approval_granted") decision = event.detail;
  EXPECT_EQ(decision, "by ops-bot");
  ASSERT_TRUE(browser.wait_until("document.getElementById('wf-status').textContent === 'completed'", 10s));
  EXPECT_EQ(browser.evaluate("document.getElementById('wf-actions').hidden"), Json(true));
}

}  // namespace
