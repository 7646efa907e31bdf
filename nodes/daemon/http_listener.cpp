#include "http_listener.hpp"
#include "listen_address.hpp"

#include "http_request_reader.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace actorflow::node {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kSweepMs = 100;                         // deadlines are checked this often
constexpr Millis kLinger{1'000};                      // a refused connection is read over this long before close
constexpr Millis kStopGrace{5'000};                   // stop() waits this long for requests in progress
constexpr size_t kReadChunk = 16 << 10;
constexpr int kEventsMax = 256;


const char* reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Status";
  }
}

HttpReply error_reply(int status, const std::string& message) { return HttpReply{status, Json{{"error", message}}}; }

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK); }

void raise_open_file_limit(size_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= wanted) return;
  limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min<rlim_t>(limit.rlim_max, wanted);
  setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace

std::string render_reply(const HttpReply& reply, bool keep_alive) {
  const std::string body = reply.content_type.empty() ? reply.body.dump(-1, ' ', false, Json::error_handler_t::replace)
                                                      : reply.text;
  std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + reason_phrase(reply.status) + "\r\n";
  out += "Content-Type: " + (reply.content_type.empty() ? std::string("application/json") : reply.content_type) + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  for (const auto& [name, value] : reply.headers) out += name + ": " + value + "\r\n";
  if (!keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  out += body;
  return out;
}

// The numeric address of a peer, without its port ("" when unknown).
static std::string address_text(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, text, sizeof text);
  else if (address.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr, text, sizeof text);
  return text;
}

struct HttpListener::Loop {
  enum class Phase { reading, working, writing, lingering };

  struct Connection {
    int fd = -1;
    uint64_t id = 0;
    Phase phase = Phase::reading;
    std::string in;
    std::string out;
    size_t out_sent = 0;
    HttpRequestReader reader;
    SteadyClock::time_point deadline;
    size_t requests = 0;
    bool close_after_write = false;
    uint32_t events = 0;  // what epoll waits for
    std::string peer;     // the client's address (rate limits and the audit trail name it)
  };

  struct Job {
    int fd;
    uint64_t id;
    HttpRequest request;
    bool keep_alive;
  };
  struct Done {
    int fd;
    uint64_t id;
    std::string bytes;
    bool keep_alive;
  };

  Loop(const HttpServerOptions& options, const HttpHandler& handler, int listen_fd)
      : options(options), handler(handler), listen_fd(listen_fd) {}

  const HttpServerOptions& options;
  const HttpHandler& handler;
  int listen_fd;
  int epoll_fd = -1;
  int wake_fd = -1;
  int reserve_fd = -1;  // closed to accept (and refuse) a connection when no descriptor is left
  uint64_t next_id = 0;
  std::unordered_map<int, Connection> connections;
  std::atomic<bool> stopping{false};

  std::mutex mutex;  // guards jobs, done, workers_stop
  std::condition_variable work_ready;
  std::deque<Job> jobs;
  std::vector<Done> done;
  bool workers_stop = false;
  std::vector<std::thread> workers;

  HttpReadLimits read_limits() const { return HttpReadLimits{options.header_bytes_max, options.body_bytes_max}; }

