#include "store/redis_connection.hpp"

#include <charconv>
#include <csignal>
#include <ctime>
#include <pthread.h>
#include <utility>

namespace actorflow::redis {
namespace {

timeval to_timeval(int ms) {
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return tv;
}

// hiredis writes with write(2): on a connection the server closed that raises SIGPIPE, which kills
// the process by default. This blocks SIGPIPE on the calling thread while in scope and discards
// one raised meanwhile, leaving the process' signal handling alone.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&sigpipe_);
    sigaddset(&sigpipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &sigpipe_, &old_mask_);
  }
  ~SigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        timespec no_wait{};
        sigtimedwait(&sigpipe_, nullptr, &no_wait);
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t sigpipe_{};
  sigset_t old_mask_{};
  bool was_pending_ = false;
};

}  // namespace

std::string describe(const redisReply* reply) {
  if (reply == nullptr) return "no reply";
  switch (reply->type) {
    case REDIS_REPLY_STRING: return "string reply";
    case REDIS_REPLY_ARRAY: return "array reply of " + std::to_string(reply->elements);
    case REDIS_REPLY_INTEGER: return "integer reply " + std::to_string(reply->integer);
    case REDIS_REPLY_NIL: return "nil reply";
    case REDIS_REPLY_STATUS: return "status reply '" + std::string(reply_text(*reply)) + "'";
    case REDIS_REPLY_ERROR: return "error '" + std::string(reply_text(*reply)) + "'";
    default: return "reply of unknown type " + std::to_string(reply->type);
  }
}

std::vector<const char*> Command::argv() const {
  std::vector<const char*> out;
  for (auto arg : args_) out.push_back(arg.data());
  return out;
}

std::vector<size_t> Command::lengths() const {
  std::vector<size_t> out;
  for (auto arg : args_) out.push_back(arg.size());
  return out;
}

Connection::Connection(RedisOptions options, std::string_view script)
    : options_(std::move(options)),
      address_(options_.host + ":" + std::to_string(options_.port)),
      script_(script) {}

Reply Connection::run(const Command& command) {
  ensure_connected();
  Reply reply = send(command);
  if (reply->type == REDIS_REPLY_ERROR) fail(command.name() + ": " + std::string(reply_text(*reply)));
  return reply;
}

Reply Connection::ask(const Command& command) {
  ensure_connected();
  return send(command);
}

// The pipeline is formatted here, in one buffer (hiredis' own formatting costs several times
// more per argument), and handed to hiredis whole when its replies are read.
void Connection::append(const Command& command) {
  ensure_connected();
  auto number = [this](char kind, size_t value) {
    char digits[24];
    digits[0] = kind;
    auto end = std::to_chars(digits + 1, digits + sizeof digits, value).ptr;
    pipeline_.append(digits, static_cast<size_t>(end - digits));
    pipeline_.append("\r\n", 2);
  };
  number('*', command.args().size());
  for (std::string_view arg : command.args()) {
    number('$', arg.size());
    pipeline_.append(arg);
    pipeline_.append("\r\n", 2);
  }
}

std::vector<Reply> Connection::read_replies(size_t count) {
  SigpipeBlock sigpipe_block;  // the first read sends what was appended
  if (!pipeline_.empty()) {
    const int appended = redisAppendFormattedCommand(context_.get(), pipeline_.data(), pipeline_.size());
    pipeline_.clear();
    if (appended != REDIS_OK) connection_failed();
  }
  std::vector<Reply> replies;
  replies.reserve(count);
  for (size_t i = 0; i < count; ++i) replies.push_back(read_reply());
  return replies;
}

std::vector<std::string> Connection::strings_of(const std::string& command, const redisReply* reply) const {
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) unexpected(command, reply);
  std::vector<std::string> out;
  out.reserve(reply->elements);
  for (size_t i = 0; i < reply->elements; ++i) {
    if (!is_string(reply->element[i])) unexpected(command, reply->element[i]);
    out.emplace_back(reply_text(*reply->element[i]));
  }
  return out;
}

void Connection::fail(const std::string& what) const { throw StoreUnavailable("redis " + address_ + ": " + what); }

void Connection::unexpected(const std::string& command, const redisReply* reply) const {
  fail("unexpected " + describe(reply) + " to " + command);
}

// Connects (and loads the script) unless connected.
void Connection::ensure_connected() {
  if (context_ && context_->err == 0) return;
  context_.reset();
  pipeline_.clear();  // meant for the connection that is gone
  redisContext* raw = options_.connect_timeout_ms > 0
                          ? redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                                    to_timeval(options_.connect_timeout_ms))
                          : redisConnect(options_.host.c_str(), options_.port);
  if (raw == nullptr) fail("cannot allocate a hiredis context");
  context_.reset(raw);
  if (context_->err != 0) connection_failed();
  if (options_.command_timeout_ms > 0 &&
      redisSetTimeout(context_.get(), to_timeval(options_.command_timeout_ms)) != REDIS_OK) {
    connection_failed();
  }
  Reply reply = send({"SCRIPT", "LOAD", script_});
  if (reply->type != REDIS_REPLY_STRING) {
    context_.reset();
    unexpected("SCRIPT LOAD", reply.get());
  }
  script_sha_ = reply_text(*reply);
  if (on_connect_) {
    try {
      on_connect_(*this);
    } catch (...) {
      context_.reset();
      throw;
    }
  }
}

// Sends one command on the current connection; throws when the connection fails.
Reply Connection::send(const Command& command) {
  SigpipeBlock sigpipe_block;
  auto argv = command.argv();
  auto lengths = command.lengths();
  Reply reply(static_cast<redisReply*>(redisCommandArgv(context_.get(), command.argc(), argv.data(), lengths.data())));
  if (!reply) connection_failed();
  return reply;
}

Reply Connection::read_reply() {
  void* raw = nullptr;
  if (redisGetReply(context_.get(), &raw) != REDIS_OK || raw == nullptr) {
    freeReplyObject(raw);
    connection_failed();
  }
  return Reply(static_cast<redisReply*>(raw));
}

// The connection is unusable after an I/O or protocol error: drop it (the next call reconnects)
// and throw.
void Connection::connection_failed() {
  std::string error = context_ ? std::string(context_->errstr) : std::string("not connected");
  if (error.empty()) error = "connection lost";
  context_.reset();
  fail(error);
}

}  // namespace actorflow::redis
