#pragma once
// The node's definition routes: list what is registered, and deploy new definitions (YAML) while
// the node serves. A deployed definition is checked fully (every problem, with line:column) before
// anything is registered; versions are immutable, so a running workflow keeps the version it
// started with while new starts take the newest.
#include "http_api.hpp"

#include <actorflow/actorflow.hpp>

#include <string>

namespace actorflow::node {

// GET /v1/definitions -> {"definitions":[{"name","version","latest"}]}
HttpReply list_definitions(const Engine& engine);

// POST /v1/definitions, body = YAML (one or more documents). `source` names the text in problems
// ("<source>:line:column: ..."). When `save_dir` is not empty the text is first written there as
// "<name>-v<version>.yaml" (of its first definition; atomically), so that the node loads it again
// when it restarts; nothing is registered when that fails.
//   201 {"registered":[{"name","version"}], "saved_as": path|null}
//   400 {"error", "problems":[...]}   malformed YAML, unknown handler, bad duration, ...
//   409 {"error"}                     a name and version already registered (versions are immutable)
HttpReply deploy_definitions(Engine& engine, const std::string& yaml, const std::string& source,
                             const std::string& save_dir);

}  // namespace actorflow::node
