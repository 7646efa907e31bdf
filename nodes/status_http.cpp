#include "status_http.hpp"

namespace actorflow::node {

int http_status_of(const Status& status, int fallback) {
  switch (status.code()) {
    case StatusCode::ok: return 200;
    case StatusCode::invalid_argument: return 400;
    case StatusCode::not_found: return 404;
    case StatusCode::already_exists: return 409;
    case StatusCode::failed_precondition: return 409;
    case StatusCode::unavailable: return 503;
    case StatusCode::corruption: return 500;
    case StatusCode::unknown: return fallback;
  }
  return fallback;
}

}  // namespace actorflow::node
