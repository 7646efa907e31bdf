#include "daily_report.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <functional>
#include <sstream>

using namespace actorflow;

namespace scheduled_report {
namespace {

// The day reported on: the date part of the fire time, e.g. "2024-03-01".
std::string day_of(const Json& data) {
  return data.at("schedule").at("fire_utc").get<std::string>().substr(0, 10);
}

// Stand-in for a query against the sales database: figures derived from the day, so a re-run of
// the step gathers the same ones.
Json gather(const StepContext& ctx) {
  const std::string day = day_of(ctx.input());
  const size_t seed = std::hash<std::string>{}(day);
  const int orders = 80 + static_cast<int>(seed % 70);
  const int64_t revenue_cents = orders * (2'500 + static_cast<int64_t>((seed / 70) % 4'000));
  const int refunds = static_cast<int>((seed / 280'000) % 6);
  spdlog::info("[{}] gather: {} orders, {:.2f} revenue, {} refunds", day, orders, revenue_cents / 100.0, refunds);
  return {{"day", day}, {"orders", orders}, {"revenue_cents", revenue_cents}, {"refunds", refunds}};
}

Json render(const StepContext& ctx) {
  const Json& figures = ctx.input().at("gather");
  const std::string title = ctx.input().value("title", std::string("Daily report"));
  std::ostringstream text;
  text << title << " - " << figures.at("day").get<std::string>() << "\n"
       << std::string(title.size() + 13, '=') << "\n"
       << "orders:   " << figures.at("orders").get<int>() << "\n"
       << "revenue:  " << figures.at("revenue_cents").get<int64_t>() / 100 << "."
       << (figures.at("revenue_cents").get<int64_t>() % 100 < 10 ? "0" : "")
       << figures.at("revenue_cents").get<int64_t>() % 100 << "\n"
       << "refunds:  " << figures.at("refunds").get<int>() << "\n"
       << "workflow: " << ctx.workflow_id() << "\n";
  spdlog::info("[{}] render: {} bytes", figures.at("day").get<std::string>(), text.str().size());
  return {{"text", text.str()}};
}

Json deliver(const StepContext& ctx, const std::filesystem::path& reports_dir) {
  const std::string day = day_of(ctx.input());
  std::filesystem::create_directories(reports_dir);
  const auto path = reports_dir / ("report-" + day + ".txt");
  const auto partial = reports_dir / ("report-" + day + ".txt.partial");
  {
    std::ofstream out(partial, std::ios::trunc);
    out << ctx.input().at("render").at("text").get<std::string>();
    if (!out.flush()) throw std::runtime_error("cannot write " + partial.string());
  }
  std::filesystem::rename(partial, path);
  spdlog::info("[{}] deliver: report written to {}", day, path.string());
  return {{"path", path.string()}};
}

}  // namespace

WorkflowDefinition daily_report_definition() {
  return WorkflowBuilder(kWorkflow).step("gather", "gather_figures").step("render", "render_report").step("deliver", "deliver_report").build();
}

void register_daily_report_handlers(Engine& engine, const std::filesystem::path& reports_dir) {
  engine.register_handler("gather_figures", gather);
  engine.register_handler("render_report", render);
  engine.register_handler("deliver_report", [reports_dir](const StepContext& ctx) { return deliver(ctx, reports_dir); });
}

}  // namespace scheduled_report
