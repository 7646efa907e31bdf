// The frame guard of the cluster transport (libactors/src/cluster/basp_frame_guard.hpp): frames up
// to the limit pass however the stream is split; a header announcing more is refused, naming the
// limit, and so is everything after it.
#include "cluster/basp_frame_guard.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace actorflow {
namespace {

std::string header(uint32_t payload_bytes) {
  std::string bytes(BaspFrameGuard::kHeaderBytes, '\0');
  bytes[0] = 0x02;
  for (int i = 0; i < 4; ++i) bytes[4 + static_cast<size_t>(i)] = static_cast<char>((payload_bytes >> (24 - 8 * i)) & 0xff);
  return bytes;
}

std::string frame(uint32_t payload_bytes) { return header(payload_bytes) + std::string(payload_bytes, 'x'); }

TEST(BaspFrameGuard, FramesUpToTheLimitPassWhateverTheReadSizes) {
  const std::string stream = frame(0) + frame(1000) + frame(4096) + frame(17);
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{32}, size_t{33}, size_t{4096}, stream.size()}) {
    BaspFrameGuard guard(4096);
    for (size_t at = 0; at < stream.size(); at += chunk)
      ASSERT_TRUE(guard.accept(stream.data() + at, std::min(chunk, stream.size() - at))) << "chunk " << chunk;
    EXPECT_FALSE(guard.refused());
  }
}

TEST(BaspFrameGuard, AHeaderAnnouncingMoreThanTheLimitIsRefused) {
  BaspFrameGuard guard(4096);
  const std::string stream = frame(10) + header(4097);
  EXPECT_TRUE(guard.accept(stream.data(), 10 + BaspFrameGuard::kHeaderBytes + 5));
  EXPECT_FALSE(guard.accept(stream.data() + 47, stream.size() - 47));
  EXPECT_TRUE(guard.refused());
  EXPECT_NE(guard.reason().find("4097 bytes"), std::string::npos) << guard.reason();
  EXPECT_NE(guard.reason().find("cluster.max_message_bytes"), std::string::npos) << guard.reason();
  const std::string more = frame(1);
  EXPECT_FALSE(guard.accept(more.data(), more.size())) << "a refused stream stays refused";
}

TEST(BaspFrameGuard, FourGibibytesAnnouncedInTheFirstHeaderIsRefusedAtOnce) {
  BaspFrameGuard guard(8 << 20);
  const std::string first = header(0xFFFFFFFFu);
  EXPECT_FALSE(guard.accept(first.data(), first.size()));
}

}  // namespace
}  // namespace actorflow
