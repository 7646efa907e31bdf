#pragma once
// Who may call which route of the HTTP API (issue 18). With auth.tokens_file set, every request
// but those to auth.open_routes carries `Authorization: Bearer <token>`; the token is looked up by
// its SHA-256, compared with CRYPTO_memcmp against every entry (the time taken does not depend on
// which entry, or how much of one, matches), and its role must be at least the route's
// (route_roles.hpp). No or a wrong token: 401; a role too low: 403; too many wrong tokens from one
// address: 429 (failed_attempts.hpp; a request without any token is no guess and is not counted). Every refusal names the role the route needs.
//
// Without a tokens file every caller is "http-api" with role admin (today's behaviour; the node
// config allows that only on a loopback address, or with http.allow_unauthenticated).
#include "failed_attempts.hpp"
#include "role.hpp"
#include "route_roles.hpp"
#include "token_file.hpp"

#include <actorflow/clock.hpp>
#include <actorflow/json.hpp>
#include <actorflow/status.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace actorflow::node::auth {

inline constexpr int kFailedAttemptsMaxDefault = 20;  // auth.failed_attempts_max
inline constexpr Millis kFailedAttemptsWindowDefault{60'000};  // auth.failed_attempts_window

struct AuthSettings {
  std::string tokens_file;                         // auth.tokens_file; empty: no authentication
  std::vector<std::string> open_routes{"/healthz"};  // auth.open_routes: paths served without a token
  int failed_attempts_max = kFailedAttemptsMaxDefault;
  Millis failed_attempts_window = kFailedAttemptsWindowDefault;
};

// Who made a request.
struct Caller {
  std::string name = "http-api";  // the token's name; "http-api" without authentication
  Role role = Role::admin;
  bool authenticated = false;  // true: named by a token
};

// The verdict on one request: a caller, or the refusal to send.
struct AuthCheck {
  RouteRule rule;
  std::optional<Caller> caller;  // set: go on
  int status = 0;                // otherwise 401, 403 or 429
  Json body;                     // {"error","required_role"[,"role"][,"retry_after_s"]}
  Millis retry_after{0};         // 429: how long the address must wait
};

class Authorizer {
 public:
  explicit Authorizer(AuthSettings settings);

  // (Re)reads the tokens file. On a problem the tokens held so far stay in force and the error
  // names every problem (file:line); warnings (a file others can read) go to `warnings`.
  Status load(std::vector<std::string>* warnings = nullptr);
  bool enabled() const { return !settings_.tokens_file.empty(); }
  size_t token_count() const;
  const AuthSettings& settings() const { return settings_; }

  // Decides on `method` to the decoded path `segments` with the request's Authorization header
  // (empty when absent) from `client` (the peer address). Thread-safe.
  AuthCheck check(const std::string& method, const std::vector<std::string>& segments,
                  const std::string& authorization, const std::string& client);

 private:
  std::optional<TokenEntry> find(const std::string& token) const;
  // Fills in the refusal and logs it; a failure (a token presented and not accepted) counts
  // towards the address's limit.
  void refuse(AuthCheck& check, int status, const std::string& why, const std::string& client,
              bool counts_as_failure = false);

  const AuthSettings settings_;
  FailedAttempts failed_;
  mutable std::mutex mutex_;
  std::shared_ptr<const std::vector<TokenEntry>> tokens_ = std::make_shared<std::vector<TokenEntry>>();
};

}  // namespace actorflow::node::auth
