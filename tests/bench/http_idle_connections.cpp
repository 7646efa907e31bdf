// bench_http_idle: how long an ordinary start takes on a real actorflow-node while N other
// connections are held open and idle, or slow (one byte a second of a request head that never
// ends). For each N (--idle, default 0, 1000 and 10000): opens the connections, then makes
// --starts POST /v1/workflows one after another, on one kept-alive connection and on a new
// connection each, and reports p50, p99 and max. The node runs with header_timeout and
// keep_alive_timeout long enough to hold every connection for the whole run.
#include "node_process.hpp"

#include <CLI/CLI.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace actorflow;
using namespace actorflow::testing;
using Clock = std::chrono::steady_clock;

namespace {

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void raise_open_file_limit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);  // the node, started after this, inherits it
}

struct Figures {
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  int failed = 0;
};

Figures summarize(std::vector<double> ms, int failed) {
  Figures f;
  f.failed = failed;
  if (ms.empty()) return f;
  std::sort(ms.begin(), ms.end());
  f.p50_ms = ms[ms.size() / 2];
  f.p99_ms = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
  f.max_ms = ms.back();
  return f;
}

// `count` starts, timed one by one; `fresh`: a new connection for each.
Figures time_starts(const NodeProcess& node, int count, bool fresh, const std::string& prefix) {
  std::vector<double> ms;
  int failed = 0;
  auto client = node.client();
  for (int i = 0; i < count; ++i) {
    if (fresh) client = node.client();
    const std::string body = Json{{"definition", "order_saga"}, {"id", prefix + std::to_string(i)}}.dump();
    const auto begin = Clock::now();
    const auto result = client->Post("/v1/workflows", body, "application/json");
    const auto took = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
    if (!result || result->status != 201) ++failed;
    else ms.push_back(took);
  }
  return summarize(std::move(ms), failed);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"p99 of a start on a real node while many connections are held idle or slow"};
  std::vector<int> idle_counts{0, 1'000, 10'000};
  int starts = 500;
  app.add_option("--idle", idle_counts, "connections held open while starting (repeatable)");
  app.add_option("--starts", starts, "starts timed at each count");
  CLI11_PARSE(app, argc, argv);

  raise_open_file_limit();
  NodeDir dir;
  NodeSetup setup = dir.setup();
  setup.http_yaml = "  header_timeout: 1h\n  keep_alive_timeout: 1h\n  connections_max: 100000\n";
  NodeProcess node(dir, setup);

  std::printf("%-8s %-5s %-14s %9s %9s %9s %7s\n", "held", "kind", "client", "p50_ms", "p99_ms", "max_ms", "failed");
  int run = 0;
  for (const int count : idle_counts) {
    for (const bool slow : {false, true}) {
      if (count == 0 && slow) continue;
      std::vector<int> held;
      for (int i = 0; i < count; ++i) {
        const int fd = connect_to(node.port());
        if (fd < 0) {
          std::cerr << "could only open " << i << " connections\n";
          break;
        }
        held.push_back(fd);
      }
      // Slow: each sends one more byte of a head every second, never the end of it.
      std::atomic<bool> done{false};
      std::thread trickle;
      if (slow) {
        trickle = std::thread([&] {
          const std::string head = "POST /v1/workflows HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
          for (size_t byte = 0; !done; ++byte) {
            const char c = byte < head.size() ? head[byte] : 'x';
            for (int fd : held) ::send(fd, &c, 1, MSG_NOSIGNAL);
            for (int i = 0; i < 10 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
          }
        });
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));  // let the node accept them all
      const std::string prefix = "bench-" + std::to_string(++run) + "-";
      for (const bool fresh : {false, true}) {
        const Figures f = time_starts(node, starts, fresh, prefix + (fresh ? "f" : "k"));
        std::printf("%-8zu %-5s %-14s %9.2f %9.2f %9.2f %7d\n", held.size(), slow ? "slow" : "idle",
                    fresh ? "new-connection" : "kept-alive", f.p50_ms, f.p99_ms, f.max_ms, f.failed);
        std::fflush(stdout);
      }
      done = true;
      if (trickle.joinable()) trickle.join();
      for (int fd : held) ::close(fd);
    }
  }
  node.stop();
  return 0;
}
