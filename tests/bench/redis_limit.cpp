#include "limits.hpp"

#include <hiredis/hiredis.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {
namespace {

struct ContextDeleter {
  void operator()(redisContext* context) const { redisFree(context); }
};

}  // namespace

double redis_pipelined_sets_per_second(const std::string& host, int port, int batch, size_t value_bytes,
                                       std::chrono::milliseconds duration) {
  std::unique_ptr<redisContext, ContextDeleter> context(redisConnect(host.c_str(), port));
  if (!context || context->err != 0)
    throw std::runtime_error("redis " + host + ":" + std::to_string(port) + ": cannot connect" +
                             (context ? std::string(": ") + context->errstr : std::string()));
  const std::string value(value_bytes, 'x');
  std::vector<std::string> keys;
  for (int i = 0; i < batch; ++i) keys.push_back("bench:set:" + std::to_string(i));
  int64_t sets = 0;
  const auto begin = std::chrono::steady_clock::now();
  const auto end = begin + duration;
  while (std::chrono::steady_clock::now() < end) {
    for (const auto& key : keys) {
      redisAppendCommand(context.get(), "SET %b %b", key.data(), key.size(), value.data(), value.size());
    }
    for (int i = 0; i < batch; ++i) {
      void* reply = nullptr;
      if (redisGetReply(context.get(), &reply) != REDIS_OK || reply == nullptr)
        throw std::runtime_error(std::string("redis pipeline failed: ") + context->errstr);
      freeReplyObject(reply);
    }
    sets += batch;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  return static_cast<double>(sets) / seconds;
}

}  // namespace bench
