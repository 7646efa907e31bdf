#pragma once
// The API tokens file (auth.tokens_file): one token a line, `role name token`, e.g.
//   operate  deploy-bot  3f0c...(64 hex digits)
// Blank lines and lines starting with '#' are skipped. A token is at least kTokenBytesMin random
// bytes, written in hex (2 digits a byte: `openssl rand -hex 32`) or base64/base64url (4
// characters for 3 bytes: `openssl rand -base64 32`). Only the SHA-256 of each token is kept.
#include "role.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace actorflow::node::auth {

inline constexpr size_t kTokenBytesMin = 32;         // a shorter token is refused (naming its line)
inline constexpr size_t kTokensMax = 10'000;         // entries in one tokens file
inline constexpr size_t kTokenFileBytesMax = 1 << 20;
inline constexpr size_t kTokenNameCharsMax = 64;     // names: [A-Za-z0-9._@-]

using TokenHash = std::array<unsigned char, 32>;  // SHA-256

struct TokenEntry {
  Role role = Role::read;
  std::string name;
  TokenHash hash{};
};

struct TokenFileResult {
  std::optional<std::vector<TokenEntry>> tokens;  // set exactly when `problems` is empty
  std::vector<std::string> problems;              // "file:line: what", never holding a token
  std::vector<std::string> warnings;              // e.g. the file is readable by others
};

// SHA-256 of `token` (OpenSSL libcrypto).
TokenHash hash_token(std::string_view token);

// Parses tokens file text; problems name `source_name` and the line.
TokenFileResult parse_token_file(std::string_view text, const std::string& source_name);
// Reads and parses the file at `path`.
TokenFileResult load_token_file(const std::string& path);

}  // namespace actorflow::node::auth
