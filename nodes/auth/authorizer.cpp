#include "authorizer.hpp"

#include <actorflow/logging.hpp>

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>

namespace actorflow::node::auth {
namespace {

std::string joined_path(const std::vector<std::string>& segments) {
  std::string path;
  for (const auto& s : segments) path += "/" + s;
  return path.empty() ? "/" : path;
}

// The token of "Bearer <token>" (the scheme is case-insensitive, RFC 9110); nothing when the header
// has another form.
std::optional<std::string> bearer_token(const std::string& header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return std::nullopt;
  size_t start = kScheme.size();
  while (start < header.size() && header[start] == ' ') ++start;
  size_t end = header.size();
  while (end > start && header[end - 1] == ' ') --end;
  std::string token = header.substr(start, end - start);
  const bool plain = !token.empty() && std::all_of(token.begin(), token.end(), [](char c) {
    return c > ' ' && c < 0x7f;
  });
  if (!plain) return std::nullopt;
  return token;
}

std::string how_to_pass(Role needed) {
  return "send 'Authorization: Bearer <token>' with a token of role '" + std::string(to_string(needed)) +
         "' or higher (the CLI: --token, --token-file or ACTORFLOW_TOKEN)";
}

}  // namespace

Authorizer::Authorizer(AuthSettings settings)
    : settings_(std::move(settings)), failed_(settings_.failed_attempts_max, settings_.failed_attempts_window) {}

Status Authorizer::load(std::vector<std::string>* warnings) {
  if (!enabled()) return Status::ok();
  TokenFileResult read = load_token_file(settings_.tokens_file);
  if (warnings) *warnings = read.warnings;
  if (!read.tokens) return Status::errors(read.problems);
  auto tokens = std::make_shared<const std::vector<TokenEntry>>(std::move(*read.tokens));
  std::lock_guard lock(mutex_);
  tokens_ = std::move(tokens);
  return Status::ok();
}

size_t Authorizer::token_count() const {
  std::lock_guard lock(mutex_);
  return tokens_->size();
}

std::optional<TokenEntry> Authorizer::find(const std::string& token) const {
  std::shared_ptr<const std::vector<TokenEntry>> tokens;
  {
    std::lock_guard lock(mutex_);
    tokens = tokens_;
  }
  const TokenHash presented = hash_token(token);
  // Every entry is compared, all of its bytes: no early exit tells how far a guess got.
  const TokenEntry* found = nullptr;
  for (const TokenEntry& entry : *tokens) {
    const bool same = CRYPTO_memcmp(entry.hash.data(), presented.data(), presented.size()) == 0;
    if (same) found = &entry;
  }
  if (!found) return std::nullopt;
  return *found;
}

void Authorizer::refuse(AuthCheck& check, int status, const std::string& why, const std::string& client,
                        bool counts_as_failure) {
  check.status = status;
  check.body = Json{{"error", why}, {"required_role", std::string(to_string(check.rule.role))}};
  if (status == 401 && counts_as_failure) failed_.record_failure(client);
  log_json(spdlog::level::warn, {{"event", "auth_refused"},
                                 {"route", check.rule.route},
                                 {"client", client},
                                 {"status", status},
                                 {"required_role", std::string(to_string(check.rule.role))},
                                 {"reason", why}});
}

AuthCheck Authorizer::check(const std::string& method, const std::vector<std::string>& segments,
                            const std::string& authorization, const std::string& client) {
  AuthCheck check;
  check.rule = route_rule(method, segments);
  if (!enabled()) {
    check.caller = Caller{};
    return check;
  }
  const std::string path = joined_path(segments);
  const bool open = !is_state_changing(method) &&
                    std::find(settings_.open_routes.begin(), settings_.open_routes.end(), path) != settings_.open_routes.end();
  if (open) {
    check.caller = Caller{"anonymous", Role::read, false};
    return check;
  }
  const std::string needed(to_string(check.rule.role));
  if (const Millis wait = failed_.blocked_for(client); wait.count() > 0) {
    check.retry_after = wait;
    const long long seconds = (wait.count() + 999) / 1000;
    refuse(check, 429,
           "too many failed authentication attempts from " + client + ": more than auth.failed_attempts_max (" +
               std::to_string(failed_.attempts_max()) + ") in auth.failed_attempts_window (" +
               std::to_string(failed_.window().count()) + " ms); retry in " + std::to_string(seconds) + " s",
           client);
    check.body["retry_after_s"] = seconds;
    return check;
  }
  const std::string how = how_to_pass(check.rule.role);
  if (authorization.empty()) {
    refuse(check, 401, "authentication required: " + how, client);
    return check;
  }
  const auto token = bearer_token(authorization);
  if (!token) {
    refuse(check, 401, "malformed Authorization header; expected 'Bearer <token>': " + how, client, true);
    return check;
  }
  const auto entry = find(*token);
  if (!entry) {
    refuse(check, 401, "unknown token: " + how, client, true);
    return check;
  }
  if (!allows(entry->role, check.rule.role)) {
    const std::string held(to_string(entry->role));
    refuse(check, 403,
           "token '" + entry->name + "' has role '" + held + "'; " + check.rule.route + " needs role '" + needed +
               "' or higher",
           client);
    check.body["role"] = held;
    return check;
  }
  check.caller = Caller{entry->name, entry->role, true};
  return check;
}

}  // namespace actorflow::node::auth
