#include "http_request_reader.hpp"

#include <string_view>
#include <vector>

namespace actorflow::node {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr size_t kChunkLineBytesMax = 1024;  // a chunk size line with its extensions

bool is_token_char(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (unsigned char c : text)
    if (!is_token_char(c)) return false;
  return true;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The comma-separated elements of every value of header `name`, trimmed, empty ones dropped.
std::vector<std::string> elements(const HttpRequest& request, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [header, value] : request.headers) {
    if (header != name) continue;
    std::string_view rest = value;
    while (true) {
      const size_t comma = rest.find(',');
      const std::string_view element = trim(rest.substr(0, comma));
      if (!element.empty()) out.emplace_back(element);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return out;
}

bool has_token(const std::vector<std::string>& list, std::string_view token) {
  for (const auto& element : list)
    if (lowercase(element) == token) return true;
  return false;
}

}  // namespace

HttpRequestReader::Stage HttpRequestReader::refuse(int status, std::string why) {
  refusal_status_ = status;
  refusal_ = std::move(why);
  return stage_ = Stage::refused;
}

HttpRequestReader::Stage HttpRequestReader::advance(const std::string& buffer) {
  if (stage_ == Stage::head) read_head(buffer);
  if (stage_ != Stage::body) return stage_;
  if (chunked_) return read_chunks(buffer);
  if (buffer.size() - body_start_ < content_length_) return stage_;
  request_.body = buffer.substr(body_start_, content_length_);
  consumed_ = body_start_ + content_length_;
  return stage_ = Stage::done;
}

HttpRequestReader::Stage HttpRequestReader::read_head(const std::string& buffer) {
  size_t start = 0;  // empty lines before a request line are ignored (RFC 9112 2.2)
  while (buffer.compare(start, 2, kCrlf) == 0) start += 2;
  const size_t end = buffer.find("\r\n\r\n", start);
  const size_t head_bytes = end == std::string::npos ? buffer.size() - start : end + 4 - start;
  if (head_bytes > limits_.header_bytes_max)
    return refuse(431, "request head exceeds header_bytes_max (" + std::to_string(limits_.header_bytes_max) +
                           " bytes of request line and headers)");
  if (end == std::string::npos) return stage_;

  std::vector<std::string_view> lines;
  const std::string_view head(buffer.data() + start, end + 2 - start);
  for (size_t pos = 0; pos < head.size();) {
    const size_t eol = head.find(kCrlf, pos);
    lines.push_back(head.substr(pos, eol - pos));
    pos = eol + 2;
  }
  for (std::string_view line : lines)
    for (unsigned char c : line)
      if ((c < 0x20 && c != '\t') || c == 0x7f) return refuse(400, "control character in the request head");

  const std::string_view request_line = lines.front();
  const size_t first_space = request_line.find(' ');
  const size_t last_space = request_line.rfind(' ');
  if (first_space == std::string_view::npos || first_space == last_space)
    return refuse(400, "malformed request line (expected: method target HTTP/1.1)");
  const std::string_view method = request_line.substr(0, first_space);
  const std::string_view target = request_line.substr(first_space + 1, last_space - first_space - 1);
  const std::string_view version = request_line.substr(last_space + 1);
  if (!is_token(method) || target.empty() || target.find_first_of(" \t") != std::string_view::npos)
    return refuse(400, "malformed request line (expected: method target HTTP/1.1)");
  if (version.substr(0, 5) != "HTTP/") return refuse(400, "malformed request line (expected: method target HTTP/1.1)");
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return refuse(505, "HTTP version " + std::string(version) + " not supported");
  request_.method = method;
  request_.target = target;

  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (line.front() == ' ' || line.front() == '\t') return refuse(400, "folded header line (obs-fold) refused");
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return refuse(400, "header line without ':'");
    const std::string_view name = line.substr(0, colon);
    if (!is_token(name))
      return refuse(400, "malformed header name '" + std::string(name.substr(0, 64)) + "' (no whitespace before ':')");
    request_.headers.emplace_back(lowercase(name), std::string(trim(line.substr(colon + 1))));
  }
  const std::vector<std::string> connection = elements(request_, "connection");
  keep_alive_ = version == "HTTP/1.1" ? !has_token(connection, "close") : has_token(connection, "keep-alive");
  body_start_ = end + 4;
  return read_framing();
}

HttpRequestReader::Stage HttpRequestReader::read_framing() {
  const std::vector<std::string> lengths = elements(request_, "content-length");
  const std::vector<std::string> codings = elements(request_, "transfer-encoding");
  bool has_transfer_encoding = false;
  for (const auto& [name, value] : request_.headers) has_transfer_encoding = has_transfer_encoding || name == "transfer-encoding";
  bool has_length = false;
  for (const auto& [name, value] : request_.headers) has_length = has_length || name == "content-length";

  if (has_transfer_encoding) {
    if (has_length) return refuse(400, "both Content-Length and Transfer-Encoding: the body's framing is ambiguous");
    if (codings.size() != 1 || lowercase(codings.front()) != "chunked")
      return refuse(400, "unsupported Transfer-Encoding '" + std::string(request_.header("transfer-encoding")->substr(0, 64)) +
                             "' (only chunked is accepted)");
    chunked_ = true;
    chunk_pos_ = body_start_;
  } else if (has_length) {
    if (lengths.empty()) return refuse(400, "empty Content-Length");
    for (const auto& length : lengths) {
      if (length != lengths.front()) return refuse(400, "conflicting Content-Length headers");
      if (length.size() > 18 || length.find_first_not_of("0123456789") != std::string::npos)
        return refuse(400, "malformed Content-Length '" + length.substr(0, 64) + "'");
    }
    content_length_ = std::stoull(lengths.front());
    if (content_length_ > limits_.body_bytes_max)
      return refuse(413, "request body of " + lengths.front() + " bytes exceeds body_bytes_max (" +
                             std::to_string(limits_.body_bytes_max) + ")");
  }
  if (const std::string* expect = request_.header("expect"))
    expect_continue_ = lowercase(*expect) == "100-continue" && (chunked_ || content_length_ > 0);
  return stage_ = Stage::body;
}

HttpRequestReader::Stage HttpRequestReader::read_chunks(const std::string& buffer) {
  while (true) {
    const size_t eol = buffer.find(kCrlf, chunk_pos_);
    if (eol == std::string::npos) {
      if (buffer.size() - chunk_pos_ > (in_trailers_ ? limits_.header_bytes_max : kChunkLineBytesMax))
        return refuse(in_trailers_ ? 431 : 400, in_trailers_ ? "trailers exceed header_bytes_max" : "chunk size line too long");
      return stage_;
    }
    const std::string_view line(buffer.data() + chunk_pos_, eol - chunk_pos_);
    if (in_trailers_) {  // trailer fields are read over, not kept
      chunk_pos_ = eol + 2;
      if (line.empty()) {
        consumed_ = chunk_pos_;
        return stage_ = Stage::done;
      }
      continue;
    }
    const std::string_view size_text = trim(line.substr(0, line.find(';')));
    if (size_text.empty() || size_text.size() > 15 || size_text.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos)
      return refuse(400, "malformed chunk size '" + std::string(size_text.substr(0, 32)) + "'");
    const size_t size = std::stoull(std::string(size_text), nullptr, 16);
    if (size == 0) {
      in_trailers_ = true;
      chunk_pos_ = eol + 2;
      continue;
    }
    if (request_.body.size() + size > limits_.body_bytes_max)
      return refuse(413, "chunked request body exceeds body_bytes_max (" + std::to_string(limits_.body_bytes_max) + ")");
    const size_t data = eol + 2;
    if (buffer.size() < data + size + 2) return stage_;
    if (buffer.compare(data + size, 2, kCrlf) != 0) return refuse(400, "chunk data not followed by CRLF");
    request_.body.append(buffer, data, size);
    chunk_pos_ = data + size + 2;
  }
}

}  // namespace actorflow::node
