#include "schedule/schedule_record.hpp"
#include <actorflow/bounded_parse.hpp>

#include <actorflow/cron.hpp>
#include <actorflow/names.hpp>

#include <ctime>
#include <variant>

namespace actorflow {
namespace {

constexpr int kFormat = 1;

}  // namespace

bool same_schedule(const ScheduleSpec& a, const ScheduleSpec& b) {
  return a.id == b.id && a.cron == b.cron && a.definition == b.definition && a.input == b.input &&
         a.overlap == b.overlap && a.catch_up == b.catch_up && a.catch_up_fires_max == b.catch_up_fires_max;
}

std::string encode_schedule(const ScheduleRecord& record) {
  const ScheduleSpec& spec = record.spec;
  Json json{
      {"format", kFormat},
      {"id", spec.id},
      {"cron", spec.cron},
      {"definition", spec.definition},
      {"input", spec.input},
      {"overlap", std::string(to_string(spec.overlap))},
      {"catch_up", std::string(to_string(spec.catch_up))},
      {"catch_up_fires_max", spec.catch_up_fires_max},
      {"paused", record.paused},
      {"created_ms", record.created_ms},
      {"last_fire_ms", record.last_fire_ms},
      {"pending_fire_ms", record.pending_fire_ms},
      {"buffered_fire_ms", record.buffered_fire_ms},
      {"last_workflow_id", record.last_workflow_id},
      {"fires_started", record.fires_started},
      {"fires_skipped", record.fires_skipped},
  };
  return json.dump();
}

std::optional<ScheduleRecord> decode_schedule(const std::string& encoded, std::string* error) {
  try {
    const Json json = parse_json_or_throw(encoded, stored_json_depth_max());
    if (!json.is_object()) throw std::runtime_error("not a JSON object");
    if (json.value("format", 0) != kFormat)
      throw std::runtime_error("format " + json.value("format", Json()).dump() + " is not " + std::to_string(kFormat));
    ScheduleRecord record;
    ScheduleSpec& spec = record.spec;
    spec.id = json.at("id").get<std::string>();
    spec.cron = json.at("cron").get<std::string>();
    spec.definition = json.at("definition").get<std::string>();
    spec.input = json.at("input");
    auto overlap = parse_overlap_policy(json.at("overlap").get<std::string>());
    if (auto* problem = std::get_if<Status>(&overlap)) throw std::runtime_error(problem->message());
    spec.overlap = std::get<OverlapPolicy>(overlap);
    auto catch_up = parse_catch_up_policy(json.at("catch_up").get<std::string>());
    if (auto* problem = std::get_if<Status>(&catch_up)) throw std::runtime_error(problem->message());
    spec.catch_up = std::get<CatchUpPolicy>(catch_up);
    spec.catch_up_fires_max = json.at("catch_up_fires_max").get<size_t>();
    record.paused = json.at("paused").get<bool>();
    record.created_ms = json.at("created_ms").get<int64_t>();
    record.last_fire_ms = json.at("last_fire_ms").get<int64_t>();
    record.pending_fire_ms = json.at("pending_fire_ms").get<std::vector<int64_t>>();
    record.buffered_fire_ms = json.at("buffered_fire_ms").get<int64_t>();
    record.last_workflow_id = json.at("last_workflow_id").get<std::string>();
    record.fires_started = json.at("fires_started").get<uint64_t>();
    record.fires_skipped = json.at("fires_skipped").get<uint64_t>();
    auto problems = schedule_spec_problems(spec);
    if (!problems.empty()) throw std::runtime_error(Status::errors(problems).message());
    return record;
  } catch (const std::exception& e) {
    if (error) *error = std::string("schedule record unreadable: ") + e.what();
    return std::nullopt;
  }
}

std::string fire_workflow_id(const std::string& schedule_id, int64_t fire_ms) {
  return schedule_id + "@" + std::to_string(fire_ms);
}

std::string format_utc(int64_t at_ms) {
  const std::time_t seconds = static_cast<std::time_t>(at_ms / 1000 - (at_ms % 1000 < 0 ? 1 : 0));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

Json fire_input(const ScheduleSpec& spec, int64_t fire_ms) {
  Json input = spec.input;
  input["schedule"] = Json{{"id", spec.id}, {"fire_ms", fire_ms}, {"fire_utc", format_utc(fire_ms)}};
  return input;
}

std::vector<std::string> schedule_spec_problems(const ScheduleSpec& spec) {
  std::vector<std::string> problems;
  const std::string name = "schedule '" + spec.id + "'";
  if (auto bad = name_problem("schedule id", spec.id)) problems.push_back(*bad);
  auto cron = CronExpression::parse(spec.cron);
  if (auto* problem = std::get_if<Status>(&cron)) problems.push_back(name + ": " + problem->message());
  if (spec.definition.empty()) problems.push_back(name + ": workflow definition name is empty");
  if (!spec.input.is_object())
    problems.push_back(name + ": input must be a JSON object, got " + std::string(spec.input.type_name()));
  else if (Status depth = json_value_depth(spec.input); !depth)
    problems.push_back(name + ": input: " + depth.message());
  else if (spec.input.contains("schedule"))
    problems.push_back(name + ": input has a \"schedule\" field; the engine sets it on every fire (id, fire_ms, fire_utc)");
  if (spec.catch_up_fires_max < 1 || spec.catch_up_fires_max > kCatchUpFiresMaxLimit)
    problems.push_back(name + ": catch_up_fires_max " + std::to_string(spec.catch_up_fires_max) + " is not in 1.." +
                       std::to_string(kCatchUpFiresMaxLimit) + " (kCatchUpFiresMaxLimit)");
  return problems;
}

}  // namespace actorflow
