#include "store/redis_store_listing.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

namespace actorflow::redis {
namespace {

constexpr size_t kListDefault = 100;  // list_workflows with limit 0
constexpr size_t kListMax = 1000;
// Ids read at a time when a definition is to match, so that a rare one takes few round trips.
constexpr size_t kDefinitionScanChunk = 200;

template <typename Integer>
Integer integer_field(Connection& connection, const std::string& id, const char* field, const redisReply* reply) {
  Integer value{};
  const auto text = is_string(reply) ? reply_text(*reply) : std::string_view{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!is_string(reply) || error != std::errc{} || end != text.data() + text.size()) {
    connection.fail("workflow '" + id + "' has a malformed " + field + " (" + describe(reply) + ")");
  }
  return value;
}

// The summary in an HMGET of kSummaryFields; nullopt when the workflow's hash is gone.
constexpr std::array<std::string_view, 5> kSummaryFields = {"definition", "version", "status", "started", "updated"};

std::optional<WorkflowSummary> summary_of(Connection& connection, const std::string& id, const redisReply* reply) {
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements != kSummaryFields.size()) {
    connection.fail("reading the summary of workflow '" + id + "': " + describe(reply));
  }
  const redisReply* status = reply->element[2];
  if (status->type == REDIS_REPLY_NIL) return std::nullopt;
  WorkflowSummary summary;
  summary.id = id;
  if (!is_string(reply->element[0]) || !is_string(status)) {
    connection.fail("workflow '" + id + "' has a malformed summary (" + describe(reply->element[0]) + ", " +
                    describe(status) + ")");
  }
  summary.definition = reply_text(*reply->element[0]);
  auto parsed = parse_workflow_status(reply_text(*status));
  if (!parsed) {
    connection.fail("workflow '" + id + "' has an unknown status '" + std::string(reply_text(*status)) + "'");
  }
  summary.status = *parsed;
  summary.version = integer_field<int>(connection, id, "version", reply->element[1]);
  summary.started_ms = integer_field<int64_t>(connection, id, "started time", reply->element[3]);
  summary.updated_ms = integer_field<int64_t>(connection, id, "updated time", reply->element[4]);
  return summary;
}

}  // namespace

std::string workflow_key(const std::string& prefix, const std::string& id) { return prefix + "wf:" + id; }
std::string workflows_key(const std::string& prefix) { return prefix + "workflows"; }
std::string status_key(const std::string& prefix, WorkflowStatus status) {
  return prefix + "status:" + std::string(to_string(status));
}

std::vector<WorkflowSummary> list_workflows(Connection& connection, const std::string& prefix,
                                            const WorkflowFilter& filter) {
  const size_t limit = filter.limit == 0 ? kListDefault : std::min(filter.limit, kListMax);
  const size_t chunk = filter.definition.empty() ? limit : std::max(limit, kDefinitionScanChunk);
  const std::string chunk_text = std::to_string(chunk);
  const std::string source = filter.status ? status_key(prefix, *filter.status) : workflows_key(prefix);
  std::string after = filter.after_id;
  std::vector<WorkflowSummary> page;
  while (page.size() < limit) {
    const std::string min = "(" + after;  // exclusive; "(" alone is every id but the empty one
    Reply reply = connection.run({"ZRANGEBYLEX", source, min, "+", "LIMIT", "0", chunk_text});
    const std::vector<std::string> ids = connection.strings_of("ZRANGEBYLEX", reply.get());
    if (ids.empty()) break;
    for (const std::string& id : ids) {
      const std::string key = workflow_key(prefix, id);
      Command command{"HMGET", key};
      for (auto field : kSummaryFields) command.add(field);
      connection.append(command);
    }
    const std::vector<Reply> summaries = connection.read_replies(ids.size());
    for (size_t i = 0; i < ids.size() && page.size() < limit; ++i) {
      auto summary = summary_of(connection, ids[i], summaries[i].get());
      // A workflow whose status changed since the ids were read is in the other status' set now.
      if (!summary || (filter.status && summary->status != *filter.status)) continue;
      if (!filter.definition.empty() && summary->definition != filter.definition) continue;
      page.push_back(std::move(*summary));
    }
    if (ids.size() < chunk) break;
    after = ids.back();
  }
  return page;
}

std::vector<std::pair<WorkflowStatus, uint64_t>> count_by_status(Connection& connection, const std::string& prefix) {
  for (WorkflowStatus status : kWorkflowStatuses) {
    const std::string key = status_key(prefix, status);
    connection.append({"ZCARD", key});
  }
  const std::vector<Reply> replies = connection.read_replies(kWorkflowStatuses.size());
  std::vector<std::pair<WorkflowStatus, uint64_t>> counts;
  for (size_t i = 0; i < kWorkflowStatuses.size(); ++i) {
    const redisReply* reply = replies[i].get();
    if (reply->type != REDIS_REPLY_INTEGER || reply->integer < 0) connection.unexpected("ZCARD", reply);
    if (reply->integer > 0) counts.emplace_back(kWorkflowStatuses[i], static_cast<uint64_t>(reply->integer));
  }
  return counts;
}

}  // namespace actorflow::redis
