#include "cluster/cluster_transport.hpp"

#include <actorflow/logging.hpp>

#include "cluster/basp_frame_guard.hpp"

#include <caf/all.hpp>
#include <caf/detail/socket_guard.hpp>
#include <caf/io/all.hpp>
#include <caf/io/middleman_actor_impl.hpp>
#include <caf/io/network/default_multiplexer.hpp>
#include <caf/io/network/doorman_impl.hpp>
#include <caf/io/network/stream_impl.hpp>
#include <caf/openssl/session.hpp>
#include <caf/policy/tcp.hpp>

#include <openssl/err.h>

#include <memory>
#include <stdexcept>

namespace actorflow {
namespace {

using caf::io::network::default_multiplexer;
using caf::io::network::native_socket;
using caf::io::network::rw_state;

struct TransportSettings {
  bool tls = false;
  size_t message_bytes_max = 0;
  std::string node_id;
};

std::string remote_address(native_socket fd) {
  auto host = caf::io::network::remote_addr_of_fd(fd);
  auto port = caf::io::network::remote_port_of_fd(fd);
  return (host ? *host : std::string("?")) + ":" + (port ? std::to_string(*port) : std::string("?"));
}

// OpenSSL's last error on this thread (CAF's session leaves it queued), cleared.
std::string take_openssl_error() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text;
}

void log_refused(const TransportSettings& settings, native_socket fd, const std::string& reason) {
  log_json(spdlog::level::warn, {{"event", "cluster_connection_refused"}, {"node_id", settings.node_id},
                                 {"peer_address", remote_address(fd)}, {"reason", reason}});
}

// The bytes of a connection: plain TCP, or a TLS session underneath.
struct PlainBytes {
  static constexpr bool kHandshakes = false;
  rw_state read_some(size_t& result, native_socket fd, void* buf, size_t len) {
    return caf::policy::tcp::read_some(result, fd, buf, len);
  }
  rw_state write_some(size_t& result, native_socket fd, const void* buf, size_t len) {
    return caf::policy::tcp::write_some(result, fd, buf, len);
  }
  bool must_read_more(native_socket, size_t) { return false; }
};

struct TlsBytes {
  static constexpr bool kHandshakes = true;
  std::shared_ptr<caf::openssl::session> session;
  rw_state read_some(size_t& result, native_socket fd, void* buf, size_t len) {
    return session->read_some(result, fd, buf, len);
  }
  rw_state write_some(size_t& result, native_socket fd, const void* buf, size_t len) {
    return session->write_some(result, fd, buf, len);
  }
  bool must_read_more(native_socket fd, size_t threshold) { return session->must_read_more(fd, threshold); }
};

// What the stream reads passes the frame guard before the broker gets it.
template <class Bytes>
class GuardedPolicy {
 public:
  GuardedPolicy(Bytes bytes, const TransportSettings& settings)
      : bytes_(std::move(bytes)), settings_(settings), guard_(settings.message_bytes_max) {}

  rw_state read_some(size_t& result, native_socket fd, void* buf, size_t len) {
    const rw_state state = bytes_.read_some(result, fd, buf, len);
    if (state == rw_state::failure) {
      handshake_failed(fd);
      return state;
    }
    if (result == 0) return state;
    if (!guard_.accept(buf, result)) {
      refusal_logged_ = true;
      log_refused(settings_, fd, guard_.reason());
      result = 0;
      return rw_state::failure;
    }
    delivered_any_ = true;
    return state;
  }
  rw_state write_some(size_t& result, native_socket fd, const void* buf, size_t len) {
    const rw_state state = bytes_.write_some(result, fd, buf, len);
    // The handshake runs in whichever comes first, a read or a write (the server's BASP handshake).
    if (state == rw_state::failure) handshake_failed(fd);
    return state;
  }
  bool must_read_more(native_socket fd, size_t threshold) { return bytes_.must_read_more(fd, threshold); }

 private:
  // A TLS connection that fails before its first byte arrived: its handshake was refused (or the
  // peer left during it). Logged once.
  void handshake_failed(native_socket fd) {
    if (!Bytes::kHandshakes || delivered_any_ || refusal_logged_) return;
    refusal_logged_ = true;
    const std::string why = take_openssl_error();
    log_refused(settings_, fd, "TLS handshake failed: " + (why.empty() ? std::string("connection closed") : why));
  }

  Bytes bytes_;
  TransportSettings settings_;
  BaspFrameGuard guard_;
  bool delivered_any_ = false;
  bool refusal_logged_ = false;
};

template <class Bytes>
class GuardedScribe : public caf::io::scribe {
 public:
  GuardedScribe(default_multiplexer& mpx, native_socket fd, Bytes bytes, const TransportSettings& settings)
      : caf::io::scribe(caf::io::network::conn_hdl_from_socket(fd)),
        stream_(mpx, fd, GuardedPolicy<Bytes>(std::move(bytes), settings)) {}

