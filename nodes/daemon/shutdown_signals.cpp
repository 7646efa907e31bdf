#include "shutdown_signals.hpp"

#include <cerrno>
#include <csignal>
#include <ctime>

namespace actorflow::node {
namespace {

sigset_t shutdown_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void block_shutdown_signals() {
  const sigset_t set = shutdown_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up is an error return, not the end of the node
}

std::optional<int> wait_shutdown_signal(Millis limit) {
  const sigset_t set = shutdown_set();
  timespec timeout{};
  timeout.tv_sec = static_cast<time_t>(limit.count() / 1000);
  timeout.tv_nsec = static_cast<long>(limit.count() % 1000) * 1'000'000;
  const int signal = sigtimedwait(&set, nullptr, &timeout);
  if (signal < 0) return std::nullopt;  // EAGAIN: none in time; EINTR: another signal, ask again
  return signal;
}

}  // namespace actorflow::node