  void watch(Connection& c, uint32_t events) {
    if (c.events == events) return;
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = c.fd;
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &ev);
    c.events = events;
  }

  void close_connection(int fd) {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    connections.erase(fd);
  }

  // Sends what it can of `c.out`; then waits for the rest, or goes on with the connection.
  void flush(Connection& c) {
    while (c.out_sent < c.out.size()) {
      const ssize_t n = ::send(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        c.phase = Phase::writing;
        watch(c, EPOLLOUT);
        return;
      }
      if (n < 0 && errno == EINTR) continue;
      return close_connection(c.fd);
    }
    c.out.clear();
    c.out_sent = 0;
    if (c.close_after_write) return linger(c);
    c.phase = Phase::reading;
    c.reader = HttpRequestReader(read_limits());
    c.deadline = SteadyClock::now() + (c.in.empty() ? options.keep_alive_timeout : options.header_timeout);
    watch(c, EPOLLIN);
    if (!c.in.empty()) parse(c);  // a pipelined request
  }

  // After a reply that ends the connection: no more writes; what the client still sends is read
  // over for a moment, so that closing does not reset the connection before it read the reply.
  void linger(Connection& c) {
    ::shutdown(c.fd, SHUT_WR);
    c.phase = Phase::lingering;
    c.in.clear();
    c.deadline = SteadyClock::now() + kLinger;
    watch(c, EPOLLIN);
  }

  void reply_and_close(Connection& c, const HttpReply& reply) {
    c.out = render_reply(reply, false);
    c.out_sent = 0;
    c.close_after_write = true;
    flush(c);
  }

  void parse(Connection& c) {
    const auto before = c.reader.stage();
    const auto stage = c.reader.advance(c.in);
    if (stage == HttpRequestReader::Stage::refused)
      return reply_and_close(c, error_reply(c.reader.refusal_status(), c.reader.refusal()));
    if (stage == HttpRequestReader::Stage::head) return;
    if (stage == HttpRequestReader::Stage::body) {
      if (before == HttpRequestReader::Stage::head) {
        c.deadline = SteadyClock::now() + options.body_timeout;
        if (c.reader.expects_continue()) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          ::send(c.fd, kContinue.data(), kContinue.size(), MSG_NOSIGNAL);  // small: fits the empty socket buffer
        }
      }
      return;
    }
    // Complete: to a worker.
    ++c.requests;
    const bool keep_alive = c.reader.keep_alive() && c.requests < options.keep_alive_requests_max && !stopping;
    c.in.erase(0, c.reader.consumed());
    bool queued = false;
    {
      std::lock_guard lock(mutex);
      if (jobs.size() < options.queue_max) {
        c.reader.request().remote_addr = c.peer;
        jobs.push_back(Job{c.fd, c.id, std::move(c.reader.request()), keep_alive});
        queued = true;
      }
    }
    if (!queued)
      return reply_and_close(c, error_reply(503, "server busy: " + std::to_string(options.queue_max) +
                                                     " requests wait for a worker (http.queue_max)"));
    work_ready.notify_one();
    c.phase = Phase::working;
    watch(c, 0);
  }

  void on_readable(Connection& c) {
    char buffer[kReadChunk];
    while (true) {
      const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
      if (n > 0) {
        if (c.phase == Phase::lingering) continue;
        if (c.in.empty() && c.reader.stage() == HttpRequestReader::Stage::head)
          c.deadline = SteadyClock::now() + options.header_timeout;  // a request begins
        c.in.append(buffer, static_cast<size_t>(n));
        if (static_cast<size_t>(n) < sizeof buffer) break;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      return close_connection(c.fd);  // closed by the client, or failed
    }
    if (c.phase == Phase::reading) parse(c);
  }

  void accept_all() {
    while (true) {
      sockaddr_storage peer_address{};
      socklen_t peer_length = sizeof peer_address;
      int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&peer_address), &peer_length, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if ((errno == EMFILE || errno == ENFILE) && reserve_fd >= 0) {
          ::close(reserve_fd);  // accept it, to tell it why, then close it
          fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (fd >= 0) refuse_connection(fd, "no file descriptor left for a connection (raise the open-file limit)");
          reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
          continue;
        }
        return;  // EAGAIN: all accepted
      }
      if (connections.size() >= options.connections_max) {
        refuse_connection(fd, "too many connections: " + std::to_string(options.connections_max) +
                                  " are open (http.connections_max)");
        continue;
      }
      int yes = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
      Connection& c = connections.emplace(fd, Connection{fd, ++next_id, Phase::reading, {}, {}, 0,
                                                         HttpRequestReader(read_limits()),
                                                         SteadyClock::now() + options.keep_alive_timeout, 0, false, 0,
                                                         address_text(peer_address)})
                          .first->second;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = fd;
      epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
      c.events = EPOLLIN;
    }
  }

  static void refuse_connection(int fd, const std::string& why) {
    const std::string bytes = render_reply(error_reply(503, why), false);
    ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);  // best effort: small, the buffer is empty
    ::shutdown(fd, SHUT_WR);
    // Unread input makes close() reset the connection, which can discard the reply: read what came.
    char sink[4096];
    while (::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0) {
    }
    ::close(fd);
  }

  void take_done() {
    uint64_t count = 0;
    [[maybe_unused]] const ssize_t n = ::read(wake_fd, &count, sizeof count);
    std::vector<Done> ready;
    {
      std::lock_guard lock(mutex);
      ready.swap(done);
    }
    for (auto& d : ready) {
      auto it = connections.find(d.fd);
      if (it == connections.end() || it->second.id != d.id) continue;  // the client went away
      Connection& c = it->second;
      c.out = std::move(d.bytes);
      c.out_sent = 0;
      c.close_after_write = !d.keep_alive;
      c.deadline = SteadyClock::now() + options.body_timeout;
      flush(c);
    }
  }

  void sweep(SteadyClock::time_point now) {
    std::vector<int> expired;
    for (auto& [fd, c] : connections)
      if (c.phase != Phase::working && c.deadline <= now) expired.push_back(fd);
    for (int fd : expired) {
      Connection& c = connections.at(fd);
      if (c.phase == Phase::reading && !c.in.empty()) {
        const bool head = c.reader.stage() == HttpRequestReader::Stage::head;
        reply_and_close(c, error_reply(408, head ? "the request head did not arrive within header_timeout (" +
                                                       std::to_string(options.header_timeout.count()) + " ms)"
                                                 : "the request body did not arrive within body_timeout (" +
                                                       std::to_string(options.body_timeout.count()) + " ms)"));
      } else {
        close_connection(fd);  // idle past keep_alive_timeout, a reply not taken, or lingered enough
      }
    }
  }

  void work() {
    while (true) {
      Job job;
      {
        std::unique_lock lock(mutex);
        work_ready.wait(lock, [&] { return workers_stop || !jobs.empty(); });
        if (jobs.empty()) return;
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      HttpReply reply;
      try {
        reply = handler(job.request);
      } catch (const std::exception& e) {
        reply = error_reply(500, std::string("internal error: ") + e.what());
      } catch (...) {
        reply = error_reply(500, "internal error: unknown exception");
      }
      Done result{job.fd, job.id, render_reply(reply, job.keep_alive), job.keep_alive};
      {
        std::lock_guard lock(mutex);
        done.push_back(std::move(result));
      }
      const uint64_t one = 1;
      [[maybe_unused]] const ssize_t n = ::write(wake_fd, &one, sizeof one);
    }
  }

  bool busy() const {
    for (const auto& [fd, c] : connections)
      if (c.phase == Phase::working || c.phase == Phase::writing) return true;
    return false;
  }

  // The epoll loop, until stop() and the requests in progress are answered.
  void run() {
    epoll_event events[kEventsMax];
    SteadyClock::time_point stop_deadline{};
    SteadyClock::time_point last_sweep = SteadyClock::now();
    bool listening = true;
    while (true) {
      if (stopping && listening) {
        epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
        listening = false;
        stop_deadline = SteadyClock::now() + kStopGrace;
        std::vector<int> idle;
        for (auto& [fd, c] : connections)
          if (c.phase == Phase::reading || c.phase == Phase::lingering) idle.push_back(fd);
        for (int fd : idle) close_connection(fd);
      }
      if (!listening && (!busy() || SteadyClock::now() >= stop_deadline)) break;
      const int n = epoll_wait(epoll_fd, events, kEventsMax, kSweepMs);
      if (n < 0 && errno != EINTR) break;
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == listen_fd) {
          if (events[i].events & (EPOLLERR | EPOLLHUP)) return;
          accept_all();
          continue;
        }
        if (fd == wake_fd) {
          take_done();
          continue;
        }
        auto it = connections.find(fd);
        if (it == connections.end()) continue;
        Connection& c = it->second;
        if (events[i].events & EPOLLERR) {
          close_connection(fd);
        } else if (c.phase == Phase::writing && (events[i].events & EPOLLOUT)) {
          flush(c);
        } else if (events[i].events & (EPOLLIN | EPOLLHUP)) {
          if (c.phase == Phase::working) close_connection(fd);  // hung up while its request runs
          else on_readable(c);
        }
      }
      const auto now = SteadyClock::now();
      if (now - last_sweep >= Millis(kSweepMs)) {
        sweep(now);
        last_sweep = now;
      }
    }
  }
};

