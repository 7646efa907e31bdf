#pragma once
// What every command works with: the node, the output mode and streams, and the exit codes.
#include "node_client.hpp"

#include <iosfwd>
#include <string>

namespace actorflow::cli {

namespace exit_code {
constexpr int ok = 0;
constexpr int error = 1;            // an error reply, or no connection
constexpr int usage = 2;            // bad command line
constexpr int ended_otherwise = 3;  // waited: the workflow ended failed, compensated or dead-lettered
constexpr int wait_timed_out = 4;   // waited: not ended in time
}  // namespace exit_code

struct Session {
  NodeClient& client;
  bool json = false;        // print replies as JSON (for scripts) instead of readable text
  std::ostream& out;        // results
  std::ostream& err;        // errors and progress
  bool err_is_tty = false;  // progress may update one line in place
  int err_columns = 80;     // the terminal's width, when err_is_tty
};

// Prints `error` on `err` as "actorflow: <error>"; returns exit_code::error.
int fail(Session& session, const std::string& error);

// Handles a reply that is not 2xx (or did not come): the error on `err`, and in JSON mode the
// body (or {"error": ...} when there was none) on `out`. Returns exit_code::error.
int fail(Session& session, const Reply& reply);

// JSON mode: prints the body (pretty when it is JSON) on `out`.
void print_body(Session& session, const Reply& reply);

// A 2xx reply whose body is not a JSON object is an error too (a proxy's page, say): true when
// usable, else reports it.
bool usable(Session& session, const Reply& reply);

}  // namespace actorflow::cli
