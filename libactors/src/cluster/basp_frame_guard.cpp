#include "cluster/basp_frame_guard.hpp"

#include <algorithm>
#include <cstring>

namespace actorflow {

bool BaspFrameGuard::accept(const void* bytes, size_t size) {
  const auto* at = static_cast<const unsigned char*>(bytes);
  while (size > 0 && !refused_) {
    if (payload_left_ > 0) {
      const size_t taken = static_cast<size_t>(std::min<uint64_t>(payload_left_, size));
      payload_left_ -= taken;
      at += taken;
      size -= taken;
      continue;
    }
    const size_t taken = std::min(kHeaderBytes - header_filled_, size);
    std::memcpy(header_ + header_filled_, at, taken);
    header_filled_ += taken;
    at += taken;
    size -= taken;
    if (header_filled_ < kHeaderBytes) break;
    header_filled_ = 0;
    const unsigned char* length = header_ + kPayloadLengthOffset;
    const uint64_t payload = (uint64_t{length[0]} << 24) | (uint64_t{length[1]} << 16) | (uint64_t{length[2]} << 8) |
                             uint64_t{length[3]};
    if (payload > payload_bytes_max_) {
      refused_ = true;
      reason_ = "a cluster message of " + std::to_string(payload) + " bytes was announced; at most " +
                std::to_string(payload_bytes_max_) + " are accepted (cluster.max_message_bytes)";
      break;
    }
    payload_left_ = payload;
  }
  return !refused_;
}

}  // namespace actorflow