HttpListener::HttpListener(HttpServerOptions options, HttpHandler handler)
    : options_(options), handler_(std::move(handler)) {}

HttpListener::~HttpListener() {
  stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

Status HttpListener::bind(const std::string& address) {
  const HostPort parsed = parse_address(address);
  if (parsed.port < 0) return Status::error("cannot listen on '" + address + "': expected host:port");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(parsed.port);
  if (const int rc = getaddrinfo(parsed.host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return Status::error("cannot listen on " + address + ": " + gai_strerror(rc));
  std::string failure = "the address cannot be bound";
  for (addrinfo* ai = found; ai != nullptr && listen_fd_ < 0; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    // SO_REUSEADDR, not SO_REUSEPORT: a restart may bind while old connections linger, but a
    // second node cannot bind a port in use and take half its connections.
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0) {
      listen_fd_ = fd;
      break;
    }
    failure = std::strerror(errno);
    ::close(fd);
  }
  freeaddrinfo(found);
  if (listen_fd_ < 0) return Status::error("cannot listen on " + address + ": " + failure);
  set_nonblocking(listen_fd_);
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &length);
  const int actual = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                                 : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  bound_address_ = parsed.shown + ":" + std::to_string(actual);
  return Status::ok();
}

void HttpListener::start() {
  if (listen_fd_ < 0 || thread_.joinable()) return;
  raise_open_file_limit(options_.connections_max + 256);
  loop_ = std::make_unique<Loop>(options_, handler_, listen_fd_);
  loop_->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  loop_->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  loop_->reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  for (int fd : {listen_fd_, loop_->wake_fd}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(loop_->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
  }
  for (size_t i = 0; i < std::max<size_t>(1, options_.workers); ++i)
    loop_->workers.emplace_back([loop = loop_.get()] { loop->work(); });
  serving_ = true;
  thread_ = std::thread([this] {
    loop_->run();
    serving_ = false;
  });
}

void HttpListener::stop() {
  if (!thread_.joinable()) return;
  loop_->stopping = true;
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(loop_->wake_fd, &one, sizeof one);
  thread_.join();
  {
    std::lock_guard lock(loop_->mutex);
    loop_->workers_stop = true;
  }
  loop_->work_ready.notify_all();
  for (auto& worker : loop_->workers) worker.join();
  for (auto& [fd, c] : loop_->connections) ::close(fd);
  loop_->connections.clear();
  for (int fd : {loop_->epoll_fd, loop_->wake_fd, loop_->reserve_fd})
    if (fd >= 0) ::close(fd);
  serving_ = false;
}

}  // namespace actorflow::node
