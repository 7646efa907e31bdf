// The Store contract on Redis: one redis-server for the whole executable, a fresh key prefix per
// test.
#include "redis_server.hpp"
#include "store_contract.hpp"

#include <gtest/gtest.h>

#include <string>

namespace actorflow::testing {
namespace {

RedisServer& shared_server() {
  static RedisServer server;  // a missing redis-server fails each test that needs it, clearly
  return server;
}

std::shared_ptr<Store> make_redis_with_fresh_prefix() {
  static int stores_made = 0;
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  RedisOptions options;
  options.port = shared_server().port();
  options.key_prefix = "contract:" + std::to_string(++stores_made) + ":" +
                       (test != nullptr ? std::string(test->name()) : std::string("none")) + ":";
  return make_redis_store(options);
}

std::string factory_name(const ::testing::TestParamInfo<StoreFactory>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Redis, StoreContract,
                         ::testing::Values(StoreFactory{"redis", make_redis_with_fresh_prefix}), factory_name);

}  // namespace
}  // namespace actorflow::testing
