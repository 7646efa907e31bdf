#pragma once
// A plain hiredis connection for tests, to look at (and change) what a store wrote in Redis.
#include <hiredis/hiredis.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace actorflow::testing {

// A plain hiredis connection, to look at what the store wrote.
class RawRedis {
 public:
  explicit RawRedis(int port) : context_(redisConnect("127.0.0.1", port)) {
    if (!context_ || context_->err != 0) {
      throw std::runtime_error("raw connection: " + std::string(context_ ? context_->errstr : "no context"));
    }
  }

  long long integer(const std::vector<std::string>& args) {
    auto reply = run(args);
    if (reply->type != REDIS_REPLY_INTEGER) throw std::runtime_error(args[0] + ": not an integer reply");
    return reply->integer;
  }

  // A string or status reply.
  std::string text(const std::vector<std::string>& args) {
    auto reply = run(args);
    if (reply->type != REDIS_REPLY_STRING && reply->type != REDIS_REPLY_STATUS) {
      throw std::runtime_error(args[0] + ": not a string reply");
    }
    return std::string(reply->str, reply->len);
  }

  std::vector<std::string> strings(const std::vector<std::string>& args) {
    auto reply = run(args);
    if (reply->type != REDIS_REPLY_ARRAY) throw std::runtime_error(args[0] + ": not an array reply");
    std::vector<std::string> out;
    for (size_t i = 0; i < reply->elements; ++i) out.emplace_back(reply->element[i]->str, reply->element[i]->len);
    return out;
  }

  // Calls of `command` since the last CONFIG RESETSTAT, from INFO commandstats.
  long long calls_of(const std::string& command) {
    const std::string info = text({"INFO", "commandstats"});
    const std::string field = "cmdstat_" + command + ":calls=";
    const auto at = info.find(field);
    return at == std::string::npos ? 0 : std::stoll(info.substr(at + field.size()));
  }

 private:
  struct ReplyDeleter {
    void operator()(redisReply* reply) const { freeReplyObject(reply); }
  };
  struct ContextDeleter {
    void operator()(redisContext* context) const { redisFree(context); }
  };

  std::unique_ptr<redisReply, ReplyDeleter> run(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    std::unique_ptr<redisReply, ReplyDeleter> reply(static_cast<redisReply*>(
        redisCommandArgv(context_.get(), static_cast<int>(args.size()), argv.data(), lengths.data())));
    if (!reply) throw std::runtime_error(args[0] + ": " + context_->errstr);
    if (reply->type == REDIS_REPLY_ERROR) throw std::runtime_error(args[0] + ": " + reply->str);
    return reply;
  }

  std::unique_ptr<redisContext, ContextDeleter> context_;
};

}  // namespace actorflow::testing
