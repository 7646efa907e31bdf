#pragma once
// The daily report workflow: gather the day's figures, render the report, deliver it as a file.
// A cron schedule starts it; the fire time (input `schedule.fire_utc`) names the day reported on.
#include <actorflow/actorflow.hpp>

#include <filesystem>
#include <string>

namespace scheduled_report {

inline constexpr const char* kWorkflow = "daily_report";

// Steps "gather" -> "render" -> "deliver".
actorflow::WorkflowDefinition daily_report_definition();

// Registers the three step handlers. `deliver` writes "<reports_dir>/report-<YYYY-MM-DD>.txt"
// (write to a temporary file, then rename: a step run twice leaves one complete report).
void register_daily_report_handlers(actorflow::Engine& engine, const std::filesystem::path& reports_dir);

}  // namespace scheduled_report
