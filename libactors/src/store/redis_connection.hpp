#pragma once
// One hiredis connection (synchronous API) to the server of a RedisOptions: connects on first use,
// and again on the next call after the connection was lost. Not thread-safe: its owner serialises
// the calls. Every failure throws StoreUnavailable starting "redis <host>:<port>: ".
#include <actorflow/store.hpp>

#include <hiredis/hiredis.h>

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace actorflow::redis {

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

inline std::string_view reply_text(const redisReply& reply) { return {reply.str, reply.len}; }
inline bool is_string(const redisReply* reply) { return reply != nullptr && reply->type == REDIS_REPLY_STRING; }
// "integer reply 3", "error 'WRONGTYPE ...'", ...: for error messages.
std::string describe(const redisReply* reply);

// Arguments of one command, viewed (not copied): hiredis copies them when the command is appended.
class Command {
 public:
  Command(std::initializer_list<std::string_view> args) : args_(args) {}
  void add(std::string_view arg) { args_.push_back(arg); }
  std::string name() const { return args_.empty() ? "" : std::string(args_.front()); }
  int argc() const { return static_cast<int>(args_.size()); }
  const std::vector<std::string_view>& args() const { return args_; }
  std::vector<const char*> argv() const;
  std::vector<size_t> lengths() const;

 private:
  std::vector<std::string_view> args_;
};

class Connection {
 public:
  // `script` is loaded (SCRIPT LOAD) on every connect; script_sha() names it.
  Connection(RedisOptions options, std::string_view script);

  const std::string& address() const { return address_; }

  // Called on every new connection, after the script is loaded (e.g. to check the server's
  // settings): when it throws, the connection is dropped and the exception goes to the caller.
  void on_connect(std::function<void(Connection&)> check) { on_connect_ = std::move(check); }
  const std::string& script_sha() const { return script_sha_; }

  // Connects when needed and runs one command. Throws on connection failure and on an error reply.
  Reply run(const Command& command);
  // As run, but an error reply is returned, not thrown.
  Reply ask(const Command& command);

  // A pipeline: append commands (connecting when needed; nothing is sent yet), then read their
  // replies, in order. Error replies are returned, not thrown.
  void append(const Command& command);
  std::vector<Reply> read_replies(size_t count);

  // The elements of an array reply of strings.
  std::vector<std::string> strings_of(const std::string& command, const redisReply* reply) const;

  [[noreturn]] void fail(const std::string& what) const;
  [[noreturn]] void unexpected(const std::string& command, const redisReply* reply) const;

 private:
  struct ContextDeleter {
    void operator()(redisContext* context) const { redisFree(context); }
  };

  void ensure_connected();
  Reply send(const Command& command);
  Reply read_reply();
  [[noreturn]] void connection_failed();

  const RedisOptions options_;
  const std::string address_;  // host:port, in every error
  const std::string script_;
  std::unique_ptr<redisContext, ContextDeleter> context_;
  std::string script_sha_;
  std::function<void(Connection&)> on_connect_;
  std::string pipeline_;  // commands appended and not yet handed to hiredis, in the wire format
};

}  // namespace actorflow::redis
