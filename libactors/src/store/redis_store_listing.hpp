#pragma once
// Lists and counts of workflows in the Redis store. Keys, under the store's prefix <p>:
//   <p>wf:<id>             the workflow's hash; its summary in the fields definition, version,
//                          status (to_string(WorkflowStatus)), started, updated (ms)
//   <p>workflows           sorted set of every workflow id, score 0 (so ZRANGEBYLEX pages by id)
//   <p>status:<status>     sorted set of the ids of the workflows in that status, score 0
// The commit script keeps them (redis_store.cpp); these read them.
#include "store/redis_connection.hpp"

#include <actorflow/store.hpp>

#include <array>
#include <string>
#include <utility>
#include <vector>

namespace actorflow::redis {

std::string workflow_key(const std::string& prefix, const std::string& id);
std::string workflows_key(const std::string& prefix);
std::string status_key(const std::string& prefix, WorkflowStatus status);

std::vector<WorkflowSummary> list_workflows(Connection& connection, const std::string& prefix,
                                            const WorkflowFilter& filter);
std::vector<std::pair<WorkflowStatus, uint64_t>> count_by_status(Connection& connection, const std::string& prefix);

}  // namespace actorflow::redis
