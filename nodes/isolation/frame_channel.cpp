#include "frame_channel.hpp"

#include <actorflow/bounded_parse.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace actorflow::node::isolation {
namespace {

std::string too_long(size_t bytes, size_t max) {
  return "a frame of " + std::to_string(bytes) + " bytes, over frame_bytes_max (" + std::to_string(max) + ")";
}

}  // namespace

FrameChannel::FrameChannel(int fd, size_t frame_bytes_max) : fd_(fd), frame_bytes_max_(frame_bytes_max) {}

FrameChannel::~FrameChannel() {
  if (fd_ >= 0) ::close(fd_);
}

void FrameChannel::write(const Json& frame) {
  const std::string text = frame.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > frame_bytes_max_) throw FrameError(too_long(text.size(), frame_bytes_max_));
  const uint32_t size = static_cast<uint32_t>(text.size());
  const unsigned char header[4]{static_cast<unsigned char>(size >> 24), static_cast<unsigned char>(size >> 16),
                                static_cast<unsigned char>(size >> 8), static_cast<unsigned char>(size)};
  std::string bytes(reinterpret_cast<const char*>(header), 4);
  bytes += text;
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw ChannelClosed(std::string("cannot write to the channel: ") + std::strerror(errno));
    sent += static_cast<size_t>(n);
  }
}

bool FrameChannel::read_exact(char* out, size_t size, int stop_fd, int timeout_ms) {
  size_t got = 0;
  while (got < size) {
    pollfd fds[2]{{fd_, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    const int ready = ::poll(fds, stop_fd >= 0 ? 2 : 1, timeout_ms);
    if (ready == 0) return false;
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) throw ChannelClosed(std::string("poll failed: ") + std::strerror(errno));
    if (stop_fd >= 0 && (fds[1].revents & POLLIN)) return false;
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    const ssize_t n = ::read(fd_, out + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) throw ChannelClosed("the other end closed the channel");
    if (n < 0) throw ChannelClosed(std::string("cannot read the channel: ") + std::strerror(errno));
    got += static_cast<size_t>(n);
  }
  return true;
}

std::optional<Json> FrameChannel::read(int stop_fd, int timeout_ms) {
  unsigned char header[4];
  if (!read_exact(reinterpret_cast<char*>(header), 4, stop_fd, timeout_ms)) return std::nullopt;
  const size_t size = (size_t{header[0]} << 24) | (size_t{header[1]} << 16) | (size_t{header[2]} << 8) | header[3];
  if (size == 0) throw FrameError("a frame of 0 bytes");
  if (size > frame_bytes_max_) throw FrameError(too_long(size, frame_bytes_max_));
  std::string text(size, '\0');
  if (!read_exact(text.data(), size, stop_fd, timeout_ms)) return std::nullopt;
  Json frame = parse_json_or_discarded(text, stored_json_depth_max());
  if (frame.is_discarded()) throw FrameError("a frame that is no JSON (or nests deeper than json_depth_max)");
  if (!frame.is_object() || !frame.contains("type") || !frame["type"].is_string())
    throw FrameError("a frame that is no JSON object with a \"type\"");
  return frame;
}

}  // namespace actorflow::node::isolation
