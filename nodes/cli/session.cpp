#include "session.hpp"

#include <ostream>

namespace actorflow::cli {

int fail(Session& session, const std::string& error) {
  session.err << "actorflow: " << error << "\n";
  return exit_code::error;
}

int fail(Session& session, const Reply& reply) {
  std::string error = session.client.describe_failure(reply);
  if (session.json) {
    if (reply.reached && !reply.body.empty()) {
      print_body(session, reply);
    } else {
      session.out << Json{{"error", error}}.dump(2) << "\n";
    }
  }
  return fail(session, error);
}

void print_body(Session& session, const Reply& reply) {
  if (reply.json) {
    session.out << reply.json->dump(2) << "\n";
  } else {
    session.out << reply.body;
    if (!reply.body.empty() && reply.body.back() != '\n') session.out << "\n";
  }
}

bool usable(Session& session, const Reply& reply) {
  if (reply.json && reply.json->is_object()) return true;
  fail(session, "the node's reply is not a JSON object (HTTP " + std::to_string(reply.status) + "): " +
                    reply.body.substr(0, 200));
  return false;
}

}  // namespace actorflow::cli
