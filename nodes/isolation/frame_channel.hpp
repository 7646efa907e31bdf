#pragma once
// Length-prefixed JSON frames over a stream socket (the socketpair between the node and one step
// worker, worker_pool.hpp): a 4-byte big-endian length, then that many bytes of one JSON object.
// A frame is malformed when its length is 0 or over frame_bytes_max, or its text is no JSON
// object (or nests deeper than the JSON depth limit): read() throws FrameError, and the channel
// must not be used again (the node then kills the worker that sent it). Not thread-safe: one
// reader and one writer at a time (the caller serialises).
#include <actorflow/json.hpp>

#include <cstddef>
#include <optional>
#include <stdexcept>

namespace actorflow::node::isolation {

// The peer sent a malformed frame; what() says how, naming frame_bytes_max when it was too long.
class FrameError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The peer closed its end (or died), or the socket failed.
class ChannelClosed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class FrameChannel {
 public:
  // Takes `fd` (closed by the destructor).
  FrameChannel(int fd, size_t frame_bytes_max);
  ~FrameChannel();
  FrameChannel(const FrameChannel&) = delete;
  FrameChannel& operator=(const FrameChannel&) = delete;

  // Sends one frame; blocks until it is written. Throws ChannelClosed, or FrameError when the
  // frame itself is over frame_bytes_max (nothing is sent then).
  void write(const Json& frame);
  // Blocks for the next frame. Nothing when `stop_fd` (-1: none) became readable first, or when
  // no byte came for `timeout_ms` (-1: no limit); throws ChannelClosed or FrameError.
  std::optional<Json> read(int stop_fd = -1, int timeout_ms = -1);
  size_t frame_bytes_max() const { return frame_bytes_max_; }
  int fd() const { return fd_; }

 private:
  // Reads exactly `size` bytes into `out`; false on stop or timeout (see read).
  bool read_exact(char* out, size_t size, int stop_fd, int timeout_ms);

  int fd_;
  size_t frame_bytes_max_;
};

}  // namespace actorflow::node::isolation
