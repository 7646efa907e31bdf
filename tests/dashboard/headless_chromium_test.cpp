// The browser runner itself: a page that never loads is killed at the limit, and no run leaves a
// process behind (Chromium's zygotes, renderers and crashpad handlers included).
#include "headless_chromium.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <stdexcept>
#include <string>

using namespace actorflow::testing;

namespace {

// A loopback port that takes connections (the kernel's backlog) but never answers.
class SilentPort {
 public:
  SilentPort() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || listen(fd_, 16) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      throw std::runtime_error("cannot open a listening loopback socket");
    port_ = ntohs(address.sin_port);
  }
  ~SilentPort() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(HeadlessChromiumTest, ARunLeavesNoProcessBehind) {
  const std::string chromium = find_chromium();
  ASSERT_FALSE(chromium.empty()) << kChromiumMissing;
  ChromiumRun run = run_headless_chromium(
      chromium, {"--dump-dom", "data:text/html,<p id=x>static</p><script>x.textContent='scripted'</script>"},
      std::chrono::seconds(60));
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("<p id=\"x\">scripted</p>"), std::string::npos) << run.out;
  EXPECT_TRUE(children_of_this_process().empty());
}

TEST(HeadlessChromiumTest, AHungPageIsKilledAtTheLimitLeavingNothingBehind) {
  const std::string chromium = find_chromium();
  ASSERT_FALSE(chromium.empty()) << kChromiumMissing;
  SilentPort silent;
  const auto started = std::chrono::steady_clock::now();
  ChromiumRun run = run_headless_chromium(
      chromium, {"--virtual-time-budget=5000", "--dump-dom", "http://127.0.0.1:" + std::to_string(silent.port()) + "/"},
      std::chrono::seconds(3));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(run.timed_out);
  EXPECT_EQ(run.exit_code, 128 + SIGKILL);
  EXPECT_LT(took, std::chrono::seconds(15));
  EXPECT_TRUE(children_of_this_process().empty());
}

}  // namespace
