#pragma once
// Watches the bytes a cluster connection receives, before CAF's BASP broker sees them, and refuses
// a frame whose header announces a payload above the limit (ClusterOptions::max_message_bytes).
// CAF 0.17 allocates (and zero-fills) a header's payload length as soon as it has the 32-byte
// header, up to 4 GiB; with this guard a peer can make a node buffer at most the limit.
// A BASP frame is a 32-byte header (operation, two padding bytes, flags, payload length as a
// big-endian uint32, operation data, source and destination actor ids) and that many bytes.
#include <cstddef>
#include <cstdint>
#include <string>

namespace actorflow {

class BaspFrameGuard {
 public:
  static constexpr size_t kHeaderBytes = 32;
  static constexpr size_t kPayloadLengthOffset = 4;

  explicit BaspFrameGuard(size_t payload_bytes_max) : payload_bytes_max_(payload_bytes_max) {}

  // Takes the next `size` bytes of the stream; false once a header announced too long a payload
  // (then, and for every later call: the connection must be closed).
  bool accept(const void* bytes, size_t size);

  bool refused() const { return refused_; }
  // Why it refused, naming the limit; empty while it has not.
  const std::string& reason() const { return reason_; }

 private:
  size_t payload_bytes_max_;
  unsigned char header_[kHeaderBytes] = {};
  size_t header_filled_ = 0;
  uint64_t payload_left_ = 0;
  bool refused_ = false;
  std::string reason_;
};

}  // namespace actorflow