  void configure_read(caf::io::receive_policy::config config) override {
    stream_.configure_read(config);
    if (!launched_) launch();
  }
  void ack_writes(bool enable) override { stream_.ack_writes(enable); }
  std::vector<char>& wr_buf() override { return stream_.wr_buf(); }
  std::vector<char>& rd_buf() override { return stream_.rd_buf(); }
  void graceful_shutdown() override {
    stream_.graceful_shutdown();
    detach(&stream_.backend(), false);
  }
  void flush() override { stream_.flush(this); }
  std::string addr() const override {
    auto host = caf::io::network::remote_addr_of_fd(stream_.fd());
    return host ? *host : std::string();
  }
  uint16_t port() const override {
    auto port = caf::io::network::remote_port_of_fd(stream_.fd());
    return port ? *port : 0;
  }
  void add_to_loop() override { stream_.activate(this); }
  void remove_from_loop() override { stream_.passivate(); }

 private:
  void launch() {
    launched_ = true;
    stream_.start(this);
    // A TLS session may still have its handshake to drive: an empty write schedules it.
    if (Bytes::kHandshakes) stream_.force_empty_write(this);
  }

  bool launched_ = false;
  caf::io::network::stream_impl<GuardedPolicy<Bytes>> stream_;
};

// A scribe for connected socket `fd`, or nothing (`fd` left to the caller to close) when no TLS
// session can be made on it.
caf::io::scribe_ptr make_scribe(caf::actor_system& system, default_multiplexer& mpx, native_socket fd, bool accepted,
                                const TransportSettings& settings) {
  caf::io::network::nonblocking(fd, true);
  if (!settings.tls) return caf::make_counted<GuardedScribe<PlainBytes>>(mpx, fd, PlainBytes{}, settings);
  caf::openssl::session_ptr session;
  try {
    // CAF raises an exception when the key files cannot be loaded (they are checked at start, but
    // may have been replaced since): this connection fails, the node goes on.
    session = caf::openssl::make_session(system, fd, accepted);
  } catch (const std::exception& e) {
    log_json(spdlog::level::err, {{"event", "cluster_tls_unusable"}, {"node_id", settings.node_id},
                                  {"peer_address", remote_address(fd)}, {"detail", e.what()}});
    return nullptr;
  }
  if (!session) {
    log_refused(settings, fd, "TLS handshake failed: " + take_openssl_error());
    return nullptr;
  }
  return caf::make_counted<GuardedScribe<TlsBytes>>(mpx, fd, TlsBytes{std::shared_ptr<caf::openssl::session>(std::move(session))},
                                                    settings);
}

class GuardedDoorman : public caf::io::network::doorman_impl {
 public:
  GuardedDoorman(default_multiplexer& mpx, native_socket fd, TransportSettings settings)
      : caf::io::network::doorman_impl(mpx, fd), settings_(std::move(settings)) {}

  bool new_connection() override {
    if (detached()) return false;  // the broker let go of it; the multiplexer has not removed it yet
    default_multiplexer& mpx = acceptor_.backend();
    const native_socket fd = acceptor_.accepted_socket();
    caf::detail::socket_guard closes_on_failure{fd};
    caf::io::scribe_ptr scribe = make_scribe(parent()->system(), mpx, fd, /*accepted=*/true, settings_);
    if (!scribe) return false;
    closes_on_failure.release();
    const caf::io::connection_handle handle = scribe->hdl();
    parent()->add_scribe(std::move(scribe));
    return caf::io::doorman::new_connection(&mpx, handle);
  }

 private:
  TransportSettings settings_;
};

class ClusterTransport : public caf::io::middleman_actor_impl {
 public:
  ClusterTransport(caf::actor_config& config, caf::actor broker, TransportSettings settings)
      : caf::io::middleman_actor_impl(config, std::move(broker)), settings_(std::move(settings)) {}

  const char* name() const override { return "actorflow-cluster-transport"; }

 protected:
  caf::expected<caf::io::scribe_ptr> connect(const std::string& host, uint16_t port) override {
    auto fd = caf::io::network::new_tcp_connection(host, port);
    if (!fd) return std::move(fd.error());
    caf::detail::socket_guard closes_on_failure{*fd};
    caf::io::scribe_ptr scribe = make_scribe(system(), multiplexer(), *fd, /*accepted=*/false, settings_);
    if (!scribe) return caf::sec::cannot_connect_to_node;
    closes_on_failure.release();
    return scribe;
  }

  caf::expected<caf::io::doorman_ptr> open(uint16_t port, const char* address, bool reuse) override {
    auto fd = caf::io::network::new_tcp_acceptor_impl(port, address, reuse);
    if (!fd) return std::move(fd.error());
    return caf::make_counted<GuardedDoorman>(multiplexer(), *fd, settings_);
  }

 private:
  default_multiplexer& multiplexer() { return static_cast<default_multiplexer&>(system().middleman().backend()); }

  TransportSettings settings_;
};

}  // namespace

caf::actor spawn_cluster_transport(caf::actor_system& system, const ClusterOptions& options, const std::string& node_id) {
  if (dynamic_cast<default_multiplexer*>(&system.middleman().backend()) == nullptr)
    throw std::logic_error("the cluster transport needs CAF's default network backend");
  TransportSettings settings{options.tls.enabled(), options.max_message_bytes, node_id};
  auto broker = system.middleman().named_broker<caf::io::basp_broker>(caf::atom("BASP"));
  return caf::actor_cast<caf::actor>(
      system.spawn<ClusterTransport, caf::detached + caf::hidden>(std::move(broker), std::move(settings)));
}

}  // namespace actorflow
