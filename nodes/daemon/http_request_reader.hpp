#pragma once
// Reads one HTTP/1.x request out of the bytes a connection received so far, strictly (RFC 9112):
// the head must fit header_bytes_max (431), the body body_bytes_max (413); conflicting
// Content-Length headers, a Transfer-Encoding other than chunked, Content-Length together with
// Transfer-Encoding, whitespace before a header's colon, folded header lines and control
// characters are refused with 400, since two readers could frame such a message differently.
// No sockets, no threads: the server (http_listener.hpp) feeds it what it read.
#include "http_api.hpp"

#include <cstddef>
#include <string>

namespace actorflow::node {

struct HttpReadLimits {
  size_t header_bytes_max = limits::kHeaderBytesMax;
  size_t body_bytes_max = limits::kBodyBytesMax;
};

class HttpRequestReader {
 public:
  enum class Stage { head, body, done, refused };

  explicit HttpRequestReader(HttpReadLimits limits) : limits_(limits) {}

  // Reads on in `buffer` (everything received since this request began, growing between calls).
  Stage advance(const std::string& buffer);
  Stage stage() const { return stage_; }

  // After done: the request, and how many bytes of the buffer it took (the rest is the next one).
  HttpRequest& request() { return request_; }
  size_t consumed() const { return consumed_; }
  bool keep_alive() const { return keep_alive_; }
  // The head asked for "Expect: 100-continue" and a body follows.
  bool expects_continue() const { return expect_continue_; }

  // After refused: the status (400, 413, 431, 505) and what is wrong.
  int refusal_status() const { return refusal_status_; }
  const std::string& refusal() const { return refusal_; }

 private:
  Stage refuse(int status, std::string why);
  Stage read_head(const std::string& buffer);
  Stage read_framing();
  Stage read_chunks(const std::string& buffer);

  HttpReadLimits limits_;
  Stage stage_ = Stage::head;
  HttpRequest request_;
  size_t body_start_ = 0;
  size_t content_length_ = 0;
  bool chunked_ = false;
  size_t chunk_pos_ = 0;  // where the next chunk (its size line) begins
  bool in_trailers_ = false;
  size_t consumed_ = 0;
  bool keep_alive_ = true;
  bool expect_continue_ = false;
  int refusal_status_ = 0;
  std::string refusal_;
};

}  // namespace actorflow::node
