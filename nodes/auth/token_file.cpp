#include "token_file.hpp"

#include <openssl/evp.h>

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace actorflow::node::auth {
namespace {

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '@';
}

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

bool is_base64(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '-' || c == '_';
  });
}

// How many random bytes a token written in hex or base64 holds; nothing for another alphabet.
std::optional<size_t> token_bytes(std::string_view token) {
  if (is_hex(token)) return token.size() / 2;
  if (!is_base64(token)) return std::nullopt;
  size_t chars = token.size();
  while (chars > 0 && token[chars - 1] == '=') --chars;
  return chars * 6 / 8;
}

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    const size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

}  // namespace

TokenHash hash_token(std::string_view token) {
  TokenHash hash{};
  unsigned int size = 0;
  if (EVP_Digest(token.data(), token.size(), hash.data(), &size, EVP_sha256(), nullptr) != 1 || size != hash.size())
    throw std::runtime_error("SHA-256 failed (OpenSSL EVP_Digest)");
  return hash;
}

TokenFileResult parse_token_file(std::string_view text, const std::string& source_name) {
  TokenFileResult result;
  std::vector<TokenEntry> tokens;
  std::map<std::string, size_t> name_lines;
  std::map<TokenHash, size_t> token_lines;
  size_t line_number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto fields = fields_of(line);
    if (fields.empty() || fields[0].front() == '#') continue;
    const std::string at = source_name + ":" + std::to_string(line_number) + ": ";
    if (fields.size() != 3) {
      result.problems.push_back(at + "expected 'role name token' (3 fields), got " + std::to_string(fields.size()) +
                                " fields");
      continue;
    }
    const auto role = parse_role(fields[0]);
    if (!role) {
      // The role is printed only when it is short and plain: a token pasted first must not be echoed.
      const bool printable = fields[0].size() <= 16 && std::all_of(fields[0].begin(), fields[0].end(), is_name_char);
      result.problems.push_back(at + "unknown role" + (printable ? " '" + std::string(fields[0]) + "'" : "") +
                                "; expected one of read, operate, admin");
      continue;
    }
    const std::string name(fields[1]);
    if (name.empty() || name.size() > kTokenNameCharsMax || !std::all_of(name.begin(), name.end(), is_name_char)) {
      result.problems.push_back(at + "the token's name must be 1 to " + std::to_string(kTokenNameCharsMax) +
                                " letters, digits, '.', '_', '-' or '@'");
      continue;
    }
    const auto bytes = token_bytes(fields[2]);
    if (!bytes) {
      result.problems.push_back(at + "the token of '" + name + "' is neither hex nor base64; expected at least " +
                                std::to_string(kTokenBytesMin) + " random bytes, e.g. `openssl rand -hex 32`");
      continue;
    }
    if (*bytes < kTokenBytesMin) {
      result.problems.push_back(at + "the token of '" + name + "' is too short: " + std::to_string(*bytes) +
                                " bytes; expected at least " + std::to_string(kTokenBytesMin) +
                                " random bytes, e.g. `openssl rand -hex 32`");
      continue;
    }
    if (const auto [it, inserted] = name_lines.try_emplace(name, line_number); !inserted) {
      result.problems.push_back(at + "the name '" + name + "' is used on line " + std::to_string(it->second) +
                                " too; expected each name once");
      continue;
    }
    TokenEntry entry{*role, name, hash_token(fields[2])};
    if (const auto [it, inserted] = token_lines.try_emplace(entry.hash, line_number); !inserted) {
      result.problems.push_back(at + "the token of '" + name + "' is the same as the one on line " +
                                std::to_string(it->second) + "; expected a token of its own for each name");
      continue;
    }
    if (tokens.size() == kTokensMax) {
      result.problems.push_back(at + "more than " + std::to_string(kTokensMax) + " tokens in one file");
      break;
    }
    tokens.push_back(std::move(entry));
  }
  if (result.problems.empty() && tokens.empty())
    result.problems.push_back(source_name + ": holds no token; expected lines 'role name token'");
  if (result.problems.empty()) result.tokens = std::move(tokens);
  return result;
}

TokenFileResult load_token_file(const std::string& path) {
  const auto fail = [&](const std::string& what) {
    TokenFileResult result;
    result.problems.push_back(path + ": " + what);
    return result;
  };
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return fail(std::string("cannot read: ") + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) return fail("is not a file; expected a tokens file");
  if (static_cast<size_t>(info.st_size) > kTokenFileBytesMax)
    return fail("is " + std::to_string(info.st_size) + " bytes; expected at most " + std::to_string(kTokenFileBytesMax));
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return fail(std::string("cannot read: ") + std::strerror(errno));
  TokenFileResult result = parse_token_file(text.str(), path);
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    result.warnings.push_back(path + ": readable by group or others (mode " +
                              std::to_string((info.st_mode >> 6) & 7) + std::to_string((info.st_mode >> 3) & 7) +
                              std::to_string(info.st_mode & 7) + "); expected 600");
  return result;
}

}  // namespace actorflow::node::auth
