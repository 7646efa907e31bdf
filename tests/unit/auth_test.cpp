// The parts of API authentication that need no node: the tokens file, the route table and the
// failed-attempt limit (nodes/auth/). A real node process is in tests/node/node_auth_test.cpp.
#include "auth/authorizer.hpp"
#include "auth/failed_attempts.hpp"
#include "auth/route_roles.hpp"
#include "auth/token_file.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace actorflow;
using namespace actorflow::node::auth;
using namespace std::chrono_literals;

namespace {

const std::string kHex(64, 'a');  // 32 bytes in hex
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string only_problem(const std::string& text) {
  const TokenFileResult result = parse_token_file(text, "tokens");
  EXPECT_FALSE(result.tokens);
  EXPECT_EQ(result.problems.size(), 1u);
  return result.problems.empty() ? "" : result.problems.front();
}

}  // namespace

TEST(TokenFile, ReadsRolesNamesAndKeepsOnlyHashes) {
  const std::string base64 = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq8E=";  // 32 bytes
  const auto result = parse_token_file("# comment\n\nread viewer " + kHex + "\r\n  admin   root  " + base64 + "\n",
                                       "tokens");
  ASSERT_TRUE(result.tokens) << (result.problems.empty() ? "" : result.problems.front());
  ASSERT_EQ(result.tokens->size(), 2u);
  EXPECT_EQ((*result.tokens)[0].role, Role::read);
  EXPECT_EQ((*result.tokens)[0].name, "viewer");
  EXPECT_EQ((*result.tokens)[0].hash, hash_token(kHex));
  EXPECT_EQ((*result.tokens)[1].role, Role::admin);
  EXPECT_EQ((*result.tokens)[1].hash, hash_token(base64));
}

TEST(TokenFile, RefusesEachBadLineNamingItWithoutShowingTheToken) {
  const std::string short_token(62, 'b');  // 31 bytes
  const std::string problem = only_problem("read a " + kHex + "\noperate weak " + short_token + "\n");
  EXPECT_EQ(problem,
            "tokens:2: the token of 'weak' is too short: 31 bytes; expected at least 32 random bytes, e.g. `openssl "
            "rand -hex 32`");
  EXPECT_EQ(only_problem("root " + kHex + "\n"), "tokens:1: expected 'role name token' (3 fields), got 2 fields");
  EXPECT_EQ(only_problem("superuser root " + kHex + "\n"),
            "tokens:1: unknown role 'superuser'; expected one of read, operate, admin");
  const std::string pasted = only_problem(kHex + " root admin\n");  // columns in the wrong order
  EXPECT_FALSE(contains(pasted, kHex)) << pasted;
  EXPECT_TRUE(contains(only_problem("read a " + kHex + "\nadmin a " + std::string(64, 'c') + "\n"),
                       "tokens:2: the name 'a' is used on line 1 too"));
  EXPECT_TRUE(contains(only_problem("read a " + kHex + "\nadmin b " + kHex + "\n"),
                       "tokens:2: the token of 'b' is the same as the one on line 1"));
  EXPECT_TRUE(contains(only_problem("read a " + std::string(50, '!') + "\n"), "neither hex nor base64"));
  EXPECT_EQ(only_problem("# nothing\n"), "tokens: holds no token; expected lines 'role name token'");
}

TEST(RouteRoles, EachLevelOfRouteNeedsItsRole) {
  EXPECT_EQ(route_rule("GET", {"v1", "workflows"}).role, Role::read);
  EXPECT_EQ(route_rule("GET", {"v1", "version"}).role, Role::read);
  EXPECT_EQ(route_rule("GET", {"v1", "version"}).route, "GET /v1/version");  // in the table, not the fallback
  EXPECT_EQ(route_rule("POST", {"v1", "version"}).role, Role::admin);
  EXPECT_EQ(route_rule("GET", {"v1", "workflows", "a/b", "history"}).workflow_id, "a/b");
  EXPECT_EQ(route_rule("POST", {"v1", "workflows"}).role, Role::operate);
  const RouteRule approve = route_rule("POST", {"v1", "workflows", "po-1", "signals", "manager_approval"});
  EXPECT_EQ(approve.role, Role::operate);
  EXPECT_EQ(approve.route, "POST /v1/workflows/{id}/signals/{name}");
  EXPECT_EQ(approve.workflow_id, "po-1");
  EXPECT_EQ(route_rule("POST", {"v1", "workflows", "x", "cancel"}).role, Role::operate);
  EXPECT_EQ(route_rule("POST", {"v1", "workflows", "x", "retry"}).role, Role::operate);
  EXPECT_EQ(route_rule("POST", {"v1", "schedules", "s", "pause"}).role, Role::operate);
  EXPECT_EQ(route_rule("POST", {"v1", "schedules", "s", "resume"}).schedule_id, "s");
  EXPECT_EQ(route_rule("DELETE", {"v1", "schedules", "s"}).role, Role::admin);
  EXPECT_EQ(route_rule("POST", {"v1", "schedules"}).role, Role::admin);
  EXPECT_EQ(route_rule("POST", {"v1", "definitions"}).role, Role::admin);
  // Not in the table: reads need read, anything else admin (cluster actions to come, typos).
  EXPECT_EQ(route_rule("GET", {"v1", "nothing"}).role, Role::read);
  EXPECT_EQ(route_rule("POST", {"v1", "cluster", "leave"}).role, Role::admin);
  EXPECT_EQ(route_rule("PATCH", {"v1", "workflows", "x"}).role, Role::admin);
}

TEST(FailedAttempts, BeyondTheLimitAnAddressWaitsForItsWindowToEnd) {
  FailedAttempts limit(3, Millis(60'000));
  const auto t0 = FailedAttempts::Clock::now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limit.blocked_for("10.0.0.1", t0), Millis(0));
    limit.record_failure("10.0.0.1", t0 + std::chrono::seconds(i));
  }
  EXPECT_EQ(limit.blocked_for("10.0.0.1", t0 + 10s), Millis(50'000));
  EXPECT_EQ(limit.blocked_for("10.0.0.2", t0 + 10s), Millis(0));  // per address
  EXPECT_EQ(limit.blocked_for("10.0.0.1", t0 + 60s), Millis(0));  // the window ended
}

TEST(FailedAttempts, TrackedAddressesAreBounded) {
  FailedAttempts limit(1, Millis(60'000));
  const auto t0 = FailedAttempts::Clock::now();
  for (size_t i = 0; i <= kTrackedAddressesMax; ++i)
    limit.record_failure("addr-" + std::to_string(i), t0 + std::chrono::milliseconds(i));
  EXPECT_EQ(limit.blocked_for("addr-0", t0 + 20s), Millis(0)) << "the oldest was forgotten";
  EXPECT_GT(limit.blocked_for("addr-" + std::to_string(kTrackedAddressesMax), t0 + 20s), Millis(0));
}

TEST(Authorizer, WithoutATokensFileEveryCallerIsTheApiAsAdmin) {
  Authorizer open{AuthSettings{}};
  ASSERT_TRUE(open.load());
  const AuthCheck check = open.check("POST", {"v1", "definitions"}, "", "127.0.0.1");
  ASSERT_TRUE(check.caller);
  EXPECT_EQ(check.caller->name, "http-api");
  EXPECT_EQ(check.caller->role, Role::admin);
  EXPECT_FALSE(check.caller->authenticated);
}
