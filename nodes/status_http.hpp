#pragma once
// How an engine error becomes an HTTP status: one table, so every route answers the same kind of
// failure with the same code (503 for passing trouble, which clients retry after Retry-After).
#include <actorflow/status.hpp>

namespace actorflow::node {

inline constexpr int kRetryAfterSeconds = 1;  // the Retry-After of every 503

// `fallback` is the route's status for an error without a more specific code.
int http_status_of(const Status& status, int fallback);

}  // namespace actorflow::node
