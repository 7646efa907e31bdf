// scheduled_report: a daily report on a cron schedule ("0 6 * * *", 06:00 UTC every day).
//
//   scheduled_report --simulate-days 3   runs on a virtual clock from 2024-03-01T00:00:00Z and
//                                        advances day by day: three reports in a moment.
//   scheduled_report                     runs on the real clock until SIGINT/SIGTERM; a report is
//                                        written every morning at 06:00 UTC.
//
// The schedule lives in the store (default sqlite:scheduled_report.db), so a restarted program
// goes on with it: a report missed while the program was down is made once (catch-up `once`),
// and a fire interrupted by a crash is finished, never doubled. Reports go to --reports-dir.
// Exit status: 0 when the simulated reports were all written (or the real-clock run was stopped),
// 1 when one was not, 2 when the setup failed.
#include "daily_report.hpp"

#include <actorflow/actorflow.hpp>
#include <actorflow/logging.hpp>
#include <actorflow/virtual_clock.hpp>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <ctime>

using namespace actorflow;
using namespace scheduled_report;

namespace {

constexpr const char* kScheduleId = "daily-report";
constexpr int64_t kSimulationStartMs = 1'709'251'200'000;  // 2024-03-01T00:00:00Z
constexpr auto kReportWait = std::chrono::seconds(30);       // real time for one report's workflow

std::string utc(int64_t at_ms) {
  const std::time_t seconds = static_cast<std::time_t>(at_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &tm);
  return text;
}

ScheduleSpec daily_schedule(const std::string& cron) {
  ScheduleSpec spec;
  spec.id = kScheduleId;
  spec.cron = cron;
  spec.definition = kWorkflow;
  spec.input = {{"title", "Daily sales report"}};
  spec.overlap = OverlapPolicy::skip;     // never two reports at once
  spec.catch_up = CatchUpPolicy::once;    // down for days: one report on return, not a flood
  return spec;
}

// Registers everything, resumes what a previous run left and creates the schedule (a no-op when
// it is stored already).
void set_up(Engine& engine, const std::filesystem::path& reports_dir, const std::string& cron) {
  register_daily_report_handlers(engine, reports_dir);
  if (auto status = engine.register_workflow(daily_report_definition()); !status) throw std::runtime_error(status.message());
  const int resumed = engine.recover();
  if (resumed > 0) spdlog::info("resumed {} report workflows a previous run left unfinished", resumed);
  if (auto status = engine.create_schedule(daily_schedule(cron)); !status) throw std::runtime_error(status.message());
  auto info = engine.schedule(kScheduleId);
  if (!info) throw std::runtime_error("schedule not stored");
  spdlog::info("schedule '{}' ({}, {}): {} reports started so far, next at {}", kScheduleId, info->spec.cron,
               info->paused ? "paused" : "active", info->fires_started,
               info->next_fire_ms ? utc(info->next_fire_ms) : std::string("never"));
}

int simulate(const std::string& store_spec, const std::filesystem::path& reports_dir, const std::string& cron, int days) {
  auto clock = std::make_shared<VirtualClock>(kSimulationStartMs);
  EngineOptions options;
  options.clock = clock;
  options.store = open_store(store_spec);
  options.passivate_after = std::nullopt;  // virtual days jump past any passivation check
  options.step_timeout_default = Millis(24 * 3'600'000);
  Engine engine(options);
  spdlog::info("simulating {} days on a virtual clock from {}", days, utc(kSimulationStartMs));
  set_up(engine, reports_dir, cron);
  const std::string fire_label = std::string("schedule ") + kScheduleId + " fire";
  int written = 0;
  for (int day = 1; day <= days; ++day) {
    auto fire = clock->advance_to_timer(fire_label, kReportWait);
    if (!fire) throw std::runtime_error("the schedule has no fire armed");
    spdlog::info("virtual time is {}: the schedule fires", utc(fire->due_ms));
    if (!clock->await_timer(fire_label, kReportWait)) throw std::runtime_error("the fire was not handled");
    const std::string workflow_id = std::string(kScheduleId) + "@" + std::to_string(fire->due_ms);
    auto info = engine.wait(workflow_id, kReportWait);
    if (info && info->status == WorkflowStatus::completed) {
      ++written;
      spdlog::info("day {}: {} completed, report {}", day, workflow_id, info->data["deliver"]["path"].get<std::string>());
    } else {
      spdlog::error("day {}: {} {}", day, workflow_id,
                    info ? std::string(to_string(info->status)) + " " + info->error : std::string("was not started"));
    }
  }
  spdlog::info("{} of {} reports written to {}", written, days, reports_dir.string());
  return written == days ? 0 : 1;
}

int run_real_time(const std::string& store_spec, const std::filesystem::path& reports_dir, const std::string& cron) {
  // Blocked before the engine starts its threads, so only sigwait below takes them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  EngineOptions options;
  options.store = open_store(store_spec);
  Engine engine(options);
  set_up(engine, reports_dir, cron);
  spdlog::info("running on the real clock; reports go to {}; stop with Ctrl-C", reports_dir.string());
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("signal {}: stopping (the schedule stays stored; a restart goes on with it)", signal_number);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string store = "sqlite:scheduled_report.db";
  std::string reports_dir = "reports";
  std::string cron = "0 6 * * *";
  int simulate_days = 0;
  CLI::App app{"A daily report on a cron schedule (06:00 UTC), on a virtual clock or the real one."};
  app.add_option("--store", store, "store: sqlite:<path>, redis:<host>:<port>[:<prefix>] or memory")->capture_default_str();
  app.add_option("--reports-dir", reports_dir, "where the reports are written")->capture_default_str();
  app.add_option("--cron", cron, "when the report runs (5 fields, UTC)")->capture_default_str();
  app.add_option("--simulate-days", simulate_days, "run N days on a virtual clock from 2024-03-01, then exit; 0: real clock")
      ->check(CLI::Range(0, 3650))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  auto engine_logger = actorflow::logger();  // created first, so the next line sets its level too
  spdlog::set_level(spdlog::level::info);
  engine_logger->set_level(spdlog::level::warn);
  if (const char* level = std::getenv("ACTORFLOW_LOG_LEVEL")) engine_logger->set_level(spdlog::level::from_str(level));
  try {
    return simulate_days > 0 ? simulate(store, reports_dir, cron, simulate_days) : run_real_time(store, reports_dir, cron);
  } catch (const std::exception& e) {
    spdlog::error("scheduled_report: {}", e.what());
    return 2;
  }
}
